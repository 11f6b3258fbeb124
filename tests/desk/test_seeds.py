"""load_seeds: idempotent, all-or-nothing, and loud about what is wrong."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tracker.desk.choices import State
from tracker.desk.models import Agreement, Claim, Correction, Evidence, Meeting, Person, Source
from tracker.desk.seeds import SeedError, load_seeds
from tracker.events.models import Event
from tracker.public.lists import PER_PAGE

SEEDS = Path(settings.BASE_DIR) / "seeds"
# The seeds as a running site loaded them before the issue-11 review (YAML only; the
# archived texts did not change): the upgrade path must publish the review as corrections.
BEFORE_REVIEW = Path(__file__).parent / "seed_snapshots" / "before_review"
# The seeds as they were before the issue-27 audit (already dated), and as older sites
# loaded them, with one undated `correction:` note per record (the format before the
# corrections were dated). The archived texts did not change.
BEFORE_AUDIT = Path(__file__).parent / "seed_snapshots" / "before_audit"
BEFORE_DATES = Path(__file__).parent / "seed_snapshots" / "before_dates"
AUDIT_DAY = "2026-12-07"
TEXT = "The leaders announced a partnership in Gyeongju on Wednesday. Trade talks began.\n"


def write(folder: Path, name: str, data) -> None:
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def small_seeds(tmp_path: Path) -> Path:
    """A minimal seed folder: two sources, one agreement, one meeting, one claim."""
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "sources" / "b.txt").write_text(
        "Reports say the pact was signed in Seoul on Tuesday.\n", encoding="utf-8"
    )
    write(
        tmp_path,
        "sources.yaml",
        [
            {
                "slug": "readout",
                "file": "sources/a.txt",
                "title": "Readout",
                "publisher": "PMO",
                "kind": "official",
                "reliability": "primary",
                "published_on": "2025-11-01",
                "published_precision": "day",
            },
            {
                "slug": "report",
                "file": "sources/b.txt",
                "title": "Report",
                "publisher": "Site",
                "kind": "news",
                "reliability": "unreliable",
            },
        ],
    )
    write(
        tmp_path,
        "reference.yaml",
        {
            "parties": [
                {"code": "CA", "name": "Canada", "kind": "country"},
                {"code": "KR", "name": "Korea", "kind": "country"},
            ],
            "topics": [{"slug": "defence", "name": "Defence"}],
        },
    )
    write(
        tmp_path,
        "people.yaml",
        [
            {
                "slug": "lee",
                "name": "Lee Jae-myung",
                "party": "KR",
                "roles": [{"title": "President of the Republic of Korea", "party": "KR", "start": "2025-06-04"}],
            }
        ],
    )
    write(
        tmp_path,
        "agreements.yaml",
        [
            {
                "slug": "pact",
                "title": "Partnership",
                "kind": "security_defence",
                "parties": ["CA", "KR"],
                "topics": ["defence"],
                "status_history": [{"status": "announced", "date": "2025-10-29", "source": "readout"}],
            }
        ],
    )
    write(
        tmp_path,
        "meetings.yaml",
        [
            {
                "slug": "summit",
                "title": "Summit",
                "start_date": "2025-10-29",
                "format": "bilateral",
                "counterparts": ["KR"],
                "outcome_agreements": ["pact"],
                "sources": ["readout"],
                "participants": [{"person": "lee", "role": "President of the Republic of Korea"}],
            }
        ],
    )
    write(
        tmp_path,
        "claims.yaml",
        [
            {
                "slug": "signed-in-seoul",
                "statement": "The pact was signed in Seoul.",
                "claimant": "Site",
                "source": "report",
                "quote": "the pact was signed in Seoul",
                "verdict": "inaccurate",
                "rationale": "It was announced in Gyeongju.",
                "agreements": ["pact"],
                "meetings": ["summit"],
                "evidence": [
                    {"source": "readout", "quote": "announced a partnership in Gyeongju", "stance": "contradicts"}
                ],
            }
        ],
    )
    return tmp_path


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in (Source, Claim, Evidence, Agreement, Meeting, Person)}


def history_rows() -> int:
    return sum(model.history.count() for model in (Source, Claim, Evidence, Agreement, Meeting, Person))


def test_it_loads_every_kind_of_record_as_published(db, small_seeds):
    load_seeds(small_seeds)
    claim = Claim.objects.get(slug="signed-in-seoul")
    assert claim.state == State.PUBLISHED
    assert claim.evidence.get().quote == "announced a partnership in Gyeongju"
    assert claim.drafted_by != claim.reviewed_by
    assert Agreement.objects.get(slug="pact").current_status == "announced"
    assert Meeting.objects.get(slug="summit").participants.get().role.title == "President of the Republic of Korea"
    assert Source.objects.get(slug="report").published_display == "Date unknown"


def test_loading_twice_changes_nothing(db, small_seeds):
    load_seeds(small_seeds)
    before, history_before = counts(), history_rows()
    assert load_seeds(small_seeds) == 0
    assert counts() == before
    assert history_rows() == history_before


TODAY = timezone.localdate().isoformat()


def correct(row: dict, note: str, *, day: str = TODAY, **changes) -> None:
    """Change a seed row as an editor would: the new values, and a dated correction
    saying what changed, with the values readers saw before (`was`)."""
    was = {name: row.get(name) for name in changes}
    row.update(changes)
    row.setdefault("corrections", []).append({"date": day, "note": note, "was": was})


def test_an_edited_seed_updates_the_record_in_place(db, small_seeds):
    load_seeds(small_seeds)
    data = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    data[0]["rationale"] = "The official readout places the announcement in Gyeongju."
    write(small_seeds, "claims.yaml", data)
    # Readers saw the old rationale: the change is published only with a public note.
    with pytest.raises(SeedError, match="claims.yaml: signed-in-seoul: .*add an entry to its `corrections:` list"):
        load_seeds(small_seeds)
    assert Claim.objects.get(slug="signed-in-seoul").rationale == "It was announced in Gyeongju."

    data[0]["rationale"] = "It was announced in Gyeongju."
    note = "We now cite the official readout for the place of the announcement."
    correct(data[0], note, rationale="The official readout places the announcement in Gyeongju.")
    write(small_seeds, "claims.yaml", data)
    assert load_seeds(small_seeds) > 0
    claim = Claim.objects.get(slug="signed-in-seoul")
    assert claim.rationale.startswith("The official readout")
    assert claim.state == State.PUBLISHED
    assert Claim.objects.count() == 1
    assert [c.note for c in Correction.objects.published().filter(claim=claim)] == [note]
    assert load_seeds(small_seeds) == 0  # the note does not make the next load change anything


def test_a_correction_note_already_published_does_not_cover_a_later_change(db, small_seeds):
    data = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    load_seeds(small_seeds)
    correct(data[0], "We now cite the readout.", rationale="The readout places it in Gyeongju.")
    write(small_seeds, "claims.yaml", data)
    load_seeds(small_seeds)
    # A later edit that keeps the old note would republish it for a change it does not describe.
    data[0]["rationale"] = "The official readout places the announcement in Gyeongju."
    write(small_seeds, "claims.yaml", data)
    with pytest.raises(SeedError, match="add an entry .*already published for an earlier change"):
        load_seeds(small_seeds)
    data[0]["rationale"] = "The readout places it in Gyeongju."
    correct(
        data[0], "We reworded the rationale.", rationale="The official readout places the announcement in Gyeongju."
    )
    write(small_seeds, "claims.yaml", data)
    assert load_seeds(small_seeds) > 0
    claim = Claim.objects.get(slug="signed-in-seoul")
    assert [c.note for c in claim.corrections.order_by("pk")] == [
        "We now cite the readout.",
        "We reworded the rationale.",
    ]


def test_a_seed_that_changes_the_evidence_and_the_verdict_together_is_one_correction(db, small_seeds):
    load_seeds(small_seeds)
    data = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    # Neither change alone would leave the verdict resting on its evidence.
    evidence = [{**data[0]["evidence"][0], "stance": "supports"}]
    correct(data[0], "We misread the readout: it confirms the claim.", verdict="accurate",
            rationale="The readout, read again, confirms it.", evidence=evidence)  # fmt: skip
    write(small_seeds, "claims.yaml", data)
    assert load_seeds(small_seeds) > 0
    claim = Claim.objects.get(slug="signed-in-seoul")
    assert (claim.state, claim.verdict) == (State.PUBLISHED, "accurate")
    assert claim.evidence.get().stance == "supports"
    assert [c.note for c in Correction.objects.published().filter(claim=claim)] == [data[0]["corrections"][0]["note"]]
    # Readers saw one change: no withdrawal, no second publication.
    events = Event.objects.filter(record_type="claim", record_id=claim.pk).order_by("id")
    assert [(e.kind, e.note) for e in events] == [
        ("published", ""),
        ("verdict_corrected", "We misread the readout: it confirms the claim."),
    ]
    assert load_seeds(small_seeds) == 0


def test_an_edited_published_source_text_needs_a_correction_note(db, small_seeds):
    load_seeds(small_seeds)
    old = (small_seeds / "sources" / "b.txt").read_text(encoding="utf-8")
    (small_seeds / "sources" / "b.txt").write_text(old + "The site later added this line.\n", encoding="utf-8")
    with pytest.raises(SeedError, match="sources.yaml: report: .*correction note"):
        load_seeds(small_seeds)
    (small_seeds / "sources" / "b-as-first-archived.txt").write_text(old, encoding="utf-8")
    data = yaml.safe_load((small_seeds / "sources.yaml").read_text())
    correct(data[1], "The site added a line to its report.")
    data[1]["corrections"][0]["was"] = {"file": "sources/b-as-first-archived.txt"}
    write(small_seeds, "sources.yaml", data)
    assert load_seeds(small_seeds) > 0
    report = Source.objects.get(slug="report")
    assert report.text.endswith("The site later added this line.\n")
    assert Correction.objects.published().get(source=report).note == "The site added a line to its report."
    # The claim's quote still occurs: it stays published, re-anchored in the new text.
    claim = Claim.objects.get(slug="signed-in-seoul")
    assert claim.state == State.PUBLISHED and report.text[claim.start : claim.end] == claim.quote
    assert load_seeds(small_seeds) == 0


def test_an_edited_published_agreement_or_meeting_is_corrected_in_public(db, small_seeds):
    load_seeds(small_seeds)
    agreements = yaml.safe_load((small_seeds / "agreements.yaml").read_text())
    steps = [{**agreements[0]["status_history"][0], "status": "under_negotiation"}]
    agreements[0].update(summary="Announced; no text is public.", binding=False, status_history=steps)
    write(small_seeds, "agreements.yaml", agreements)
    with pytest.raises(SeedError, match="agreements.yaml: pact: this agreement is published, .*add an entry"):
        load_seeds(small_seeds)
    assert Agreement.objects.get(slug="pact").current_status == "announced"

    announced = [{**steps[0], "status": "announced"}]
    agreements[0]["corrections"] = [
        {"date": TODAY, "note": "The readout reports talks under way, not an announcement.",
         "was": {"summary": None, "binding": False, "status_history": announced}}
    ]  # fmt: skip
    meetings = yaml.safe_load((small_seeds / "meetings.yaml").read_text())
    correct(meetings[0], "We added what the meeting is known for.", significance="Where the partnership was announced.")
    write(small_seeds, "agreements.yaml", agreements)
    write(small_seeds, "meetings.yaml", meetings)
    assert load_seeds(small_seeds) > 0
    pact, summit = Agreement.objects.get(slug="pact"), Meeting.objects.get(slug="summit")
    assert (pact.state, pact.current_status, pact.summary) == (
        State.PUBLISHED,
        "under_negotiation",
        agreements[0]["summary"],
    )
    assert [c.note for c in Correction.objects.published().filter(agreement=pact)] == [
        agreements[0]["corrections"][0]["note"]
    ]
    assert [c.note for c in Correction.objects.published().filter(meeting=summit)] == [
        meetings[0]["corrections"][0]["note"]
    ]
    assert load_seeds(small_seeds) == 0

    # What a record links to is not what readers are told about it: no note needed.
    meetings[0]["sources"] = ["readout", "report"]
    write(small_seeds, "meetings.yaml", meetings)
    assert load_seeds(small_seeds) > 0
    assert Meeting.objects.get(slug="summit").sources.count() == 2
    assert Correction.objects.filter(meeting=summit).count() == 1


def test_a_seed_in_the_older_format_with_one_undated_note_still_loads(db, small_seeds):
    data = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    load_seeds(small_seeds)
    data[0].update(rationale="The readout places it in Gyeongju.", correction="We now cite the readout.")
    write(small_seeds, "claims.yaml", data)
    before = timezone.now()
    assert load_seeds(small_seeds) == 1
    claim = Claim.objects.get(slug="signed-in-seoul")
    correction = claim.corrections.get()
    assert correction.note == "We now cite the readout." and correction.created_at >= before
    event = Event.objects.filter(record_type="claim", record_id=claim.pk).latest("id")
    assert (event.kind, event.note, event.at) == ("corrected", correction.note, correction.created_at)
    assert load_seeds(small_seeds) == 0


# The seeded record's past --------------------------------------------------------------------


def history_of(slug: str) -> list[tuple[str, str, str]]:
    claim = Claim.objects.get(slug=slug)
    events = Event.objects.filter(record_type="claim", record_id=claim.pk).order_by("id")
    return [(e.kind, e.at.date().isoformat(), e.note) for e in events]


@pytest.fixture
def dated_seeds(small_seeds: Path) -> Path:
    """The small seeds with a past: published on 3 November 2025, corrected on the 20th."""
    data = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    data[0]["published"] = "2025-11-03"
    evidence = [{**data[0]["evidence"][0], "stance": "supports"}]
    correct(data[0], "We misread the readout: it confirms the claim.", day="2025-11-20", verdict="accurate",
            rationale="The readout, read again, confirms it.", evidence=evidence)  # fmt: skip
    write(small_seeds, "claims.yaml", data)
    for name in ("sources.yaml", "agreements.yaml", "meetings.yaml", "people.yaml", "reference.yaml"):
        data = yaml.safe_load((small_seeds / name).read_text())
        for row in data if isinstance(data, list) else [*data["parties"], *data["topics"]]:
            row["published"] = "2025-11-02"
        write(small_seeds, name, data)
    return small_seeds


def test_a_fresh_load_publishes_each_record_and_correction_on_its_day(db, dated_seeds, client):
    load_seeds(dated_seeds)
    claim = Claim.objects.get(slug="signed-in-seoul")
    assert history_of("signed-in-seoul") == [
        ("published", "2025-11-03", ""),
        ("verdict_corrected", "2025-11-20", "We misread the readout: it confirms the claim."),
    ]
    correction = claim.corrections.get()
    assert correction.created_at == Event.objects.get(note=correction.note).at
    assert claim.first_published_at.date() == dt.date(2025, 11, 3)
    assert claim.verdict_published_at.date() == dt.date(2025, 11, 20)
    assert Source.objects.get(slug="readout").first_published_at.date() == dt.date(2025, 11, 2)
    # The change feed's ids follow the days.
    ats = list(Event.objects.order_by("id").values_list("at", flat=True))
    assert ats == sorted(ats)

    # The record as it stood: before publication, between, after.
    api = "/api/v1/claims/signed-in-seoul/"
    assert client.get(api, {"as_of": "2025-11-02"}).status_code == 404
    assert client.get(api, {"as_of": "2025-11-05"}).json()["verdict"]["value"] == "inaccurate"
    assert client.get(api, {"as_of": "2025-11-20"}).json()["verdict"]["value"] == "accurate"
    page = client.get("/claims/signed-in-seoul/", {"as_of": "2025-11-05"}).content.decode()
    assert "It was announced in Gyeongju." in page and "read again" not in page


def test_loading_the_earlier_seeds_then_these_gives_the_history_of_a_fresh_load(db, dated_seeds, tmp_path):
    with transaction.atomic():
        load_seeds(dated_seeds)
        fresh = event_history()
        transaction.set_rollback(True)
    earlier = tmp_path / "earlier"
    shutil.copytree(dated_seeds, earlier)
    claims = yaml.safe_load((earlier / "claims.yaml").read_text())
    del claims[0]["corrections"]
    claims[0].update(verdict="inaccurate", rationale="It was announced in Gyeongju.")
    claims[0]["evidence"][0]["stance"] = "contradicts"
    write(earlier, "claims.yaml", claims)
    load_seeds(earlier)
    load_seeds(dated_seeds)
    assert event_history() == fresh
    assert "withdrawn" not in {kind for _type, _slug, kind, _at, _note in fresh}


def test_a_claim_first_published_before_the_sources_it_quotes_publishes_them_with_it(db, small_seeds):
    # Found by the property test below: the sources' own publication, later, was refused.
    claims = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    claims[0]["published"] = "2025-11-03"  # the sources keep the first file's day, 12 November
    write(small_seeds, "claims.yaml", claims)
    load_seeds(small_seeds)
    for slug in ("readout", "report"):
        assert Source.objects.get(slug=slug).first_published_at.date() == dt.date(2025, 11, 3)
    assert load_seeds(small_seeds) == 0


# A claim's possible versions: (verdict, the readout passage's stance), each a valid pair.
VERSIONS = [("inaccurate", "contradicts"), ("unsupported", "context"), ("accurate", "supports"),
            ("mostly_accurate", "supports"), ("unsupported", "contradicts")]  # fmt: skip


def with_history(folder: Path, versions: list[int], gaps: list[int]) -> None:
    """Rewrite the small seeds' claim as first published in VERSIONS[versions[0]] on 3
    November 2025, then corrected into each next version after `gaps` days."""
    claims = yaml.safe_load((folder / "claims.yaml").read_text())
    row = claims[0]
    day = dt.date(2025, 11, 3)
    row.update(published=day.isoformat(), corrections=[])
    for number, version in enumerate(versions):
        verdict, stance = VERSIONS[version]
        values = {"verdict": verdict, "rationale": f"Version {number}.",
                  "evidence": [{**row["evidence"][0], "stance": stance}]}  # fmt: skip
        if number == 0:
            row.update(values)
            continue
        day += dt.timedelta(days=gaps[number - 1])
        correct(row, f"Correction {number}.", day=day.isoformat(), **values)
    write(folder, "claims.yaml", claims)


@hsettings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    versions=st.lists(st.integers(0, len(VERSIONS) - 1), min_size=2, max_size=4),
    gaps=st.lists(st.integers(0, 40), min_size=3, max_size=3),
    data=st.data(),
)
def test_any_earlier_version_then_the_seeds_gives_the_history_of_a_fresh_load(
    db, small_seeds, tmp_path, versions, gaps, data
):
    # Consecutive versions differ, as a correction changes something.
    versions = [v for i, v in enumerate(versions) if i == 0 or v != versions[i - 1]]
    seen = data.draw(st.integers(1, len(versions)), label="versions a site loaded before")
    latest, earlier = tmp_path / "latest", tmp_path / "earlier"
    for folder, upto in ((latest, len(versions)), (earlier, seen)):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(small_seeds, folder)
        with_history(folder, versions[:upto], gaps)
    with transaction.atomic():
        load_seeds(latest)
        fresh = event_history()
        transaction.set_rollback(True)
    with transaction.atomic():
        load_seeds(earlier)
        load_seeds(latest)
        assert event_history() == fresh
        assert load_seeds(latest) == 0
        transaction.set_rollback(True)
    kinds = [kind for _type, slug, kind, _day, _note in fresh if slug == "signed-in-seoul"]
    assert len(kinds) == len(versions) and "withdrawn" not in kinds


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda row: row.update(published="2999-01-01"), "published 2999-01-01 is in the future"),
        (lambda row: correct(row, "Later.", day="2999-01-01", rationale="New."), "is dated 2999-01-01, in the future"),
        (lambda row: correct(row, "Early.", day="2020-01-01", rationale="New."), "before the record's previous"),
        (lambda row: correct(row, "", rationale="New."), "correction 1 has no note"),
        (lambda row: correct(row, "Why.", rationale="New.") or row["corrections"][0].pop("date"), "has no date"),
        (lambda row: correct(row, "Why.", slug="renamed"), "`was` may hold"),
        (lambda row: correct(row, "Why.", rationale="New.") or row.update(correction="Also."), "not also"),
        (
            lambda row: correct(row, "Why.", rationale="New.") or correct(row, "Why.", rationale="Newer."),
            "repeats the note",
        ),
    ],
)
def test_a_seeded_history_that_cannot_be_true_is_refused_and_changes_nothing(db, small_seeds, change, expected):
    data = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    change(data[0])
    write(small_seeds, "claims.yaml", data)
    with pytest.raises(SeedError, match=expected):
        load_seeds(small_seeds)
    assert all(n == 0 for n in counts().values()) and not Event.objects.exists()


def event_history() -> list[tuple[str, str, str, str, str]]:
    """The change feed as a partner reads it, less the ids: (type, record, kind, day, note)."""
    return sorted((e.record_type, e.record_slug, e.kind, e.at.date().isoformat(), e.note) for e in Event.objects.all())


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "claims.yaml",
            lambda d: d[0]["evidence"][0].update(quote="signed a treaty in Ottawa"),
            "claims.yaml: signed-in-seoul: evidence quote",
        ),
        (
            "claims.yaml",
            lambda d: d[0].update(meetings=["no-such-meeting"]),
            "claims.yaml: signed-in-seoul: unknown meeting 'no-such-meeting'",
        ),
        (
            "claims.yaml",
            lambda d: d[0]["evidence"][0].update(stance="supports"),
            "claims.yaml: signed-in-seoul: “Inaccurate” needs at least one piece of evidence that contradicts",
        ),
        (
            "meetings.yaml",
            lambda d: d[0]["participants"][0].update(role="Prime Minister of Canada"),
            "meetings.yaml: summit: Lee Jae-myung did not hold the role",
        ),
        (
            "agreements.yaml",
            lambda d: d[0]["status_history"][0].update(status="ratified"),
            "agreements.yaml: pact: status 'ratified' is not one of",
        ),
        (
            "sources.yaml",
            lambda d: d[0].update(published_on="1 November"),
            "sources.yaml: readout: published_on must be a date",
        ),
    ],
)
def test_a_broken_seed_file_aborts_naming_the_file_and_record_and_changes_nothing(
    db, small_seeds, file, change, expected
):
    data = yaml.safe_load((small_seeds / file).read_text())
    change(data)
    write(small_seeds, file, data)
    with pytest.raises(SeedError) as excinfo:
        load_seeds(small_seeds)
    assert expected in str(excinfo.value)
    assert all(n == 0 for n in counts().values())


def test_a_broken_seed_leaves_an_already_loaded_database_as_it_was(db, small_seeds):
    load_seeds(small_seeds)
    before, history_before = counts(), history_rows()
    data = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    data[0]["rationale"] = "Changed."
    data[0]["correction"] = "We changed the rationale."
    data.append({**data[0], "slug": "second", "quote": "not in the report at all"})
    write(small_seeds, "claims.yaml", data)
    with pytest.raises(SeedError, match="claims.yaml: second: claim quote"):
        load_seeds(small_seeds)
    assert counts() == before and history_rows() == history_before
    assert not Correction.objects.exists()
    assert Claim.objects.get(slug="signed-in-seoul").rationale == "It was announced in Gyeongju."


def test_a_file_that_is_not_yaml_is_reported(db, small_seeds):
    (small_seeds / "people.yaml").write_text("- slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(SeedError, match="people.yaml: .*not valid YAML"):
        load_seeds(small_seeds)


def test_the_command_reports_a_broken_seed_as_a_command_error(db, small_seeds):
    (small_seeds / "meetings.yaml").unlink()
    with pytest.raises(CommandError, match="Seeds not loaded, nothing changed. meetings.yaml: .*missing"):
        call_command("load_seeds", folder=small_seeds)


def seed_notes(folder: Path) -> dict[tuple[str, str], list[str]]:
    """(record kind, slug) -> the correction notes its seed gives, oldest first."""
    notes = {}
    for name, kind in (("claims.yaml", "claim"), ("agreements.yaml", "agreement"), ("meetings.yaml", "meeting")):
        for row in yaml.safe_load((folder / name).read_text(encoding="utf-8")):
            if row.get("corrections"):
                notes[(kind, row["slug"])] = [" ".join(c["note"].split()) for c in row["corrections"]]
    return notes


def published_notes() -> dict[tuple[str, str], list[str]]:
    notes = {}
    for correction in Correction.objects.published().select_related("claim", "agreement", "meeting"):
        record = correction.record
        notes.setdefault((record._meta.model_name, record.slug), []).append((correction.created_at, correction.note))
    return {key: [note for _at, note in sorted(found)] for key, found in notes.items()}


def corrections_pages_text(client) -> str:
    pages = -(-Correction.objects.published().count() // PER_PAGE)
    return "".join(client.get("/corrections/", {"page": n}).content.decode() for n in range(1, pages + 1))


def _status(steps: list[dict] | None) -> str:
    latest = max(enumerate(steps or []), key=lambda pair: (str(pair[1]["date"]), pair[0]), default=None)
    return latest[1]["status"] if latest else ""


def seeded_events(folder: Path) -> list[tuple[str, str, str, str, str]]:
    """The change feed the seeds describe, as event_history() reads it: each record's
    first publication, then each correction on its day, of the kind the event log
    gives such a change (a verdict, an agreement's status, a person's roles, else a
    correction)."""
    files = {"sources.yaml": "source", "people.yaml": "person", "agreements.yaml": "agreement",
             "meetings.yaml": "meeting", "claims.yaml": "claim"}  # fmt: skip
    events = []
    reference = yaml.safe_load((folder / "reference.yaml").read_text(encoding="utf-8"))
    for kind, rows, key in (("party", reference["parties"], "code"), ("topic", reference["topics"], "slug")):
        events += [(kind, row[key], "published", str(row.get("published", "2025-11-12")), "") for row in rows]
    for name, kind in files.items():
        for row in yaml.safe_load((folder / name).read_text(encoding="utf-8")):
            events.append((kind, row["slug"], "published", str(row.get("published", "2025-11-12")), ""))
            after = {**row}
            for correction in reversed(row.get("corrections", [])):
                before = {**after, **correction["was"]}
                if kind == "claim" and before["verdict"] != after["verdict"]:
                    change = "verdict_corrected"
                elif kind == "agreement" and _status(before["status_history"]) != _status(after["status_history"]):
                    change = "status_changed"
                elif kind == "person" and before.get("roles") != after.get("roles"):
                    change = "roles_changed"
                else:
                    change = "corrected"
                note = " ".join(correction["note"].split())
                events.append((kind, row["slug"], change, str(correction["date"]), note))
                after = before
    return sorted(events)


class TestTheDesksSeeds:
    def test_they_load_afresh_with_their_past_and_reload_without_change(self, db, tmp_path, client):
        folder = tmp_path / "seeds"
        shutil.copytree(SEEDS, folder)
        call_command("load_seeds", folder=folder)
        before, history_before = counts(), history_rows()
        assert load_seeds(folder) == 0
        assert counts() == before and history_rows() == history_before
        # Loaded afresh, the record shows every correction the seeds give, each on its
        # day and each announced by one event of the change feed, on the same day.
        assert published_notes() == seed_notes(SEEDS)
        assert event_history() == seeded_events(SEEDS)
        for correction in Correction.objects.all():
            record = correction.record
            events = Event.objects.filter(
                record_id=record.pk, record_type=record._meta.model_name, note=correction.note
            )
            assert [event.at for event in events] == [correction.created_at]
        ats = list(Event.objects.order_by("id").values_list("at", flat=True))
        assert ats == sorted(ats)
        page = corrections_pages_text(client)
        assert all(escape(note) in page for notes in seed_notes(SEEDS).values() for note in notes)
        feed = client.get("/api/v1/events/", {"type": "claim", "page_size": 200}).json()["results"]
        assert {"corrected", "verdict_corrected"} <= {event["kind"] for event in feed}
        assert "withdrawn" not in {event["kind"] for event in feed}

        # A claim as it stood: first published on 12 November 2025, corrected a year later.
        api = "/api/v1/claims/s3-xi-meeting-expected/"
        assert client.get(api, {"as_of": "2025-11-03"}).status_code == 404
        assert client.get(api, {"as_of": "2025-11-20"}).json()["verdict"]["value"] == "accurate"
        assert client.get(api, {"as_of": "2026-11-22"}).json()["verdict"]["value"] == "unsupported"

        # Enough claims on the five documents.
        assert Source.objects.published().count() == 5
        assert Claim.objects.published().count() >= 30
        for source in Source.objects.all():
            assert source.claims.count() >= 5, f"too few claims from {source}"
        # The contradicting report is the desk's main subject.
        report = Source.objects.get(text__startswith="Canada and South Korea signed")
        assert report.reliability == "unreliable"
        assert report.claims.filter(verdict="inaccurate").exists()
        # Every quote is anchored exactly where the stored offsets say.
        for evidence in Evidence.objects.select_related("source"):
            assert evidence.source.text[evidence.start : evidence.end] == evidence.quote

    def test_a_site_loaded_before_the_review_takes_it_as_public_corrections(self, db, tmp_path, client):
        folder = tmp_path / "seeds"
        shutil.copytree(SEEDS, folder)
        for path in BEFORE_REVIEW.glob("*.yaml"):
            shutil.copy(path, folder / path.name)
        load_seeds(folder)
        assert not Correction.objects.exists()
        assert Claim.objects.get(slug="s3-xi-meeting-expected").verdict == "accurate"
        assert Agreement.objects.get(slug="ca-th-free-trade-agreement").current_status == "under_negotiation"

        assert load_seeds(SEEDS) > 0
        # The same public history as a site loaded afresh: no withdrawal readers never saw.
        assert event_history() == seeded_events(SEEDS)
        assert published_notes() == seed_notes(SEEDS)
        assert set(Claim.objects.values_list("state", flat=True)) == {State.PUBLISHED}
        assert Claim.objects.get(slug="s3-xi-meeting-expected").verdict == "unsupported"
        thailand = Agreement.objects.get(slug="ca-th-free-trade-agreement")
        assert (thailand.current_status, thailand.binding) == ("announced", False)
        assert Agreement.objects.get(slug="ca-id-comprehensive-economic-partnership-agreement").current_status == ""
        assert Person.objects.get(slug="justin-trudeau").roles.count() == 2
        assert (
            Meeting.objects.filter(
                slug__in=["carney-hanwha-ocean-geoje-2025-10-30", "carney-investors-korea-2025"]
            ).count()
            == 2
        )
        page = corrections_pages_text(client)
        assert all(escape(note) in page for notes in seed_notes(SEEDS).values() for note in notes)
        assert load_seeds(SEEDS) == 0

    def test_a_site_loaded_before_the_audit_takes_it_with_the_history_of_a_fresh_site(self, db, tmp_path):
        folder = tmp_path / "seeds"
        shutil.copytree(SEEDS, folder)
        for path in BEFORE_AUDIT.glob("*.yaml"):
            shutil.copy(path, folder / path.name)
        load_seeds(folder)
        assert Claim.objects.get(slug="s4-defence-agreement-signed").verdict == "inaccurate"

        assert load_seeds(SEEDS) > 0
        assert event_history() == seeded_events(SEEDS)
        # The audit's corrections: 25 claims, 5 agreements, 3 meetings and a person.
        assert len([event for event in event_history() if event[3] == AUDIT_DAY]) == 34
        claim = Claim.objects.get(slug="s4-defence-agreement-signed")
        assert (claim.state, claim.verdict) == (State.PUBLISHED, "unsupported")
        assert set(claim.evidence.values_list("stance", flat=True)) == {"context"}
        assert Agreement.objects.get(slug="ca-cl-strategic-partnership").current_status == ""
        assert not Agreement.objects.get(slug="ca-id-comprehensive-economic-partnership-agreement").binding
        chong = Person.objects.get(slug="michael-chong").roles.get()
        assert chong.start_date == dt.date(2020, 9, 8)
        signed = Claim.objects.get(slug="s0-signed-investment-tech-agreements")
        assert "carney-investors-korea-2025" not in set(signed.meetings.values_list("slug", flat=True))
        assert load_seeds(SEEDS) == 0

    def test_a_site_loaded_from_the_undated_notes_keeps_them_and_takes_the_audit_on_its_day(self, db, tmp_path):
        folder = tmp_path / "seeds"
        shutil.copytree(SEEDS, folder)
        for path in BEFORE_DATES.glob("*.yaml"):
            shutil.copy(path, folder / path.name)
        load_seeds(folder)
        loaded = event_history()
        # The older format gives neither days nor earlier values: its notes are published
        # as loaded, one event each, and never with a withdrawal.
        assert published_notes() == seed_notes(BEFORE_AUDIT)  # the same notes, there dated
        assert "withdrawn" not in {kind for _type, _slug, kind, _day, _note in loaded}

        assert load_seeds(SEEDS) > 0
        added = sorted(set(event_history()) - set(loaded))
        audit = [event for event in seeded_events(SEEDS) if event[3] == AUDIT_DAY]
        # Each on its own day, unless readers already saw a later change of the record
        # (here: its undated notes, published the day the older site loaded them): a
        # history never goes back, so that correction is dated when it is loaded.
        last_seen = {}
        for record_type, slug, _kind, day, _note in loaded:
            last_seen[record_type, slug] = max(day, last_seen.get((record_type, slug), ""))
        assert sorted(e[:3] + e[4:] for e in added) == sorted(e[:3] + e[4:] for e in audit)
        for event in added:
            seen = last_seen.get(event[:2], "")
            assert event[3] == AUDIT_DAY if seen <= AUDIT_DAY else event[3] >= seen, event
        assert published_notes() == seed_notes(SEEDS)
        for correction in Correction.objects.all():
            kind = correction.record._meta.model_name
            events = Event.objects.filter(record_type=kind, record_id=correction.record.pk, note=correction.note)
            assert [event.at for event in events] == [correction.created_at]

    def test_no_claim_rests_on_its_own_source_alone(self):
        # A source's own passages are not evidence for its own claim: every seeded claim
        # quotes at least one other source, as context where nothing else speaks to it.
        claims = yaml.safe_load((SEEDS / "claims.yaml").read_text(encoding="utf-8"))
        alone = [c["slug"] for c in claims if all(e["source"] == c["source"] for e in c["evidence"])]
        assert alone == []
        snapshot = yaml.safe_load((BEFORE_REVIEW / "claims.yaml").read_text(encoding="utf-8"))
        assert len([c for c in snapshot if all(e["source"] == c["source"] for e in c["evidence"])]) == 4
