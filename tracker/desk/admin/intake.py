"""Intake: earlier checks while a reporter types a claim's statement.

`earlier_checks` answers the small script on the claim add form and the source reading
page (static/desk/earlier-checks.js) with the few published or in-progress claims the
statement most likely repeats (tracker/desk/similar.py likely_repeats): one ranked
list above a threshold. The pages work without it: the claim's page lists the same
suggestions once the draft is saved.

Its cost is bounded: statements under MIN_CHARACTERS or MIN_WORDS are not looked up,
longer than MAX_CHARACTERS are refused, the look-up itself is a fixed number of
queries, and each person gets RATE_PER_MINUTE look-ups a minute (the script waits for
a pause in typing, so a person typing uses a few).
"""

import time

from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..choices import State
from ..similar import REPEAT_THRESHOLD, likely_repeats
from ..text import strip_control_chars
from .guards import is_record_id

MIN_CHARACTERS = 15
MIN_WORDS = 3
MAX_CHARACTERS = 1000
RATE_PER_MINUTE = 40


def _over_rate(user_id: int) -> bool:
    """True once this person has made RATE_PER_MINUTE look-ups this minute."""
    key = f"desk:intake:{user_id}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=70):
        return False
    try:
        return cache.incr(key) > RATE_PER_MINUTE
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=70)
        return False


@never_cache
@require_GET
def earlier_checks(request: HttpRequest) -> JsonResponse:
    """{"results": [...], "threshold": 70} for ?q=<statement> (&exclude=<claim id>)."""
    if not request.user.has_perm("desk.view_claim"):
        return JsonResponse({"error": "You may not look up claims."}, status=403)
    statement = " ".join(strip_control_chars(request.GET.get("q", "")).split())
    if len(statement) > MAX_CHARACTERS:
        error = f"A statement is at most {MAX_CHARACTERS} characters here: shorten it to look up earlier checks."
        return JsonResponse({"error": error}, status=400)
    exclude = request.GET.get("exclude", "")
    exclude_id = int(exclude) if is_record_id(exclude) else None
    answer = {"results": [], "threshold": REPEAT_THRESHOLD, "min_characters": MIN_CHARACTERS}
    if len(statement) < MIN_CHARACTERS or len(statement.split()) < MIN_WORDS:
        return JsonResponse({**answer, "note": f"Type at least {MIN_WORDS} words to look for earlier checks."})
    if _over_rate(request.user.pk):
        response = JsonResponse({**answer, "error": "Too many look-ups this minute: wait a moment."}, status=429)
        response["Retry-After"] = "60"
        return response
    answer["results"] = [
        {
            "id": item.claim.pk,
            "statement": item.claim.statement,
            "verdict": item.claim.get_verdict_display(),
            "state": item.claim.get_state_display(),
            "score": round(item.score),
            "url": reverse("admin:desk_claim_change", args=[item.claim.pk]),
            "public_url": item.claim.get_absolute_url() if item.claim.state == State.PUBLISHED else None,
        }
        for item in likely_repeats(statement, exclude=exclude_id)
    ]
    return JsonResponse(answer)
