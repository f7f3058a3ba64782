"""Display helpers for the dashboard's templates: evidence sentences with their terms marked."""

from django import template
from django.utils.safestring import SafeString

from ingest.links import safe_http_url
from tracker.highlight import evidence_items, highlighted

register = template.Library()


@register.filter
def marked(item: dict) -> SafeString:
    """An evidence item's sentence with its matched terms marked."""
    return highlighted(item["sentence"], item["terms"])


@register.filter
def evidence(tag) -> list[dict]:
    return evidence_items(tag.evidence)


@register.filter
def first_evidence(tags) -> dict | None:
    """The first sentence behind the strongest of the tags (they come strongest first)."""
    for tag in tags:
        items = evidence_items(tag.evidence)
        if items:
            return items[0]
    return None


@register.filter
def http_url(value: str) -> str:
    """The URL if it is an absolute http(s) one, else nothing: a stored link never becomes a script URL."""
    return safe_http_url(value)
