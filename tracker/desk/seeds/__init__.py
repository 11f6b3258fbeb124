"""Loading the desk's seed records (`seeds/`) into the database.

The seed folder holds the archived source texts and YAML files of curated records
(see seeds/README.md). Loading is all-or-nothing and idempotent: everything is
validated and written inside one transaction, a record that already matches its
seed is not saved again (so no history row is added), and any problem aborts with
a SeedError naming the file and the record.

Every record is written by the desk's services, as the seed accounts below: a claim
is drafted, submitted and published as in the admin, and a published claim whose
seed changes is corrected in public.

A seed also holds its record's public history: the day it was first published
(`published`, by default the day the desk published its first file) and its
corrections, each dated, with its public note and the values readers saw before it
(`was`). The loader replays that history with the services, the clock set to each
day (tracker/desk/clock.py): first every record as first published, then every
correction not yet published, oldest first, each as one public change (one event,
one correction note; tracker/events/log.py `one_public_change`). A fresh database
and one loaded from an earlier version of the seeds so end with the same public
history, and the as-of views have a real past to show.
"""

from pathlib import Path

import yaml
from django.db import IntegrityError, transaction

from .claims import _load_claims
from .history import _replay
from .reading import SEED_DRAFTER, SEED_EDITOR, SEED_FILES, SEED_REVIEWER, SeedError, _Context, _seed_users
from .records import _load_agreements, _load_meetings, _load_people, _load_reference, _load_sources

__all__ = ["SEED_DRAFTER", "SEED_EDITOR", "SEED_FILES", "SEED_REVIEWER", "SeedError", "load_seeds"]


LOADERS = {
    "sources.yaml": _load_sources,
    "reference.yaml": _load_reference,
    "people.yaml": _load_people,
    "agreements.yaml": _load_agreements,
    "meetings.yaml": _load_meetings,
    "claims.yaml": _load_claims,
}


def load_seeds(folder: Path) -> int:
    """Load every seed file in `folder`; return how many records changed."""
    ctx = _Context(folder)
    documents = {}
    for name in SEED_FILES:
        ctx.file, ctx.record = name, "(file)"
        try:
            documents[name] = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ctx.fail("file is missing") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ctx.fail(f"not valid YAML: {exc}") from None
    try:
        with transaction.atomic():
            _seed_users(ctx)
            for name in SEED_FILES:
                ctx.file = name
                LOADERS[name](ctx, documents[name])
            _replay(ctx)
    except IntegrityError as exc:
        raise ctx.fail(f"breaks a database rule: {exc}") from None
    return len(ctx.changed)
