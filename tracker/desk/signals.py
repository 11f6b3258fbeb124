"""What the desk tells whoever listens that a workflow step happened (the newsroom's
assignments and staff notifications, tracker/newsroom/). Sent inside the step's own
transaction, so what a listener writes commits or rolls back with the step; the desk
never imports its listeners.

`workflow_step` is sent with `step` (one of STEPS), `record` (the claim or source),
`by` (who took the step, or None for the system) and, for some steps, `comment`
(the reason given) or `item` (the quote, a claim or an evidence row, that moved).
"""

from django.dispatch import Signal

STEPS = (
    "claim_drafted",  # a reporter drafted a claim
    "source_archived",  # someone archived a source
    "claim_submitted",  # a draft went to review
    "claim_sent_back",  # back to its reporter, with a comment
    "quote_flagged",  # an edit of a source re-pointed or orphaned a quote (`item`)
    "claim_returned",  # a source edit sent a published claim back to review
)

workflow_step = Signal()


def step(name: str, record, by, **extra) -> None:
    assert name in STEPS, name
    workflow_step.send(sender=type(record), step=name, record=record, by=by, **extra)
