"""A small, realistic published record built from the archived seed texts.

The desk's curated seed YAML is not in this branch yet, so these fixtures build a
few of its records by hand from the real source documents in seeds/sources/.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from tracker.desk.choices import (
    AgreementKind,
    AgreementStatus,
    CorrectionKind,
    DatePrecision,
    MeetingFormat,
    PartyKind,
    Reliability,
    SourceKind,
    Stance,
    State,
    Verdict,
)
from tracker.desk.models import (
    Agreement,
    AgreementStatusChange,
    Claim,
    Correction,
    Evidence,
    Meeting,
    Participation,
    Party,
    Person,
    Role,
    Source,
    Topic,
)

SOURCES = Path(__file__).resolve().parents[2] / "seeds" / "sources"


def _text(prefix: str) -> str:
    return next(SOURCES.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture
def desk(db, make_user):
    """The Korea file: three sources, two agreements, three meetings, four claims."""
    drafter, reviewer = make_user("reporter"), make_user("verifier")
    parties = {
        code: Party.objects.create(code=code, name=name, kind=kind)
        for code, name, kind in [
            ("CA", "Canada", PartyKind.COUNTRY),
            ("KR", "Republic of Korea", PartyKind.COUNTRY),
            ("CN", "China", PartyKind.COUNTRY),
            ("TH", "Thailand", PartyKind.COUNTRY),
            ("APEC", "Asia-Pacific Economic Cooperation", PartyKind.ORGANISATION),
        ]
    }
    defence = Topic.objects.create(slug="defence", name="Defence")
    trade = Topic.objects.create(slug="trade", name="Trade")

    readout = Source.objects.create(
        slug="pm-readout-indo-pacific-2025",
        title="Prime Minister Carney advances new trade, economic, and defence partnerships with Indo-Pacific nations",
        publisher="Prime Minister of Canada",
        kind=SourceKind.OFFICIAL,
        reliability=Reliability.PRIMARY,
        published_on=dt.date(2025, 11, 1),
        published_precision=DatePrecision.DAY,
        text=_text("001"),
        state=State.PUBLISHED,
    )
    news = Source.objects.create(
        slug="carney-courts-indo-pacific",
        title="Canada’s PM Mark Carney Courts Indo-Pacific with Defence, Trade and Tech Deals",
        publisher="Regional news site",
        kind=SourceKind.NEWS,
        reliability=Reliability.UNVERIFIED,
        text=_text("000"),
        state=State.PUBLISHED,
    )
    report = Source.objects.create(
        slug="canada-south-korea-defense-pact-report",
        title="Canada and South Korea sign defense agreement",
        publisher="Unattributed web report",
        kind=SourceKind.AGGREGATOR,
        reliability=Reliability.UNRELIABLE,
        text=_text("004"),
        state=State.PUBLISHED,
    )

    carney = Person.objects.create(slug="mark-carney", name="Mark Carney", party=parties["CA"], state=State.PUBLISHED)
    lee = Person.objects.create(slug="lee-jae-myung", name="Lee Jae Myung", party=parties["KR"], state=State.PUBLISHED)
    pm = Role.objects.create(
        person=carney, title="Prime Minister of Canada", party=parties["CA"], start_date=dt.date(2025, 3, 14)
    )
    president = Role.objects.create(
        person=lee, title="President of the Republic of Korea", party=parties["KR"], start_date=dt.date(2025, 6, 4)
    )

    partnership = Agreement.objects.create(
        slug="canada-korea-security-defence-partnership",
        title="Canada–Republic of Korea Security and Defence Cooperation Partnership",
        kind=AgreementKind.SECURITY_DEFENCE,
        binding=False,
        summary="A framework for co-operation on security, defence and the defence industry.",
        state=State.PUBLISHED,
    )
    partnership.parties.set([parties["CA"], parties["KR"]])
    partnership.topics.set([defence])
    AgreementStatusChange.objects.create(
        agreement=partnership, status=AgreementStatus.ANNOUNCED, date=dt.date(2025, 10, 29), source=readout
    )
    gsoia = Agreement.objects.create(
        slug="canada-korea-gsoia",
        title="General Security of Information Agreement (Canada–Korea)",
        kind=AgreementKind.INFORMATION_SECURITY,
        binding=True,
        summary="Lets the two governments share classified information.",
        state=State.PUBLISHED,
    )
    gsoia.parties.set([parties["CA"], parties["KR"]])
    AgreementStatusChange.objects.create(
        agreement=gsoia, status=AgreementStatus.UNDER_NEGOTIATION, date=dt.date(2025, 6, 1),
        date_precision=DatePrecision.MONTH, source=news,
    )  # fmt: skip
    AgreementStatusChange.objects.create(
        agreement=gsoia, status=AgreementStatus.NEGOTIATIONS_CONCLUDED, date=dt.date(2025, 10, 29), source=readout,
        note="Conclusion of negotiations announced by the two leaders in Gyeongju.",
    )  # fmt: skip

    bilateral = Meeting.objects.create(
        slug="carney-lee-gyeongju-2025",
        title="Carney and Lee in Gyeongju",
        start_date=dt.date(2025, 10, 29),
        place="Gyeongju, Republic of Korea",
        host=parties["KR"],
        occasion="APEC Economic Leaders' Week",
        format=MeetingFormat.BILATERAL,
        outcomes="Security and defence partnership announced; information-security negotiations concluded.",
        state=State.PUBLISHED,
    )
    bilateral.counterparts.set([parties["KR"]])
    bilateral.outcome_agreements.set([partnership, gsoia])
    bilateral.sources.set([readout])
    Participation.objects.create(meeting=bilateral, person=carney, role=pm)
    Participation.objects.create(meeting=bilateral, person=lee, role=president)
    xi = Meeting.objects.create(
        slug="carney-xi-gyeongju-2025",
        title="Carney and Xi Jinping",
        start_date=dt.date(2025, 10, 31),
        place="Gyeongju, Republic of Korea",
        format=MeetingFormat.BILATERAL,
        state=State.PUBLISHED,
    )
    xi.counterparts.set([parties["CN"]])
    apec = Meeting.objects.create(
        slug="apec-leaders-2025",
        title="APEC Economic Leaders' Meeting",
        start_date=dt.date(2025, 10, 31),
        end_date=dt.date(2025, 11, 1),
        place="Gyeongju, Republic of Korea",
        format=MeetingFormat.MULTILATERAL,
        state=State.PUBLISHED,
    )
    apec.counterparts.set([parties["APEC"], parties["KR"], parties["TH"]])
    upcoming = Meeting.objects.create(
        slug="team-canada-trade-mission-korea",
        title="Team Canada Trade Mission to Korea",
        start_date=timezone.localdate() + dt.timedelta(days=40),
        place="Seoul, Republic of Korea",
        format=MeetingFormat.BILATERAL,
        state=State.PUBLISHED,
    )
    upcoming.counterparts.set([parties["KR"]])

    def claim(slug, source, quote, verdict, statement, claimant, rationale, evidence, **links):
        record = Claim.objects.create(
            slug=slug, statement=statement, claimant=claimant, source=source, quote=quote, verdict=verdict,
            rationale=rationale, state=State.PUBLISHED, drafted_by=drafter, reviewed_by=reviewer,
            claimed_on=links.pop("claimed_on", None), verdict_published_at=timezone.now(),
        )  # fmt: skip
        for evidence_source, evidence_quote, stance, note in evidence:
            Evidence.objects.create(
                claim=record, source=evidence_source, quote=evidence_quote, stance=stance, note=note
            )
        for field, values in links.items():
            getattr(record, field).set(values)
        return record

    signed = claim(
        "canada-korea-signed-defence-agreement",
        report,
        "Canada and South Korea signed a comprehensive defense agreement Tuesday",
        Verdict.INACCURATE,
        "Canada and South Korea signed a comprehensive defence agreement.",
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
    Correction.objects.create(
        claim=signed,
        kind=CorrectionKind.CORRECTION,
        note="We first said the agreement was signed on a Wednesday; the report says Tuesday. The verdict stands.",
    )
    return {
        "readout": readout,
        "news": news,
        "report": report,
        "carney": carney,
        "lee": lee,
        "partnership": partnership,
        "gsoia": gsoia,
        "bilateral": bilateral,
        "signed_claim": signed,
        "parties": parties,
    }
