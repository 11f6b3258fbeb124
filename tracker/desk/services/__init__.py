"""The desk's one writer (DESIGN.md, rule 9).

Every change of a record goes through a function here: it checks the person's role
and their right to this record, locks the row, applies the change with its history
row (who, and why), writes the workflow event or public correction that goes with
it, and marks what partners sync on, in one transaction. The admin, the management
commands and the seed loader call these functions; none of them saves a record on
its own. Models hold fields, constraints, querysets and derived data only.

- claims.py: drafting, editing, evidence, review, publication, corrections
- sources.py: archiving a document, editing it, re-anchoring its quotes
- checkers.py: maker-checker per record, and who on the desk can take a step
- records.py: agreements, meetings, people, parties, topics; publishing, retracting
- revert.py: bringing a draft back to an earlier version, through the edits above
"""

from .checkers import claim_publishers, names, source_publish_refusal, source_publishers
from .claims import (
    EvidenceAdd,
    EvidenceChange,
    claim_correct,
    claim_create_draft,
    claim_delete,
    claim_edit,
    claim_link_earlier,
    claim_mark_rechecked,
    claim_publish,
    claim_retract,
    claim_return_to_review,
    claim_send_back,
    claim_submit,
    claim_withdraw,
    contributor_ids,
    counted_evidence,
    evidence_attach,
    evidence_detach,
    evidence_refusal,
    publish_refusal,
    quote_confirm,
    republication_changes,
    republication_note,
    sources_published_with,
    verdict_problems,
)
from .claims import edit_refusal as claim_edit_refusal
from .common import NotAllowed, StaleEdit, WorkflowError, stale_edit_message, unique_slug
from .records import (
    Rows,
    record_create,
    record_delete,
    record_edit,
    record_note_correction,
    record_publish,
    record_retract,
)
from .records import edit_refusal as record_edit_refusal
from .revert import record_revert, revert_refusal
from .sources import (
    DuplicateSource,
    QuoteImpact,
    find_duplicate,
    reanchor_quotes,
    source_create,
    source_delete,
    source_edit,
    source_edit_impact,
)
from .sources import edit_refusal as source_edit_refusal

__all__ = [
    "DuplicateSource",
    "EvidenceAdd",
    "EvidenceChange",
    "NotAllowed",
    "Rows",
    "StaleEdit",
    "WorkflowError",
    "claim_correct",
    "claim_create_draft",
    "claim_delete",
    "claim_edit",
    "claim_link_earlier",
    "claim_edit_refusal",
    "claim_mark_rechecked",
    "claim_publish",
    "claim_retract",
    "claim_return_to_review",
    "claim_send_back",
    "claim_submit",
    "claim_withdraw",
    "contributor_ids",
    "counted_evidence",
    "evidence_attach",
    "evidence_detach",
    "evidence_refusal",
    "find_duplicate",
    "publish_refusal",
    "quote_confirm",
    "republication_changes",
    "republication_note",
    "claim_publishers",
    "names",
    "source_publish_refusal",
    "source_publishers",
    "QuoteImpact",
    "source_edit_impact",
    "reanchor_quotes",
    "revert_refusal",
    "record_create",
    "record_delete",
    "record_edit",
    "record_edit_refusal",
    "record_note_correction",
    "record_publish",
    "record_retract",
    "record_revert",
    "source_create",
    "source_delete",
    "source_edit",
    "source_edit_refusal",
    "sources_published_with",
    "stale_edit_message",
    "unique_slug",
    "verdict_problems",
]
