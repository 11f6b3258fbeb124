"""The reader's side of email alerts: subscribe, confirm, unsubscribe.

Plain server-rendered forms that work without JavaScript. The subscribe page answers
the same whether or not the address already follows the record (the mail tells the
owner of the address), and is rate-limited per visitor (the client address every
limit uses) and per mailbox.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tracker.proxies import client_address

from . import alerts
from .forms import SubscribeForm, mailbox

RATE_WINDOW = 3600  # seconds


def _target(record: str, search: str) -> alerts.Target:
    if search:
        return alerts.search_target(search)
    record_type, _, slug = record.partition(":")
    return alerts.record_target(record_type, slug)


def _over_limit(key: str, limit: int) -> bool:
    """Count one use of `key` in this hour; True once it is past `limit`. The counts
    live with the API's rate counts (caches["rates"]), never evicted."""
    counters = caches["rates"]
    counters.add(key, 0, RATE_WINDOW)
    try:
        used = counters.incr(key)
    except ValueError:  # expired between add and incr
        counters.set(key, 1, RATE_WINDOW)
        used = 1
    return used > limit


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    try:
        target = _target(str(data.get("record", ""))[:140], str(data.get("search", ""))[:500])
    except alerts.NotFollowable as exc:
        return render(request, "delivery/subscribe.html", {"problem": str(exc)}, status=404)
    if request.method != "POST":
        form = SubscribeForm(initial={"record": data.get("record", ""), "search": target.search})
        return render(
            request,
            "delivery/subscribe.html",
            {"form": form, "target": target, "confirm_hours": settings.ALERTS_CONFIRM_HOURS},
        )
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "delivery/subscribe.html", {"form": form, "target": target}, status=400)
    # The visitor as every limit sees them: the address our trusted proxies saw
    # (tracker/proxies.py), never the proxy's own, never one the client wrote.
    if _over_limit(f"alerts:visitor:{client_address(request)}", settings.ALERTS_SUBSCRIBE_RATE):
        response = render(request, "delivery/too_many.html", status=429)
        response["Retry-After"] = str(RATE_WINDOW)
        return response
    email = form.cleaned_data["email"]
    # Counted per mailbox (name+1@ and n.a.m.e@gmail reach one inbox).
    address_key = hashlib.sha256(mailbox(email).encode()).hexdigest()
    # Past the limit for one mailbox, nothing more is mailed to it this hour (so the
    # form cannot be used to flood someone's inbox), and the visitor is told the same.
    if not _over_limit(f"alerts:email:{address_key}", 3):
        alerts.subscribe(email=email, target=target, frequency=form.cleaned_data["frequency"])
    return render(request, "delivery/check_inbox.html", {"target": target})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    from datetime import timedelta

    subscription = alerts.from_token(token, alerts.CONFIRM_SALT, max_age=timedelta(hours=settings.ALERTS_CONFIRM_HOURS))
    if subscription is None:
        return render(request, "delivery/link_invalid.html", status=404)
    if request.method == "POST":
        alerts.confirm(subscription)
        return render(
            request,
            "delivery/confirmed.html",
            {"subscription": subscription, "unsubscribe_url": alerts.unsubscribe_url(subscription)},
        )
    return render(request, "delivery/confirm.html", {"subscription": subscription})


@never_cache
@csrf_exempt  # RFC 8058: a mail program POSTs "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = alerts.from_token(token, alerts.UNSUBSCRIBE_SALT)
    if request.method == "POST":
        if subscription is not None:
            alerts.unsubscribe(subscription)
        return render(request, "delivery/unsubscribed.html")
    if subscription is None:
        return render(request, "delivery/unsubscribed.html")  # already gone
    return render(request, "delivery/unsubscribe.html", {"subscription": subscription})
