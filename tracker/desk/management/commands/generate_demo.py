"""Synthetic published records at scale, for benchmarks and for trying lists and search.

Every record's slug starts with "demo-", so they are easy to tell from the desk's own
records. Quotes are real passages of the generated source texts, anchored like any other.
Running it again adds only what is missing.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from tracker.desk import anchoring, versioning
from tracker.desk.candidates import index_passages
from tracker.desk.choices import (
    AgreementKind,
    AgreementStatus,
    MeetingFormat,
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
    Evidence,
    Meeting,
    Participation,
    Party,
    Person,
    Source,
    Topic,
)

COUNTRIES = [
    ("CA", "Canada"), ("KR", "Republic of Korea"), ("JP", "Japan"), ("CN", "China"), ("SG", "Singapore"),
    ("TH", "Thailand"), ("AU", "Australia"), ("CL", "Chile"), ("NZ", "New Zealand"), ("ID", "Indonesia"),
    ("MY", "Malaysia"), ("PH", "Philippines"), ("VN", "Viet Nam"), ("IN", "India"),
]  # fmt: skip
TOPICS = ["defence", "trade", "energy", "critical-minerals", "agri-food", "cyber"]
SUBJECTS = ["The minister", "The prime minister", "The trade envoy", "The delegation", "Officials", "The readout"]
VERBS = ["announced", "confirmed", "signed", "launched", "concluded", "welcomed", "proposed", "reviewed"]
OBJECTS = [
    "a partnership on critical minerals", "negotiations on a free trade agreement", "a defence industry dialogue",
    "a memorandum on cyber security", "an energy supply arrangement", "a port visit programme",
    "joint exercises in the Pacific", "a trade mission for next year", "new investments in clean energy",
    "an agri-food market access deal", "cooperation on submarine procurement", "a strategic partnership",
]  # fmt: skip
PLACES = ["in Gyeongju", "in Ottawa", "in Kuala Lumpur", "in Singapore", "in Toronto", "at the summit", "by phone"]


def sentence(rng: random.Random, n: int) -> str:
    figure = rng.randint(2, 95)
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(PLACES)} "
        f"(item {n}), covering {figure}% of the goods in question."
    )


class Command(BaseCommand):
    help = "Create synthetic published records at scale (slugs start with demo-)."

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, default=2000)
        parser.add_argument("--sources", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2025)

    @transaction.atomic
    def handle(self, *args, claims: int, sources: int, seed: int, **options):
        rng = random.Random(seed)
        # Written in bulk, beside the services: move the record version as they would.
        versioning.bump()
        now = timezone.now()
        User = get_user_model()
        drafter, _ = User.objects.get_or_create(username="demo-reporter", defaults={"is_active": False})
        reviewer, _ = User.objects.get_or_create(username="demo-verifier", defaults={"is_active": False})
        parties = [Party.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in COUNTRIES]
        topics = [
            Topic.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").capitalize()})[0]
            for slug in TOPICS
        ]

        existing = set(Source.objects.filter(slug__startswith="demo-").values_list("slug", flat=True))
        new_sources = []
        for i in range(sources):
            slug = f"demo-source-{i:05d}"
            if slug in existing:
                continue
            text = "\n".join(sentence(rng, i * 100 + k) for k in range(rng.randint(8, 30)))
            new_sources.append(
                Source(
                    slug=slug,
                    title=f"Demo report {i}",
                    publisher=rng.choice(["Wire", "Gazette", "Ministry"]),
                    kind=rng.choice(SourceKind.values),
                    reliability=rng.choice(Reliability.values),
                    published_on=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 320)),
                    published_precision="day",
                    text=text,
                    text_sha256=Source.hash_text(text),
                    text_fingerprint=Source.fingerprint_text(text),
                    state=State.PUBLISHED,
                    first_published_at=now,
                )
            )
        Source.objects.bulk_create(new_sources, batch_size=500)
        # bulk_create skips Source.save(), which splits the text into the passages
        # that candidate evidence searches.
        for source in Source.objects.filter(slug__in=[s.slug for s in new_sources]):
            index_passages(source)
        all_sources = list(Source.objects.filter(slug__startswith="demo-"))

        people = []
        for i in range(40):
            person, _ = Person.objects.get_or_create(
                slug=f"demo-person-{i:03d}",
                defaults={"name": f"Demo Person {i}", "party": rng.choice(parties), "state": State.PUBLISHED},
            )
            people.append(person)

        agreements = []
        for i in range(60):
            agreement, created = Agreement.objects.get_or_create(
                slug=f"demo-agreement-{i:03d}",
                defaults={"title": f"Demo agreement {i}", "kind": rng.choice(AgreementKind.values),
                          "state": State.PUBLISHED, "summary": sentence(rng, i)},
            )  # fmt: skip
            if created:
                agreement.parties.set([parties[0], rng.choice(parties[1:])])
                day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
                for status in rng.sample(AgreementStatus.values[:4], k=rng.randint(1, 3)):
                    day += dt.timedelta(days=rng.randint(1, 40))
                    AgreementStatusChange.objects.create(
                        agreement=agreement, status=status, date=day, source=rng.choice(all_sources)
                    )
                agreement.refresh_status()  # derived from the steps; saving a step no longer does it
            agreements.append(agreement)

        for i in range(150):
            start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 320))
            meeting, created = Meeting.objects.get_or_create(
                slug=f"demo-meeting-{i:03d}",
                defaults={"title": f"Demo meeting {i}", "start_date": start, "format": rng.choice(MeetingFormat.values),
                          "place": rng.choice(PLACES)[3:], "state": State.PUBLISHED},
            )  # fmt: skip
            if created:
                meeting.counterparts.set(rng.sample(parties[1:], k=rng.randint(1, 3)))
                meeting.outcome_agreements.set(rng.sample(agreements, k=rng.randint(0, 2)))
                for person in rng.sample(people, k=3):
                    Participation.objects.create(meeting=meeting, person=person)

        existing_claims = set(Claim.objects.filter(slug__startswith="demo-").values_list("slug", flat=True))
        new_claims, evidence_for = [], []
        for i in range(claims):
            slug = f"demo-claim-{i:06d}"
            if slug in existing_claims:
                continue
            source = rng.choice(all_sources)
            line = rng.choice(source.text.splitlines())
            found = anchoring.anchor_quote(source.text, line)
            verdict = rng.choice([v for v in Verdict.values if v != Verdict.NOT_RATED])
            new_claims.append(
                Claim(
                    slug=slug, statement=line, claimant=source.publisher, source=source,
                    quote=found.exact, start=found.start, end=found.end, prefix=found.prefix, suffix=found.suffix,
                    verdict=verdict, rationale=f"Demo rationale for claim {i}.", state=State.PUBLISHED,
                    drafted_by=drafter, reviewed_by=reviewer, verdict_published_at=now - dt.timedelta(minutes=i),
                    first_published_at=now,
                )
            )  # fmt: skip
            evidence_source = rng.choice(all_sources)
            evidence_line = rng.choice(evidence_source.text.splitlines())
            stance = {Verdict.ACCURATE: Stance.SUPPORTS, Verdict.INACCURATE: Stance.CONTRADICTS}.get(
                verdict, Stance.CONTEXT
            )
            evidence_for.append((evidence_source, anchoring.anchor_quote(evidence_source.text, evidence_line), stance))
        Claim.objects.bulk_create(new_claims, batch_size=500)

        created = {c.slug: c for c in Claim.objects.filter(slug__in=[c.slug for c in new_claims])}
        evidence = []
        for claim, (source, found, stance) in zip(new_claims, evidence_for, strict=True):
            evidence.append(
                Evidence(
                    claim=created[claim.slug], source=source, quote=found.exact, start=found.start, end=found.end,
                    prefix=found.prefix, suffix=found.suffix, stance=stance,
                )
            )  # fmt: skip
        Evidence.objects.bulk_create(evidence, batch_size=500)
        through = Claim.topics.through
        through.objects.bulk_create(
            [through(claim_id=created[c.slug].pk, topic_id=rng.choice(topics).pk) for c in new_claims],
            batch_size=1000,
        )
        # Fresh statistics for the query planner after a bulk load: without them SQLite
        # walks 20,000 sources to find a meeting's three (ANALYZE is cheap at this size).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data: {len(new_sources)} sources and {len(new_claims)} claims added "
                    f"({Claim.objects.filter(slug__startswith='demo-').count()} demo claims in all)."
                )
            )
