from django import template
from django.conf import settings

from tracker.desk.choices import VERDICT_SCALE, Verdict
from tracker.public.records import partial_date as _partial_date

register = template.Library()

VERDICT_ICONS = {
    Verdict.ACCURATE: "✓",
    Verdict.MOSTLY_ACCURATE: "✓",
    Verdict.UNSUPPORTED: "?",
    Verdict.MISLEADING: "!",
    Verdict.INACCURATE: "✗",
    Verdict.NOT_RATED: "–",
}


@register.simple_tag
def site_name() -> str:
    return settings.SITE_NAME


@register.filter
def partial_date(day, precision: str = "day") -> str:
    return _partial_date(day, precision)


@register.inclusion_tag("public/_verdict.html")
def verdict_badge(verdict: str, size: str = "") -> dict:
    return {
        "value": verdict,
        "label": Verdict(verdict).label,
        "icon": VERDICT_ICONS[verdict],
        "rating": VERDICT_SCALE[verdict]["rating"],
        "size": size,
    }
