"""A desk of three (one reporter, one verifier, one editor) never deadlocks, and the rules
of issue 27 hold whatever they do, in any order (DESIGN.md rules 2, 4 and 5).

A hypothesis state machine drives the desk's services directly: drafting claims and
attaching evidence from published and draft sources, editing statements, submitting,
sending back, publishing (with the republication note a publisher is offered),
correcting, withdrawing, archiving and publishing sources, editing a quoted source's
text (typo fixes and rewrites) and confirming the quotes it moved (with a reason when
taking a suggestion). Refused steps are expected; after every step it checks:

- no deadlock: every draft claim can be submitted by someone, every claim in review can
  be published by someone who wrote none of it, every draft source can be published by
  someone who neither archived it nor changed its text, and every moved quote can be
  confirmed by someone other than whoever moved it;
- no publication or correction over a moved or orphaned quote;
- maker-checker per record, read off the history tables: no claim's publisher wrote its
  content or evidence, no source's publisher archived it or changed its text;
- no reader-visible change to a claim without a public note: a published claim whose
  reader view differs from the one readers last saw gained a correction;
- no internal comment on any public surface: the text of every comment the three wrote
  (each with a unique marker, on claims and on sources) is on neither the public page
  nor the API answer of any published claim it could reach (its own, or one quoting the
  commented source).

The three also assign, take and hand records on (tracker/newsroom), which must neither
unblock what maker-checker refuses nor block what it allows.

- a claim once published is never deleted; a source is published only by someone who
  may publish sources; a moved quote is never silently re-pointed, and is confirmed by
  someone other than whoever moved it.

Each of these fails when the check enforcing it is removed from the services:
scripts/mutants.py removes each and runs this test and test_desk_rules.py. Quick by
default; TEST_EFFORT=full (CI) runs more (tests/effort.py).
"""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tracker.desk import services
from tracker.desk.choices import State, Verdict
from tracker.desk.models import Claim, Evidence, Source
from tracker.desk.services import checkers
from tracker.desk.services.common import can
from tracker.newsroom import services as newsroom

from .. import effort
from . import invariants
from .invariants import authors

TEXTS = [
    "Canada will not sign the naval agreement with Korea this year. The leaders met in Gyeongju on Wednesday.",
    "The partnership was announced, not signed. Trade grew by ten percent last year in both countries.",
    "Officials said the naval agreement is still under negotiation. No date was set for the signing.",
]
# The passages claims quote as their appearance or as evidence, in each text.
QUOTES = [
    ["will not sign the naval agreement", "met in Gyeongju on Wednesday"],
    ["announced, not signed", "grew by ten percent"],
    ["still under negotiation", "No date was set"],
]
# Edits of a text: a typo fix in a quoted word, a rewording of one, a deletion of one.
EDITS = [
    ("will not sign", "wil not sign"),
    ("wil not sign", "will not sign"),
    ("will not sign", "will sign"),
    ("met in Gyeongju on Wednesday", "met in the city"),
    ("grew by ten percent", "grew by eleven percent"),
    ("still under negotiation", "stil under negotiation"),
    ("No date was set for the signing.", ""),
]
VERDICTS = [Verdict.INACCURATE, Verdict.ACCURATE, Verdict.MISLEADING, Verdict.UNSUPPORTED]
STANCES = ["contradicts", "supports", "context"]
WHO = st.sampled_from([0, 1, 2])
# Few records, so that the three keep working on the same ones (where the rules bite).
PICK = st.integers(0, 3)


def _reader_view(claim: Claim) -> tuple:
    evidence = sorted((e.source_id, e.quote, e.stance) for e in Evidence.objects.published().filter(claim=claim))
    return (claim.statement, claim.quote, claim.verdict, claim.rationale, tuple(evidence))


def _source_publisher(source: Source) -> int | None:
    """Who published the source, from its history."""
    rows = source.history.order_by("history_date", "history_id").values_list("state", "history_user_id")
    previous = None
    for state, user in rows:
        if state == State.PUBLISHED and previous != State.PUBLISHED:
            return user
        previous = state
    return None


