"""DESIGN.md's rules as properties of the whole record, whatever the staff do.

A hypothesis state machine plays random sequences of desk actions by random staff (two
reporters, two verifiers, two editors, and a staff member in no group) through the
admin's own entry points: the reading page, the claim's change form with its evidence
inline, the workflow buttons, the source's change form and its retract page, and
crafted POSTs the admin never offers (moving evidence onto another claim, editing a
record one has no right to). After every step it checks, over the whole database and
the public surfaces:

- a refused action changed nothing;
- every published verdict rests on published evidence (rule 3), never on the claim's
  own appearance;
- every reader-visible change to a published claim came with a public correction, or
  the claim left the public record (rule 5);
- whoever published or corrected a verdict wrote none of the claim's content or
  evidence, judged from the history tables, not from the services' own bookkeeping
  (rule 4);
- every anchored quote is where its offsets say (rule 2);
- nothing unpublished shows on the pages, in the API, in search or in the feeds, and
  no claim quote from an unpublished source leaks through a published claim (rule 1);
- a record once published is never deleted (rule 6);
- the event log follows the public record: a claim's last event says whether it is
  published, withdrawn or retracted, a never-published claim has none, and no event
  holds a text that readers never saw (rules 1 and 9).

The checks that need no memory of earlier steps live in invariants.py, where the
generate_demo test runs them too.

Besides the random staff, some rules play the sequences that break a rule when its
check is missing: one who wrote some of a claim presses publish; the publisher corrects
what the verdict rests on; a source is retracted, then its claims published again; a
claim quotes its own source; a form opened before another save is saved. Each of the
rules it checks fails when the service's check is removed (scripts/mutants.py tries).

Quick by default; TEST_EFFORT=full (CI) runs more and longer sequences, and
PROPERTY_EXAMPLES and PROPERTY_STEPS set them (tests/effort.py).
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tracker.desk import services
from tracker.desk.choices import State, Verdict
from tracker.desk.models import Claim, ClaimEvent, Correction, Evidence, Source
from tracker.events.log import snapshot
from tracker.events.models import Event

from .. import effort
from ..admin_forms import claim_form
from . import invariants
from .invariants import CONTENT, authors

SENTENCES = [
    [
        "Canada and Korea signed a defence pact on Tuesday.",
        "The pact covers joint naval exercises in the Pacific.",
        "Officials met in Seoul for two days of talks.",
        "Trade between the countries grew by ten percent last year.",
    ],
    [
        "The leaders announced a security partnership on Wednesday.",
        "Negotiations on an information agreement were concluded.",
        "The leaders met in Gyeongju during the summit week.",
        "Trade between the countries grew by ten percent last year.",
    ],
    [
        "Analysts said the partnership was announced, not signed.",
        "No naval exercises have been scheduled so far.",
        "The summit took place in Gyeongju, not in Seoul.",
        "Trade figures for last year are not yet final.",
    ],
]
STATEMENTS = [
    "Canada and Korea signed a defence pact.",
    "The leaders met in Seoul.",
    "Trade grew by ten percent.",
    "Naval exercises are planned.",
]
ROLES = ["Reporter", "Reporter", "Verifier", "Verifier", "Editor", "Editor", None]
CHECKERS = [2, 3, 4, 5]  # who may publish verdicts: the verifiers and the editors
VERDICTS = [v for v in Verdict.values if v != Verdict.NOT_RATED]
STANCES = ["supports", "contradicts", "context"]
# Editors and verifiers can do the most, so they act more often than the others.
WHO = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 2, 3, 4, 5, 4, 5])
PICK = st.integers(0, 50)
NOTES = st.sampled_from(["", "We corrected the wording after a reader wrote in."])
TEXTS = st.sampled_from(
    ["A clearer statement.", "Reworded\x0cwith a form feed.", "", "   ", "Same words, new order.", "x" * 300]
)


def _text(index: int) -> str:
    return " ".join(SENTENCES[index]) + f"\n(Archived copy {index}.)"


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _fingerprint() -> tuple:
    """Everything a refused action must leave as it was."""
    from tracker.desk.models import Agreement, Meeting, Person

    models = (Claim, Evidence, Source, Correction, Agreement, Meeting, Person)
    latest = tuple(m.history.order_by("-history_id").values_list("history_id", flat=True).first() for m in models)
    counts = tuple(m.objects.count() for m in models)
    return latest, counts, ClaimEvent.objects.count()


def _reader_view(claim: Claim) -> tuple:
    evidence = sorted(
        (e.source_id, e.quote, e.stance, e.note) for e in Evidence.objects.published().filter(claim=claim)
    )
    return (*(getattr(claim, name) for name in CONTENT), claim.verdict, claim.rationale, tuple(evidence))


def _strings(value) -> list[str]:
    """Every string in a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() if key != "field" for text in _strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


