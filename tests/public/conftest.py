"""A small, realistic published record built from the archived seed texts.

The fixtures build a few of the desk's records from the real source documents in
seeds/sources/, through the services, as the desk would: the reporter archives the
sources and drafts the claims, the verifier publishes the claims, the editor keeps
the people, agreements and meetings and publishes the corrections.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import fresh, shared_records
from tracker.desk import services
from tracker.desk.choices import (
    AgreementKind,
    AgreementStatus,
    DatePrecision,
    MeetingFormat,
    PartyKind,
    Reliability,
    SourceKind,
    Stance,
    Verdict,
)
from tracker.desk.models import Agreement, Claim, Meeting, Party, Person, Topic

SOURCES = Path(__file__).resolve().parents[2] / "seeds" / "sources"


def _text(prefix: str) -> str:
    return next(SOURCES.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture
def _desk_records():
    """How to build the desk's records; tests/conftest.py (`_shared_records`) builds
    them once for a run of consecutive tests that use them."""
    return build_desk


@pytest.fixture
def desk(db, staff, _desk_records):
    """The Korea file: three sources, two agreements, four meetings, four claims.

    Built once and shared by the consecutive tests that ask for it (each in its own
    savepoint, rolled back after it, and with fresh instances: a test may change them);
    built afresh for a test that commits (live_server, transactional_db)."""
    built = shared_records(_desk_records)
    return fresh(built) if built is not None else build_desk(staff)


def build_desk(staff) -> dict:
    """The records of `desk`, made through the services."""
    reporter, verifier, editor = staff.reporter, staff.verifier, staff.editor

    def create(model, fields, links=None, rows=None, publish=True):
        rows = {name: services.Rows(add=added) for name, added in (rows or {}).items()}
        record = services.record_create(model=model, by=editor, fields=fields, links=links or {}, rows=rows)
        return services.record_publish(record=record, by=editor) if publish else record

    parties = {
        code: create(Party, {"code": code, "name": name, "kind": kind}, publish=False)
        for code, name, kind in [
            ("CA", "Canada", PartyKind.COUNTRY),
            ("KR", "Republic of Korea", PartyKind.COUNTRY),
            ("CN", "China", PartyKind.COUNTRY),
            ("TH", "Thailand", PartyKind.COUNTRY),
            ("APEC", "Asia-Pacific Economic Cooperation", PartyKind.ORGANISATION),
        ]
    }
    defence = create(Topic, {"slug": "defence", "name": "Defence"}, publish=False)
    trade = create(Topic, {"slug": "trade", "name": "Trade"}, publish=False)

    def source(**fields):
        record = services.source_create(by=reporter, **fields)
        return services.record_publish(record=record, by=editor)

    readout = source(
        slug="pm-readout-indo-pacific-2025",
        title="Prime Minister Carney advances new trade, economic, and defence partnerships with Indo-Pacific nations",
        publisher="Prime Minister of Canada",
        kind=SourceKind.OFFICIAL,
        reliability=Reliability.PRIMARY,
        published_on=dt.date(2025, 11, 1),
        published_precision=DatePrecision.DAY,
        text=_text("001"),
    )
    news = source(
        slug="carney-courts-indo-pacific",
        title="Canada’s PM Mark Carney Courts Indo-Pacific with Defence, Trade and Tech Deals",
        publisher="Regional news site",
        kind=SourceKind.NEWS,
        reliability=Reliability.UNVERIFIED,
        text=_text("000"),
    )
    report = source(
        slug="canada-south-korea-defense-pact-report",
        title="Canada and South Korea sign defense agreement",
        publisher="Unattributed web report",
        kind=SourceKind.AGGREGATOR,
        reliability=Reliability.UNRELIABLE,
        text=_text("004"),
    )

    pm, president = "Prime Minister of Canada", "President of the Republic of Korea"
    carney = create(
        Person,
        {"slug": "mark-carney", "name": "Mark Carney", "party": parties["CA"]},
        rows={"roles": [{"title": pm, "party": parties["CA"], "start_date": dt.date(2025, 3, 14)}]},
    )
    lee = create(
        Person,
        {"slug": "lee-jae-myung", "name": "Lee Jae Myung", "party": parties["KR"]},
        rows={"roles": [{"title": president, "party": parties["KR"], "start_date": dt.date(2025, 6, 4)}]},
    )

    partnership = create(
        Agreement,
        {
            "slug": "canada-korea-security-defence-partnership",
            "title": "Canada–Republic of Korea Security and Defence Cooperation Partnership",
            "kind": AgreementKind.SECURITY_DEFENCE,
            "binding": False,
            "summary": "A framework for co-operation on security, defence and the defence industry.",
        },
        links={"parties": [parties["CA"], parties["KR"]], "topics": [defence]},
        rows={"status_history": [{"status": AgreementStatus.ANNOUNCED, "date": dt.date(2025, 10, 29),
                                  "source": readout}]},
    )  # fmt: skip
    gsoia = create(
        Agreement,
        {
            "slug": "canada-korea-gsoia",
            "title": "General Security of Information Agreement (Canada–Korea)",
            "kind": AgreementKind.INFORMATION_SECURITY,
            "binding": True,
            "summary": "Lets the two governments share classified information.",
        },
        links={"parties": [parties["CA"], parties["KR"]]},
        rows={
            "status_history": [
                {
                    "status": AgreementStatus.UNDER_NEGOTIATION,
                    "date": dt.date(2025, 6, 1),
                    "date_precision": DatePrecision.MONTH,
                    "source": news,
                },
                {
                    "status": AgreementStatus.NEGOTIATIONS_CONCLUDED,
                    "date": dt.date(2025, 10, 29),
                    "source": readout,
                    "note": "Conclusion of negotiations announced by the two leaders in Gyeongju.",
                },
            ]  # fmt: skip
        },
    )

    bilateral = create(
        Meeting,
        {
            "slug": "carney-lee-gyeongju-2025",
            "title": "Carney and Lee in Gyeongju",
            "start_date": dt.date(2025, 10, 29),
            "place": "Gyeongju, Republic of Korea",
            "host": parties["KR"],
            "occasion": "APEC Economic Leaders' Week",
            "format": MeetingFormat.BILATERAL,
            "outcomes": "Security and defence partnership announced; information-security negotiations concluded.",
        },
        links={"counterparts": [parties["KR"]], "outcome_agreements": [partnership, gsoia], "sources": [readout]},
        rows={
            "participants": [
                {"person": carney, "role": carney.roles.get(title=pm)},
                {"person": lee, "role": lee.roles.get(title=president)},
            ]
        },
    )
    create(
        Meeting,
        {
            "slug": "carney-xi-gyeongju-2025",
            "title": "Carney and Xi Jinping",
            "start_date": dt.date(2025, 10, 31),
            "place": "Gyeongju, Republic of Korea",
            "format": MeetingFormat.BILATERAL,
        },
        links={"counterparts": [parties["CN"]]},
    )
    create(
        Meeting,
        {
            "slug": "apec-leaders-2025",
            "title": "APEC Economic Leaders' Meeting",
            "start_date": dt.date(2025, 10, 31),
            "end_date": dt.date(2025, 11, 1),
            "place": "Gyeongju, Republic of Korea",
            "format": MeetingFormat.MULTILATERAL,
        },
        links={"counterparts": [parties["APEC"], parties["KR"], parties["TH"]]},
    )
    create(
        Meeting,
        {
            "slug": "team-canada-trade-mission-korea",
            "title": "Team Canada Trade Mission to Korea",
            "start_date": timezone.localdate() + dt.timedelta(days=40),
            "place": "Seoul, Republic of Korea",
            "format": MeetingFormat.BILATERAL,
        },
        links={"counterparts": [parties["KR"]]},
    )

    def claim(slug, source, quote, verdict, statement, claimant, rationale, evidence, claimed_on=None, **links):
        draft = services.claim_create_draft(
            by=reporter, slug=slug, source=source, quote=quote, statement=statement, claimant=claimant,
            claimed_on=claimed_on, links=links,
            evidence=[services.EvidenceAdd(source=where, quote=passage, stance=stance, note=note)
                      for where, passage, stance, note in evidence],
        )  # fmt: skip
        services.claim_submit(claim=draft, by=reporter)
        return services.claim_publish(claim=draft, by=verifier, verdict=verdict, rationale=rationale)

    signed = claim(
        "canada-korea-signed-defence-agreement",
        report,
        "Canada and South Korea signed a comprehensive defense agreement Tuesday",
        Verdict.INACCURATE,
        "Canada and South Korea signed a comprehensive defence agreement on Wednesday.",
        "Unattributed web report",
        "The official readout says the leaders announced a partnership and concluded negotiations on an "
        "information-security agreement. Nothing was signed.",
        [
            (readout, "announced the new Canada-Republic of Korea Security and Defence Cooperation Partnership",
             Stance.CONTRADICTS, "An announced partnership, not a signed agreement."),
            (readout, "announced the conclusion of negotiations on the General Security of Information Agreement",
             Stance.CONTEXT, "Negotiations concluded; signature is a later step."),
        ],
        agreements=[partnership, gsoia], meetings=[bilateral], parties=[parties["CA"], parties["KR"]], topics=[defence],
    )  # fmt: skip
    # The desk misread the day at first, and corrected the statement in public.
    signed = services.claim_edit(
        claim=signed,
        by=editor,
        fields={"statement": "Canada and South Korea signed a comprehensive defence agreement."},
        note="We first said the agreement was signed on a Wednesday; the report says Tuesday. The verdict stands.",
    )
    claim(
        "korean-president-is-yoon",
        report,
        "South Korean President Yoon Suk Yeol",
        Verdict.INACCURATE,
        "Carney held a joint press conference with South Korean President Yoon Suk Yeol.",
        "Unattributed web report",
        "Lee Jae Myung has been President of the Republic of Korea since June 2025; the readout names him.",
        [(readout, "Korean President Lee Jae Myung", Stance.CONTRADICTS, "")],
        people=[lee], parties=[parties["KR"]],
    )  # fmt: skip
    claim(
        "canada-offers-to-host-apec-2029",
        readout,
        "Canada has offered to host APEC in 2029",
        Verdict.ACCURATE,
        "Canada has offered to host APEC in 2029.",
        "Prime Minister of Canada",
        "The offer is in the official readout and reported independently.",
        [(news, "Canada’s offer to host APEC in 2029", Stance.SUPPORTS, "")],
        claimed_on=dt.date(2025, 11, 1), parties=[parties["CA"], parties["APEC"]], topics=[trade],
    )  # fmt: skip
    claim(
        "carney-government-took-office-last-year",
        report,
        "the Carney government, which took office last year",
        Verdict.MISLEADING,
        "The Carney government took office last year.",
        "Unattributed web report",
        "Mark Carney became Prime Minister in March 2025, the same year as the report.",
        [(readout, "Canada’s new government", Stance.CONTEXT, "The readout calls it a new government.")],
        people=[carney],
    )  # fmt: skip
    return {
        "readout": readout,
        "news": news,
        "report": report,
        "carney": carney,
        "lee": lee,
        "partnership": partnership,
        "gsoia": gsoia,
        "bilateral": bilateral,
        "signed_claim": Claim.objects.get(pk=signed.pk),
        "parties": parties,
    }
