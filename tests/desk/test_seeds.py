"""load_seeds: idempotent, all-or-nothing, and loud about what is wrong."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils.html import escape

from tracker.desk.choices import State
from tracker.desk.models import Agreement, Claim, Correction, Evidence, Meeting, Person, Source
from tracker.desk.seeds import SeedError, load_seeds
from tracker.public.lists import PER_PAGE

SEEDS = Path(settings.BASE_DIR) / "seeds"
# The seeds as a running site loaded them before the issue-11 review (YAML only; the
# archived texts did not change): the upgrade path must publish the review as corrections.
BEFORE_REVIEW = Path(__file__).parent / "seed_snapshots" / "before_review"
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


def test_an_edited_seed_updates_the_record_in_place(db, small_seeds):
    load_seeds(small_seeds)
    data = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    data[0]["rationale"] = "The official readout places the announcement in Gyeongju."
    write(small_seeds, "claims.yaml", data)
    # Readers saw the old rationale: the change is published only with a public note.
    with pytest.raises(SeedError, match="claims.yaml: signed-in-seoul: .*add `correction: "):
        load_seeds(small_seeds)
    assert Claim.objects.get(slug="signed-in-seoul").rationale == "It was announced in Gyeongju."

    data[0]["correction"] = "We now cite the official readout for the place of the announcement."
    write(small_seeds, "claims.yaml", data)
    assert load_seeds(small_seeds) > 0
    claim = Claim.objects.get(slug="signed-in-seoul")
    assert claim.rationale.startswith("The official readout")
    assert claim.state == State.PUBLISHED
    assert Claim.objects.count() == 1
    assert [c.note for c in Correction.objects.published().filter(claim=claim)] == [data[0]["correction"]]
    assert load_seeds(small_seeds) == 0  # the note does not make the next load change anything


def test_a_correction_note_already_published_does_not_cover_a_later_change(db, small_seeds):
    data = yaml.safe_load((small_seeds / "claims.yaml").read_text())
    load_seeds(small_seeds)
    data[0].update(rationale="The readout places it in Gyeongju.", correction="We now cite the readout.")
    write(small_seeds, "claims.yaml", data)
    load_seeds(small_seeds)
    # A later edit that keeps the old note would republish it for a change it does not describe.
    data[0]["rationale"] = "The official readout places the announcement in Gyeongju."
    write(small_seeds, "claims.yaml", data)
    with pytest.raises(SeedError, match="add `correction: .*already published for an earlier change"):
        load_seeds(small_seeds)
    data[0]["correction"] = "We reworded the rationale."
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
    data[0].update(verdict="accurate", rationale="The readout, read again, confirms it.")
    data[0]["evidence"][0]["stance"] = "supports"
    data[0]["correction"] = "We misread the readout: it confirms the claim."
    write(small_seeds, "claims.yaml", data)
    assert load_seeds(small_seeds) > 0
    claim = Claim.objects.get(slug="signed-in-seoul")
    assert (claim.state, claim.verdict) == (State.PUBLISHED, "accurate")
    assert claim.evidence.get().stance == "supports"
    assert [c.note for c in Correction.objects.published().filter(claim=claim)] == [data[0]["correction"]]
    assert load_seeds(small_seeds) == 0


def test_an_edited_published_source_text_needs_a_correction_note(db, small_seeds):
    load_seeds(small_seeds)
    (small_seeds / "sources" / "b.txt").write_text(
        "Reports say the pact was signed in Seoul on Tuesday.\nThe site later added this line.\n", encoding="utf-8"
    )
    with pytest.raises(SeedError, match="sources.yaml: report: .*correction note"):
        load_seeds(small_seeds)
    data = yaml.safe_load((small_seeds / "sources.yaml").read_text())
    data[1]["correction"] = "The site added a line to its report."
    write(small_seeds, "sources.yaml", data)
    assert load_seeds(small_seeds) > 0
    report = Source.objects.get(slug="report")
    assert report.text.endswith("The site later added this line.\n")
    assert Correction.objects.published().get(source=report).note == "The site added a line to its report."
    # The claim's quote still occurs: it stays published, re-anchored in the new text.
    claim = Claim.objects.get(slug="signed-in-seoul")
    assert claim.state == State.PUBLISHED and report.text[claim.start : claim.end] == claim.quote


def test_an_edited_published_agreement_or_meeting_is_corrected_in_public(db, small_seeds):
    load_seeds(small_seeds)
    agreements = yaml.safe_load((small_seeds / "agreements.yaml").read_text())
    agreements[0].update(summary="Announced; no text is public.", binding=False)
    agreements[0]["status_history"][0]["status"] = "under_negotiation"
    write(small_seeds, "agreements.yaml", agreements)
    with pytest.raises(SeedError, match="agreements.yaml: pact: this agreement is published, .*add `correction: "):
        load_seeds(small_seeds)
    assert Agreement.objects.get(slug="pact").current_status == "announced"

    agreements[0]["correction"] = "The readout reports talks under way, not an announcement."
    meetings = yaml.safe_load((small_seeds / "meetings.yaml").read_text())
    meetings[0]["significance"] = "Where the partnership was announced."
    meetings[0]["correction"] = "We added what the meeting is known for."
    write(small_seeds, "agreements.yaml", agreements)
    write(small_seeds, "meetings.yaml", meetings)
    assert load_seeds(small_seeds) > 0
    pact, summit = Agreement.objects.get(slug="pact"), Meeting.objects.get(slug="summit")
    assert (pact.state, pact.current_status, pact.summary) == (
        State.PUBLISHED,
        "under_negotiation",
        agreements[0]["summary"],
    )
    assert [c.note for c in Correction.objects.published().filter(agreement=pact)] == [agreements[0]["correction"]]
    assert [c.note for c in Correction.objects.published().filter(meeting=summit)] == [meetings[0]["correction"]]
    assert load_seeds(small_seeds) == 0

    # What a record links to is not what readers are told about it: no note needed.
    meetings[0]["sources"] = ["readout", "report"]
    del meetings[0]["correction"]
    write(small_seeds, "meetings.yaml", meetings)
    assert load_seeds(small_seeds) > 0
    assert Meeting.objects.get(slug="summit").sources.count() == 2
    assert Correction.objects.filter(meeting=summit).count() == 1


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


def seed_notes(folder: Path) -> dict[tuple[str, str], str]:
    """(record kind, slug) -> the `correction` note of each seed record that has one."""
    notes = {}
    for name, kind in (("claims.yaml", "claim"), ("agreements.yaml", "agreement"), ("meetings.yaml", "meeting")):
        for row in yaml.safe_load((folder / name).read_text(encoding="utf-8")):
            if row.get("correction"):
                notes[(kind, row["slug"])] = row["correction"].strip()
    return notes


def published_notes() -> dict[tuple[str, str], str]:
    notes = {}
    for correction in Correction.objects.published().select_related("claim", "agreement", "meeting"):
        record = correction.record
        key = (record._meta.model_name, record.slug)
        assert key not in notes, f"{key} corrected twice"
        notes[key] = correction.note
    return notes


def corrections_pages_text(client) -> str:
    pages = -(-Correction.objects.published().count() // PER_PAGE)
    return "".join(client.get("/corrections/", {"page": n}).content.decode() for n in range(1, pages + 1))


class TestTheDesksSeeds:
    def test_they_load_and_reload_without_change(self, db, tmp_path, client):
        folder = tmp_path / "seeds"
        shutil.copytree(SEEDS, folder)
        call_command("load_seeds", folder=folder)
        before, history_before = counts(), history_rows()
        assert load_seeds(folder) == 0
        assert counts() == before and history_rows() == history_before
        # Loaded afresh, the record shows the same corrections as a site that saw them.
        assert published_notes() == seed_notes(SEEDS)
        page = corrections_pages_text(client)
        assert all(escape(note) in page for note in seed_notes(SEEDS).values())

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
        assert all(escape(note) in page for note in seed_notes(SEEDS).values())
        assert load_seeds(SEEDS) == 0

    def test_no_claim_rests_on_its_own_source_alone(self):
        # A source's own passages are not evidence for its own claim: every seeded claim
        # quotes at least one other source, as context where nothing else speaks to it.
        claims = yaml.safe_load((SEEDS / "claims.yaml").read_text(encoding="utf-8"))
        alone = [c["slug"] for c in claims if all(e["source"] == c["source"] for e in c["evidence"])]
        assert alone == []
        snapshot = yaml.safe_load((BEFORE_REVIEW / "claims.yaml").read_text(encoding="utf-8"))
        assert len([c for c in snapshot if all(e["source"] == c["source"] for e in c["evidence"])]) == 4

    def test_they_cover_the_five_documents_with_enough_claims(self, db):
        load_seeds(SEEDS)
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