class DeskMachine(RuleBasedStateMachine):
    """See the module's docstring."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        users = get_user_model().objects
        self.staff = []
        for n, role in enumerate(ROLES):
            user = users.create(username=f"staff-{n}-{role or 'none'}", is_staff=True)
            if role:
                user.groups.add(Group.objects.get(name=role))
            self.staff.append(users.get(pk=user.pk))
        self.clients = [_client(user) for user in self.staff]
        reporter, editor = self.staff[0], self.staff[4]
        self.sources = []
        for index in range(3):
            source = services.source_create(
                by=reporter, title=f"Document {index}", publisher=f"Publisher {index}", kind="news",
                reliability="established_secondary", text=_text(index),
            )  # fmt: skip
            if index < 2:
                source = services.record_publish(record=source, by=editor)
            self.sources.append(source.pk)
        self.claims: list[int] = []
        self.ever_published: set[int] = set()
        self.views: dict[int, tuple] = {}
        self.corrections: dict[int, int] = {}
        self.public_texts: set[str] = set()
        self.before: tuple | None = None

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # Helpers -----------------------------------------------------------------------------

    def _post(self, who: int, url: str, data: dict) -> int:
        """POST as staff member `who`; if the admin did not accept it (no redirect), check
        that nothing changed."""
        before = _fingerprint()
        response = self.clients[who].post(url, data)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 302:
            assert _fingerprint() == before, f"{url} was refused ({response.status_code}) but changed the record"
        return response.status_code

    def _claim(self, pick: int) -> Claim | None:
        if not self.claims:
            return None
        return Claim.objects.filter(pk=self.claims[pick % len(self.claims)]).first()

    # Setting up a few claims the quick way, through the services -------------------------

    @initialize()
    def some_claims(self):
        """Two published claims (one inaccurate, one accurate), one in review, one draft."""
        reporter, verifier = self.staff[0], self.staff[2]
        readout = Source.objects.get(pk=self.sources[1])
        plan = [
            (0, 0, [(1, 0, "contradicts"), (1, 1, "context")], Verdict.INACCURATE),
            (0, 3, [(1, 3, "supports")], Verdict.ACCURATE),
            (0, 2, [(1, 2, "contradicts")], None),
            (0, 1, [], None),
        ]
        for n, (source, sentence, evidence, verdict) in enumerate(plan):
            claim = services.claim_create_draft(
                by=reporter, source=Source.objects.get(pk=self.sources[source]), quote=SENTENCES[source][sentence],
                statement=STATEMENTS[n],
            )  # fmt: skip
            for _src, ev_sentence, stance in evidence:
                services.evidence_attach(claim=claim, by=reporter, source=readout, quote=SENTENCES[1][ev_sentence],
                                         stance=stance)  # fmt: skip
            self.claims.append(claim.pk)
            if n < 3:
                claim = services.claim_submit(claim=claim, by=reporter)
            if verdict:
                services.claim_publish(claim=claim, by=verifier, verdict=verdict, rationale="The readout says so.")
        self._remember()

    # What staff do, through the admin -----------------------------------------------------

    @rule(who=WHO, source=st.integers(0, 2), sentence=st.integers(0, 3), statement=st.integers(0, 3))
    def draft_a_claim_on_the_reading_page(self, who, source, sentence, statement):
        source_id = self.sources[source]
        status = self._post(
            who,
            f"/admin/desk/source/{source_id}/read/",
            {
                "mark_claim": "1",
                "claim-quote": SENTENCES[source][sentence],
                "claim-statement": STATEMENTS[statement],
                "claim-claimant": "",
            },
        )
        if status == 302:
            self.claims.append(Claim.objects.latest("pk").pk)

    @rule(
        who=WHO,
        pick=PICK,
        source=st.integers(0, 2),
        sentence=st.integers(0, 3),
        stance=st.sampled_from(STANCES),
    )
    def quote_evidence_on_the_reading_page(self, who, pick, source, sentence, stance):
        claim = self._claim(pick)
        if claim is None:
            return
        self._post(
            who,
            f"/admin/desk/source/{self.sources[source]}/read/",
            {
                "attach_evidence": "1",
                "evidence-claim": claim.pk,
                "evidence-quote": SENTENCES[source][sentence],
                "evidence-stance": stance,
                "evidence-note": "",
            },
        )

    @rule(
        who=WHO,
        pick=PICK,
        action=st.sampled_from(["submit", "send_back", "publish", "correct", "withdraw", "retract"]),
        verdict=st.sampled_from(VERDICTS),
        note=TEXTS,
    )
    def press_a_workflow_button(self, who, pick, action, verdict, note):
        claim = self._claim(pick)
        if claim is None:
            return
        data = {"verdict": verdict, "rationale": note or "Because the evidence says so.", "comment": note,
                "note": note, "reason": note}  # fmt: skip
        self._post(who, f"/admin/desk/claim/{claim.pk}/workflow/{action}/", data)

    def _save_claim_form(self, who, pick, *, note, statement=None, quote=None, drop=None, stance=None, add=None):
        """The claim's change page with its evidence inline, as the browser would send it,
        with one change made: the statement, the quote, a row dropped, a stance changed,
        a row added."""
        claim = self._claim(pick)
        if claim is None:
            return
        data = claim_form(claim, correction_note=note)
        if statement is not None:
            data["statement"] = statement
        if quote is not None:
            data["quote"] = quote
        rows = data["evidence-INITIAL_FORMS"]
        if rows and drop is not None:
            data[f"evidence-{drop % rows}-DELETE"] = "on"
        if rows and stance is not None:
            data[f"evidence-{stance[0] % rows}-stance"] = stance[1]
        if add is not None:
            src, sentence, add_stance = add
            data.update({
                f"evidence-{rows}-claim": claim.pk, f"evidence-{rows}-source": self.sources[src],
                f"evidence-{rows}-quote": SENTENCES[src][sentence], f"evidence-{rows}-stance": add_stance,
                f"evidence-{rows}-note": "", "evidence-TOTAL_FORMS": rows + 1,
            })  # fmt: skip
        self._post(who, f"/admin/desk/claim/{claim.pk}/change/", data)

    @rule(who=WHO, pick=PICK, statement=TEXTS, note=NOTES)
    def edit_the_statement(self, who, pick, statement, note):
        self._save_claim_form(who, pick, note=note, statement=statement)

    @rule(who=WHO, pick=PICK, sentence=st.integers(0, 3), note=NOTES)
    def edit_the_quote(self, who, pick, sentence, note):
        claim = self._claim(pick)
        if claim is not None:
            quote = SENTENCES[self.sources.index(claim.source_id)][sentence]
            self._save_claim_form(who, pick, note=note, quote=quote)

    @rule(who=WHO, pick=PICK, row=st.integers(0, 5), note=NOTES)
    def drop_an_evidence_row(self, who, pick, row, note):
        self._save_claim_form(who, pick, note=note, drop=row)

    @rule(who=WHO, pick=PICK, row=st.integers(0, 5), stance=st.sampled_from(STANCES), note=NOTES)
    def change_a_stance(self, who, pick, row, stance, note):
        self._save_claim_form(who, pick, note=note, stance=(row, stance))

    @rule(
        who=WHO,
        pick=PICK,
        add=st.tuples(st.integers(0, 2), st.integers(0, 3), st.sampled_from(STANCES)),
        note=NOTES,
    )
    def add_an_evidence_row(self, who, pick, add, note):
        self._save_claim_form(who, pick, note=note, add=add)

    @rule(who=WHO, pick=PICK, other=st.integers(0, 50), stance=st.sampled_from(STANCES))
    def craft_a_post_moving_evidence_to_another_claim(self, who, pick, other, stance):
        evidence = Evidence.objects.order_by("pk")
        if not evidence.exists() or not self.claims:
            return
        item = evidence[pick % evidence.count()]
        target = self.claims[other % len(self.claims)]
        data = {"claim": target, "source": item.source_id, "quote": item.quote, "stance": stance, "note": "moved"}
        self._post(who, f"/admin/desk/evidence/{item.pk}/change/", data)

    @rule(who=WHO, pick=PICK, back=st.integers(1, 5))
    def craft_a_post_restoring_a_past_version(self, who, pick, back):
        """simple-history's page of a past version saves what is POSTed to it."""
        claim = self._claim(pick)
        if claim is None:
            return
        versions = list(claim.history.order_by("-history_id").values_list("history_id", flat=True))
        version = versions[min(back, len(versions) - 1)]
        self._post(who, f"/admin/desk/claim/{claim.pk}/history/{version}/", claim_form(claim, statement="Old."))

    @rule(who=WHO, source=st.integers(0, 2), action=st.sampled_from(["publish", "retract"]))
    def publish_or_retract_a_source(self, who, source, action):
        data = {"note": "The document was shown to be fabricated."}
        self._post(who, f"/admin/desk/source/{self.sources[source]}/workflow/{action}/", data)

    @rule(
        who=WHO,
        source=st.integers(0, 2),
        change=st.sampled_from(["drop_first", "spaces", "quotes", "reword_last"]),
        note=st.sampled_from(["", "We archived the corrected version of the document."]),
    )
    def edit_a_source_text(self, who, source, change, note):
        record = Source.objects.get(pk=self.sources[source])
        text = record.text
        if change == "drop_first":
            text = text.split(". ", 1)[-1]
        elif change == "spaces":
            text = text.replace(" the ", "  the ", 1)
        elif change == "quotes":
            text = text.replace("Trade", "“Trade”", 1)
        else:
            text = re.sub(r"ten percent", "eleven percent", text)
        data = {
            "title": record.title, "publisher": record.publisher, "kind": record.kind,
            "reliability": record.reliability, "url": "", "slug": record.slug, "published_on": "",
            "published_precision": "unknown", "retrieved_on": "", "language": "en", "text": text,
            "seen_version": record.version, "correction_note": note, "_save": "Save",
        }  # fmt: skip
        self._post(who, f"/admin/desk/source/{record.pk}/change/", data)

    # The sequences that break a rule when its check is missing ---------------------------

    def _workflow(self, who: int, claim: Claim, action: str, verdict: str, note: str = "") -> int:
        data = {"verdict": verdict, "rationale": "Because the evidence says so.", "comment": note or "Look again.",
                "note": note or "We corrected the verdict.", "reason": note or "A new document came in."}  # fmt: skip
        return self._post(who, f"/admin/desk/claim/{claim.pk}/workflow/{action}/", data)

    @rule(
        pick=PICK, checker=st.sampled_from(CHECKERS), verdict=st.sampled_from(VERDICTS), stance=st.sampled_from(STANCES)
    )
    def one_who_wrote_some_of_it_presses_publish(self, pick, checker, verdict, stance):
        """Maker-checker (rule 4): a verifier or editor writes some of the claim (adds a
        quote), then tries to publish or correct its verdict."""
        claim = self._claim(pick)
        if claim is None or claim.state not in (State.IN_REVIEW, State.PUBLISHED):
            return
        wrote = [who for who in CHECKERS if self.staff[who].pk in authors(claim)]
        if not wrote:
            note = "We added a quote that bears on the claim." if claim.state == State.PUBLISHED else ""
            self._save_claim_form(checker, pick, note=note, add=(1, pick % 4, stance))
            wrote = [checker] if self.staff[checker].pk in authors(Claim.objects.get(pk=claim.pk)) else []
        for who in wrote:
            claim = Claim.objects.get(pk=claim.pk)
            self._workflow(who, claim, "correct" if claim.state == State.PUBLISHED else "publish", verdict)

    @rule(pick=PICK, verdict=st.sampled_from(VERDICTS))
    def someone_who_wrote_none_of_it_publishes(self, pick, verdict):
        """Whoever may publish the claim tries to, with any verdict (rule 3 decides)."""
        claim = self._claim(pick)
        if claim is None:
            return
        if claim.state == State.DRAFT:
            self._workflow(self._index(claim.drafted_by_id), claim, "submit", verdict)
        claim = Claim.objects.get(pk=claim.pk)
        if claim.state == State.IN_REVIEW:
            free = [who for who in CHECKERS if self.staff[who].pk not in authors(claim)]
            if free:
                self._workflow(free[pick % len(free)], claim, "publish", verdict)

    def _index(self, user_id: int) -> int:
        return next((n for n, user in enumerate(self.staff) if user.pk == user_id), 6)

    @rule(pick=PICK, editor=st.sampled_from([4, 5]), statement=TEXTS)
    def the_publisher_changes_what_it_rests_on(self, pick, editor, statement):
        """An editor publishes a claim's verdict, then edits its statement (rule 4 both ways)."""
        claim = self._claim(pick)
        if claim is None:
            return
        if claim.state == State.IN_REVIEW and self.staff[editor].pk not in authors(claim):
            self._workflow(editor, claim, "publish", claim.verdict if claim.verdict in VERDICTS else VERDICTS[0])
        claim = Claim.objects.get(pk=claim.pk)
        if claim.state == State.PUBLISHED and claim.reviewed_by_id in {self.staff[4].pk, self.staff[5].pk}:
            who = self._index(claim.reviewed_by_id)
            self._save_claim_form(who, pick, note="We reworded the claim.", statement=statement or "Reworded.")

    @rule(source=st.integers(0, 1), editor=st.sampled_from([4, 5]), verdict=st.sampled_from(VERDICTS))
    def retract_a_source_then_publish_its_claims(self, source, editor, verdict):
        """A quoted source is retracted (with a note): the claims resting on it must not
        stay published on it, nor be published again on it (rule 3)."""
        self.publish_or_retract_a_source(editor, source, "retract")
        for claim in Claim.objects.filter(state=State.IN_REVIEW, pk__in=self.claims):
            free = [who for who in CHECKERS if self.staff[who].pk not in authors(claim)]
            if free:
                self._workflow(free[0], claim, "publish", verdict)

    @rule(pick=PICK, sentence=st.integers(-1, 3), stance=st.sampled_from(STANCES))
    def quote_the_claims_own_source(self, pick, sentence, stance):
        """Evidence from the source the claim appears in (-1: its own words), added on
        the claim's page by whoever may change it now (rule 3)."""
        claim = self._claim(pick)
        if claim is None or claim.state == State.RETRACTED:
            return
        who = {State.DRAFT: self._index(claim.drafted_by_id), State.IN_REVIEW: 2}.get(claim.state, 4)
        source = self.sources.index(claim.source_id)
        if sentence < 0:
            sentence = SENTENCES[source].index(claim.quote) if claim.quote in SENTENCES[source] else 0
        note = "We added context from the same document." if claim.state == State.PUBLISHED else ""
        self._save_claim_form(who, pick, note=note, add=(source, sentence, stance))

    @rule(pick=PICK, statement=TEXTS)
    def save_a_form_opened_before_another_save(self, pick, statement):
        """Two staff on one claim: the later save of a stale form is refused (rule 7)."""
        claim = self._claim(pick)
        if claim is None or claim.version < 2 or claim.state == State.RETRACTED:
            return
        who = {State.DRAFT: self._index(claim.drafted_by_id), State.IN_REVIEW: 2}.get(claim.state, 4)
        data = claim_form(claim, statement=f"{statement} A stale rewording.", seen_version=claim.version - 1,
                          correction_note="We reworded the claim.")  # fmt: skip
        status = self._post(who, f"/admin/desk/claim/{claim.pk}/change/", data)
        assert status != 302, f"a stale form of {claim.slug} was saved over a later change"

    # The rules, after every step -----------------------------------------------------------

    def _remember(self):
        self.views = {c.pk: _reader_view(c) for c in Claim.objects.published()}
        self.corrections = {c.pk: c.corrections.count() for c in Claim.objects.published()}

    @invariant()
    def published_verdicts_rest_on_published_evidence(self):
        invariants.published_verdicts_rest_on_published_evidence()

    @invariant()
    def a_claim_is_never_its_own_evidence(self):
        invariants.a_claim_is_never_its_own_evidence()

    @invariant()
    def reader_visible_changes_come_with_a_correction(self):
        for claim in Claim.objects.published():
            if claim.pk in self.views and _reader_view(claim) != self.views[claim.pk]:
                assert claim.corrections.count() > self.corrections[claim.pk], (
                    f"{claim.slug} changed in public without a correction"
                )
        self.ever_published |= set(Claim.objects.exclude(first_published_at=None).values_list("pk", flat=True))
        self._remember()

    @invariant()
    def the_publisher_wrote_none_of_it(self):
        invariants.the_publisher_wrote_none_of_it()

    @invariant()
    def every_anchored_quote_is_where_its_offsets_say(self):
        invariants.every_anchored_quote_is_where_its_offsets_say()

    @invariant()
    def the_event_log_follows_the_public_record(self):
        for record in [*Claim.objects.published(), *Source.objects.published()]:
            seen = snapshot(record)
            self.public_texts |= {seen.title, *_strings(seen.fields)}
        self.public_texts |= set(Correction.objects.published().values_list("note", flat=True))
        # Why a claim was withdrawn is written for readers: its page shows it while under review.
        self.public_texts |= set(Event.objects.filter(kind="withdrawn").values_list("note", flat=True))
        for claim in Claim.objects.all():
            kinds = list(Event.objects.filter(record_type="claim", record_id=claim.pk).values_list("kind", flat=True))
            last = kinds[-1] if kinds else None
            if claim.state == State.PUBLISHED:
                assert last not in (None, "withdrawn", "retracted"), (claim.slug, kinds)
            elif claim.state == State.RETRACTED:
                assert last == "retracted", (claim.slug, kinds)
            else:
                assert last in (None, "withdrawn"), (claim.slug, kinds)
            assert bool(kinds) == (claim.first_published_at is not None), (claim.slug, kinds)
        for event in Event.objects.all():
            for text in (event.title, event.note, *_strings(event.changes)):
                assert not text or text in self.public_texts, f"event {event}: {text!r} was never public"

    @invariant()
    def published_records_are_never_deleted(self):
        existing = set(Claim.objects.filter(pk__in=self.ever_published).values_list("pk", flat=True))
        assert existing == self.ever_published

    @invariant()
    def nothing_unpublished_is_public(self):
        invariants.nothing_unpublished_is_public()

    @invariant()
    def retractions_and_moved_quotes(self):
        invariants.every_retraction_has_a_public_note()
        invariants.no_quote_is_silently_repointed()
        invariants.moved_quotes_are_confirmed_by_someone_else()


@pytest.mark.django_db
def test_the_desk_rules_hold_whatever_the_staff_do():
    run_state_machine_as_test(
        DeskMachine,
        settings=settings(
            max_examples=effort.examples(10, 40, "PROPERTY_EXAMPLES"),
            stateful_step_count=effort.examples(20, 30, "PROPERTY_STEPS"),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            **effort.hypothesis_extras(),
        ),
    )