def _source_authors(source: Source) -> set[int]:
    """Who archived the source or changed its text before it was published, from its
    history (a published text is corrected by an editor: that is no authorship)."""
    found, last = set(), None
    for digest, user, kind, state in source.history.order_by("history_date", "history_id").values_list(
        "text_sha256", "history_user_id", "history_type", "state"
    ):
        if state == State.PUBLISHED:
            break
        if user is not None and (kind == "+" or digest != last):
            found.add(user)
        last = digest
    return found


class ThreePersonDesk(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        users = get_user_model().objects
        users.update(is_active=False)  # only these three are the desk
        self.people = []
        for role in ("Reporter", "Verifier", "Editor"):
            user = users.create(username=f"only-{role.lower()}", is_staff=True, first_name=role)
            user.groups.add(Group.objects.get(name=role))
            self.people.append(users.get(pk=user.pk))
        self.sources: list[int] = []
        self.claims: list[int] = []
        self.ever_published: set[int] = set()
        self.seen: dict[int, tuple] = {}  # claim -> reader view when it was last public
        self.markers: list[tuple[str, str, int]] = []  # (marker, "claim" or "source", its id)
        self.numbers = itertools.count()
        self.reader = Client()
        self.checked: tuple = ()  # what the comment invariant last read the pages of
        self.notes: dict[int, int] = {}  # claim -> corrections then
        for index in range(2):
            source = services.source_create(
                by=self.people[0], title=f"Document {index}", publisher="Outlet", kind="news",
                reliability="established_secondary", text=TEXTS[index],
            )  # fmt: skip
            source = services.record_publish(record=source, by=self.people[2])
            self.sources.append(source.pk)

    @initialize()
    def a_claim_in_review_and_a_published_one(self):
        """Claims ready to publish, so that what blocks publication is what is tested."""
        reporter, verifier = self.people[0], self.people[1]
        for n, (quote, evidence, verdict) in enumerate(
            [("will not sign the naval agreement", "announced, not signed", None),
             ("met in Gyeongju on Wednesday", "grew by ten percent", Verdict.INACCURATE)]
        ):  # fmt: skip
            claim = services.claim_create_draft(by=reporter, source=self._source(0), quote=quote,
                                                statement=f"Claim {n}.")  # fmt: skip
            services.evidence_attach(claim=claim, by=reporter, source=self._source(1), quote=evidence,
                                     stance="contradicts")  # fmt: skip
            claim = services.claim_submit(claim=claim, by=reporter)
            if verdict:
                services.claim_publish(claim=claim, by=verifier, verdict=verdict, rationale="It says otherwise.")
            self.claims.append(claim.pk)

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _try(self, step) -> bool:
        """Run a step; a refusal is fine (and changes nothing: the service's transaction)."""
        try:
            step()
        except ValidationError:
            return False
        return True

    def _claim(self, pick: int) -> Claim | None:
        return Claim.objects.filter(pk=self.claims[pick % len(self.claims)]).first() if self.claims else None

    def _source(self, pick: int) -> Source:
        return Source.objects.get(pk=self.sources[pick % len(self.sources)])

    # What the three do -------------------------------------------------------------------

    @rule(who=WHO, source=PICK, quote=st.integers(0, 1))
    def draft_a_claim(self, who, source, quote):
        record = self._source(source)
        index = TEXTS.index(record.text) if record.text in TEXTS else None
        if index is None:
            return

        def step():
            claim = services.claim_create_draft(
                by=self.people[who], source=record, quote=QUOTES[index][quote], statement=f"Claim {len(self.claims)}."
            )
            self.claims.append(claim.pk)

        self._try(step)

    @rule(who=WHO)
    def archive_a_draft_source(self, who):
        if len(self.sources) < 4:
            index = 2 if len(self.sources) == 2 else 0

            def step():
                text = TEXTS[index] if index == 2 else TEXTS[0] + " (A second copy.)"
                source = services.source_create(by=self.people[who], title=f"Draft {len(self.sources)}",
                                                publisher="Outlet", kind="news", reliability="unverified",
                                                text=text)  # fmt: skip
                self.sources.append(source.pk)

            self._try(step)

    @rule(who=WHO, pick=PICK, source=PICK, quote=st.integers(0, 1), stance=st.sampled_from(STANCES))
    def attach_evidence(self, who, pick, source, quote, stance):
        claim, record = self._claim(pick), self._source(source)
        index = next((i for i, text in enumerate(TEXTS) if record.text.startswith(TEXTS[i][:40])), None)
        if claim is None or index is None:
            return
        note = "We added a quote that bears on the claim." if claim.state == State.PUBLISHED else ""
        self._try(lambda: services.evidence_attach(claim=claim, by=self.people[who], source=record,
                                                   quote=QUOTES[index][quote], stance=stance,
                                                   correction_note=note))  # fmt: skip

    @rule(who=WHO, pick=PICK)
    def edit_the_statement(self, who, pick):
        claim = self._claim(pick)
        if claim is not None:
            note = "We reworded the claim." if claim.state == State.PUBLISHED else ""
            self._try(lambda: services.claim_edit(claim=claim, by=self.people[who],
                                                  fields={"statement": claim.statement + " Reworded."},
                                                  note=note))  # fmt: skip

    @rule(pick=PICK, order=st.permutations([0, 1, 2]))
    def all_three_write_some_of_it(self, pick, order):
        """The sequence that deadlocked a desk: each person in turn writes some of one claim."""
        for who in order:
            self.edit_the_statement(who, pick)

    @rule(who=WHO, pick=PICK, action=st.sampled_from(["submit", "send_back", "withdraw"]))
    def move_it_along(self, who, pick, action):
        claim, by = self._claim(pick), self.people[who]
        if claim is None:
            return
        steps = {
            "submit": lambda: services.claim_submit(claim=claim, by=by),
            "send_back": lambda: services.claim_send_back(claim=claim, by=by, comment="Find a second source."),
            "withdraw": lambda: services.claim_withdraw(claim=claim, by=by, reason="A new document came in."),
        }
        self._try(steps[action])

    @rule(who=WHO, pick=PICK, verdict=st.sampled_from(VERDICTS), with_note=st.booleans())
    def publish(self, who, pick, verdict, with_note):
        claim, by = self._claim(pick), self.people[who]
        if claim is None:
            return
        rationale = f"The evidence shows it is {verdict}."
        note = services.republication_note(claim, verdict=verdict, rationale=rationale) if with_note else ""
        flagged = self._flagged(claim)
        if self._try(lambda: services.claim_publish(claim=claim, by=by, verdict=verdict, rationale=rationale,
                                                    note=note)):  # fmt: skip
            assert not flagged, f"{claim.slug} was published over a moved quote"

    @rule(who=WHO, pick=PICK, verdict=st.sampled_from(VERDICTS))
    def correct(self, who, pick, verdict):
        claim, by = self._claim(pick), self.people[who]
        if claim is None:
            return
        flagged = self._flagged(claim)
        if self._try(lambda: services.claim_correct(claim=claim, by=by, verdict=verdict, note="We re-rated it.",
                                                    rationale=f"On a second look, {verdict}.")):  # fmt: skip
            assert not flagged, f"{claim.slug} was corrected over a moved quote"

    @rule(who=WHO, source=PICK)
    def publish_a_source(self, who, source):
        self._try(lambda: services.record_publish(record=self._source(source), by=self.people[who]))

    @rule(who=WHO, source=PICK, edit=st.sampled_from(EDITS))
    def edit_a_source_text(self, who, source, edit):
        record = self._source(source)
        old, new = edit
        if old not in record.text:
            return
        text = record.text.replace(old, new).replace("  ", " ")
        self._try(lambda: services.source_edit(source=record, by=self.people[who], fields={"text": text},
                                               note="We archived the corrected text."))  # fmt: skip

    @rule(who=WHO, pick=PICK, verdict=st.sampled_from(VERDICTS))
    def edit_what_a_claim_quotes_then_publish_it(self, who, pick, verdict):
        """The sequence that published a claim over a re-pointed quote: an edit of the text
        a claim quotes, then everyone tries to publish or correct it."""
        claim = self._claim(pick)
        if claim is None:
            return
        for item in [*claim.evidence.all(), claim]:
            source = Source.objects.get(pk=item.source_id)
            edit = next(((old, new) for old, new in EDITS if old in item.quote and old in source.text), None)
            if edit is not None:
                self.edit_a_source_text(who, self.sources.index(source.pk), edit)
                break
        for person in (0, 1, 2):
            if Claim.objects.get(pk=claim.pk).state == State.PUBLISHED:
                self.correct(person, pick, verdict)
            else:
                self.move_it_along(person, pick, "submit")
                self.publish(person, pick, verdict, True)

    @rule(who=WHO, pick=PICK, verdict=st.sampled_from(VERDICTS), order=st.permutations([0, 1, 2]))
    def quote_a_new_draft_source_then_publish(self, who, pick, verdict, order):
        """The sequence that let an editor publish a source they archived: a draft source
        quoted as evidence, then everyone tries to publish the claim, then the source."""
        before = len(self.sources)
        self.archive_a_draft_source(who)
        if len(self.sources) == before:
            return
        self.attach_evidence(who, pick, len(self.sources) - 1, 0, "supports")
        for person in order:
            self.move_it_along(person, pick, "submit")
            self.publish(person, pick, verdict, True)
            self.publish_a_source(person, len(self.sources) - 1)

    @rule(who=WHO, pick=PICK, verdict=st.sampled_from(VERDICTS), order=st.permutations([0, 1, 2]))
    def withdraw_change_and_republish(self, who, pick, verdict, order):
        """The sequence that changed a claim in front of readers unannounced: withdrawn,
        changed in review, then published again (first without a note)."""
        self.move_it_along(2, pick, "withdraw")
        self.edit_the_statement(who, pick)
        for person in order:
            self.publish(person, pick, verdict, False)
            self.publish(person, pick, verdict, True)

    @rule(who=WHO, pick=PICK)
    def delete_a_claim(self, who, pick):
        """Only a draft never published is deleted; a published claim is retracted (rule 6)."""
        claim = self._claim(pick)
        if claim is not None:
            self._try(lambda: services.claim_delete(claim=claim, by=self.people[who]))

    @rule(archivist=WHO, pick=PICK, verdict=st.sampled_from(VERDICTS))
    def publish_a_claim_quoting_a_source_one_archived(self, archivist, pick, verdict):
        """Someone archives a draft source, the claim's drafter (or the verifier) quotes
        it, then each of the three tries to publish the claim, which publishes the
        source: never by whoever archived it (rule 4)."""
        before = len(self.sources)
        self.archive_a_draft_source(archivist)
        claim = self._claim(pick)
        if len(self.sources) == before or claim is None:
            return
        quoter = 0 if claim.state == State.DRAFT else 1
        self.attach_evidence(quoter, pick, len(self.sources) - 1, 0, "supports")
        self.move_it_along(quoter, pick, "submit")
        for person in (archivist, *(p for p in (1, 2) if p != archivist)):
            self.publish(person, pick, verdict, True)

    @rule(who=WHO, pick=PICK)
    def withdraw_send_back_and_delete(self, who, pick):
        """A claim readers saw, back to a draft, then deleted: retracted, never deleted (rule 6)."""
        self.move_it_along(2, pick, "withdraw")
        self.move_it_along(1, pick, "send_back")
        self.delete_a_claim(who, pick)

    @rule(who=WHO, pick=PICK)
    def save_an_edit_made_from_a_stale_version(self, who, pick):
        """Two staff on one claim: a change made from an older version is refused (rule 7)."""
        claim = self._claim(pick)
        if claim is None or claim.version < 2:
            return
        note = "We reworded the claim." if claim.state == State.PUBLISHED else ""
        saved = self._try(lambda: services.claim_edit(claim=claim, by=self.people[who], note=note,
                                                      fields={"statement": claim.statement + " Stale."},
                                                      seen_version=claim.version - 1))  # fmt: skip
        assert not saved, f"an edit of {claim.slug} from a stale version was saved"

    @rule(who=WHO, pick=PICK, note=st.sampled_from(["", "   ", "We misread the readout."]))
    def retract_a_claim(self, who, pick, note):
        """A retraction needs a public note (rule 5)."""
        claim = self._claim(pick)
        if claim is not None:
            self._try(lambda: services.claim_retract(claim=claim, by=self.people[who], note=note))

    @rule(who=WHO, pick=PICK, edit=st.sampled_from(EDITS))
    def the_one_who_moved_a_quote_confirms_it(self, who, pick, edit):
        """The sequence where a mover could confirm their own move: one person edits the
        text a claim quotes, then tries to confirm each quote it moved (rule 5)."""
        claim = self._claim(pick)
        if claim is None:
            return
        for item in [claim, *claim.evidence.all()]:
            source = Source.objects.get(pk=item.source_id)
            if edit[0] in item.quote and edit[0] in source.text:
                self.edit_a_source_text(who, self.sources.index(source.pk), edit)
                break
        for _ in range(3):
            self.confirm_a_moved_quote(who, pick, True)

    @rule(who=WHO, pick=PICK, with_reason=st.booleans())
    def confirm_a_moved_quote(self, who, pick, with_reason):
        claim = self._claim(pick)
        if claim is None:
            return
        moved = [item for item in [claim, *claim.evidence.all()] if item.needs_a_look]
        if not moved:
            return
        item = moved[pick % len(moved)]
        evidence_id = item.pk if isinstance(item, Evidence) else None
        reason = "The corrected text says the same thing here." if with_reason else ""
        self._try(lambda: services.quote_confirm(claim=claim, by=self.people[who], evidence_id=evidence_id,
                                                 reason=reason))  # fmt: skip

    @rule(who=WHO, to=WHO, pick=PICK, on_source=st.booleans())
    def assign_or_hand_off(self, who, to, pick, on_source):
        """Take it, assign it, hand it on: refused or not, it changes no rule."""
        record = self._source(pick) if on_source else self._claim(pick)
        if record is not None:
            self._try(lambda: newsroom.assign(record=record, to=self.people[to], by=self.people[who]))

    @rule(who=WHO, pick=PICK, on_source=st.booleans(), field=st.sampled_from(["", "statement", "text"]),
          mention=st.sampled_from(["", "@only-reporter ", "@only-editor "]))  # fmt: skip
    def comment(self, who, pick, on_source, field, mention):
        record = self._source(pick) if on_source else self._claim(pick)
        if record is None:
            return
        kind = "source" if on_source else "claim"
        field = field if field in newsroom.COMMENT_FIELDS[kind] else ""
        marker = f"internalnote{next(self.numbers)}x{pick}"
        body = f"{mention}{marker}: check this before it goes out."
        if self._try(lambda: newsroom.comment_add(record=record, by=self.people[who], field=field, body=body)):
            self.markers.append((marker, kind, record.pk))

    # The rules, after every step ---------------------------------------------------------

    @staticmethod
    def _flagged(claim: Claim) -> bool:
        return any(item.needs_a_look for item in [claim, *claim.evidence.all()])

    @invariant()
    def the_desk_never_deadlocks(self):
        desk = {person.pk for person in self.people}
        for claim in Claim.objects.filter(state=State.DRAFT):
            assert claim.drafted_by_id in desk or checkers.staff_with("review_claim").exists()
        for claim in Claim.objects.filter(state=State.IN_REVIEW):
            assert checkers.claim_publishers(claim), f"nobody can publish {claim.slug}"
        for source in Source.objects.filter(state=State.DRAFT):
            assert checkers.source_publishers(source), f"nobody can publish source {source.slug}"
        for claim in Claim.objects.exclude(state=State.RETRACTED):
            for item in [claim, *claim.evidence.all()]:
                if item.needs_a_look:
                    others = desk - {item.anchor_moved_by_id}
                    may = [
                        p for p in self.people if p.pk in others and not checkers.quote_confirm_refusal(claim, item, p)
                    ]
                    assert may, f"nobody can confirm a moved quote of {claim.slug}"

    @invariant()
    def maker_checker_per_record(self):
        for claim in Claim.objects.published():
            assert claim.reviewed_by_id not in authors(claim), f"{claim.slug}: its publisher wrote some of it"
        for source in Source.objects.exclude(state=State.DRAFT):
            publisher = _source_publisher(source)
            assert publisher not in _source_authors(source), f"{source.slug}: its publisher archived or edited it"
            by = next((p for p in self.people if p.pk == publisher), None)
            assert by is None or can(by, "publish_source"), f"{source.slug}: published by one who may not"

    @invariant()
    def published_claims_are_never_deleted(self):
        self.ever_published |= set(Claim.objects.exclude(first_published_at=None).values_list("pk", flat=True))
        assert set(Claim.objects.filter(pk__in=self.ever_published).values_list("pk", flat=True)) == self.ever_published

    @invariant()
    def moved_quotes_are_flagged_and_confirmed_by_someone_else(self):
        invariants.no_quote_is_silently_repointed()
        invariants.moved_quotes_are_confirmed_by_someone_else()

    @invariant()
    def no_internal_comment_on_any_public_surface(self):
        if not self.markers:
            return
        on_claims = {pk for _, kind, pk in self.markers if kind == "claim"}
        on_sources = {pk for _, kind, pk in self.markers if kind == "source"}
        reached = Claim.objects.published().filter(
            models.Q(pk__in=on_claims) | models.Q(source__in=on_sources) | models.Q(evidence__source__in=on_sources)
        )
        # Read again only when a comment was written or a reached claim changed since.
        reading = (len(self.markers), *sorted(set(reached.values_list("slug", "updated_at", "version"))))
        if reading == self.checked:
            return
        self.checked = reading
        caches["rates"].clear()  # the API's anonymous rate would run out over a long run
        for slug in reached.values_list("slug", flat=True).distinct():
            for address in (f"/claims/{slug}/", f"/api/v1/claims/{slug}/"):
                response = self.reader.get(address)
                assert response.status_code == 200, address
                for marker, _, _ in self.markers:
                    assert marker.encode() not in response.content, f"an internal comment is on {address}"

    @invariant()
    def every_retraction_has_a_public_note(self):
        invariants.every_retraction_has_a_public_note()

    @invariant()
    def no_reader_visible_change_without_a_public_note(self):
        for claim in Claim.objects.published():
            view, notes = _reader_view(claim), claim.corrections.count()
            if claim.pk in self.seen and view != self.seen[claim.pk]:
                assert notes > self.notes[claim.pk], f"{claim.slug} changed in front of readers without a note"
            self.seen[claim.pk], self.notes[claim.pk] = view, notes


@pytest.mark.django_db
def test_a_desk_of_three_never_deadlocks_and_keeps_its_rules():
    run_state_machine_as_test(
        ThreePersonDesk,
        settings=settings(
            max_examples=effort.examples(12, 60, "PROPERTY_EXAMPLES"),
            stateful_step_count=effort.examples(25, 30, "PROPERTY_STEPS"),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            **effort.hypothesis_extras(),
        ),
    )
