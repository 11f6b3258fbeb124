"""Migration events 0005 rebuilds `Event.state` for the events written before it, from
their snapshots: the same versions as the services write now, where the log allows."""

import datetime as dt
import importlib

from django.apps import apps

from tracker.desk import services
from tracker.desk.choices import State, Verdict
from tracker.desk.models import Claim
from tracker.events.models import Event

backfill = importlib.import_module("tracker.events.migrations.0005_event_state").backfill


def _states(**lookup) -> dict[int, dict | None]:
    return dict(Event.objects.filter(**lookup).order_by("id").values_list("id", "state"))


def test_the_backfill_rebuilds_each_version_as_the_services_write_it(make_claim, make_agreement, make_source, staff):
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE, statement="The pact was signed.")
    services.claim_correct(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, note="Announced only.",
                           verdict=Verdict.MISLEADING, rationale="Announced, not signed.")  # fmt: skip
    services.claim_withdraw(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, reason="A new text.")
    agreement = make_agreement(title="Pact")
    source = make_source()
    written = _states(record_type__in=("claim", "agreement", "source"))
    assert all(written[pk] for pk in written if Event.objects.get(pk=pk).kind != "withdrawn")

    Event.objects.update(state=None)  # as before the migration
    backfill(apps, None)
    rebuilt = _states(record_type__in=("claim", "agreement", "source"))

    for pk, state in written.items():
        again = rebuilt[pk]
        if state is None:
            assert again is None  # a withdrawal: readers saw nothing
            continue
        assert again is not None, f"event {pk} got no state"
        if "verdict_published_at" in state:
            shown, guessed = (dt.datetime.fromisoformat(v["verdict_published_at"]) for v in (state, again))
            assert abs(shown - guessed) < dt.timedelta(seconds=1)  # the event's time, not the field's
            state, again = ({k: v for k, v in s.items() if k != "verdict_published_at"} for s in (state, again))
        assert again == state, f"event {pk} of {Event.objects.get(pk=pk).record_type}"
    assert {Event.objects.get(pk=pk).record_id for pk in rebuilt} >= {claim.pk, agreement.pk, source.pk}
