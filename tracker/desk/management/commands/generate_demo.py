"""Synthetic records at a realistic scale, for benchmarks and for trying the desk at scale.

By default: 100,000 claims, 20,000 sources with real-length texts (a few KB each),
200,000 evidence quotes anchored in them, 2,000 agreements with status histories,
10,000 meetings with participants, 2,000 people with dated roles, and the parties and
topics they refer to. The same `--seed` (and `--until`) gives the same record.
Slugs start with "demo-". Scale down with `--claims`, `--sources`, `--evidence`,
`--agreements`, `--meetings`, `--people`.

The rows are written in bulk, not through the services (one service call per step
would take hours at this size), but they are exactly the rows the services would
write: the states, history rows with the services' reasons and users, workflow
events, corrections, publication times, fingerprints, canonical URLs, quote anchors,
passages and search index rows, with a drafter and a different publisher for every
verdict. tracker/desk/demo.py says how, and tests/desk/test_generate_demo.py checks it
with the property test's own invariant checks.

It runs once per database: demo records already there are refused (use a fresh database).
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tracker.desk import versioning
from tracker.desk.demo import Builder, Shape
from tracker.desk.models import Claim, Source


class Command(BaseCommand):
    help = "Create a synthetic record at a realistic scale (slugs start with demo-)."

    def add_arguments(self, parser):
        defaults = Shape()
        for name in ("claims", "sources", "evidence", "agreements", "meetings", "people"):
            parser.add_argument(
                f"--{name}", type=int, default=getattr(defaults, name), help=f"default {getattr(defaults, name)}"
            )
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--until", type=dt.date.fromisoformat, default=None,
            help="the record's last day, YYYY-MM-DD (default: today, UTC); times spread over two years before it",
        )  # fmt: skip

    def handle(self, *args, until=None, verbosity=1, **options):
        shape = Shape(
            **{name: options[name] for name in ("claims", "sources", "evidence", "agreements", "meetings", "people",
                                                "seed")},
            **({"until": until} if until else {}),
        )  # fmt: skip
        if min(shape.claims, shape.evidence, shape.agreements, shape.meetings) < 0 or shape.sources < 2:
            raise CommandError("Counts cannot be negative, and claims need at least two sources.")
        if shape.people < 5 or (shape.meetings and not shape.agreements):
            raise CommandError("Give at least 5 people, and agreements for meetings to refer to.")
        if (
            Claim.objects.filter(slug__startswith="demo-").exists()
            or Source.objects.filter(slug__startswith="demo-").exists()
        ):
            raise CommandError("This database already holds demo records: run generate_demo on a fresh database.")
        started = time.perf_counter()

        def log(line: str) -> None:
            if verbosity > 1:
                self.stdout.write(f"{time.perf_counter() - started:7.1f}s  {line}")

        with transaction.atomic():
            # Written in bulk, beside the services: move the record version as they would,
            # so no page or API answer cached before the load is served after it.
            versioning.bump()
            counts = Builder(shape, log=log).build()
            versioning.public_change(["*"])  # every cached response is stale
            versioning.stamp()
        # Fresh statistics for the query planner after a bulk load: without them SQLite
        # walks 20,000 sources to find a meeting's three (ANALYZE is cheap at this size).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo record (seed {shape.seed}, until {shape.until}): {shape.claims} claims, {shape.sources} "
                    f"sources, {counts.get('desk_evidence', 0)} evidence quotes, {shape.agreements} agreements, "
                    f"{shape.meetings} meetings, {shape.people} people; {sum(counts.values())} rows "
                    f"in {time.perf_counter() - started:.0f} s."
                )
            )
