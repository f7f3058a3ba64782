"""The tagger built from the active Rule rows, compiled once and rebuilt only when the rules change.

Compiling the lexicon takes a moment, tagging one article well under a millisecond, so the compiled tagger is kept
per process. One cheap aggregate query tells whether the rules changed since: how many rows there are, how many are
active, and when the last one was saved. Rules of a signal type that was switched off are left out.

This is the one place where the rules are read from the database; tracker.tagging itself stays free of it.
"""

from __future__ import annotations

import threading

from django.db.models import Count, Max, Q

from tracker.models import Rule, SignalType
from tracker.tagging.engine import Tagger
from tracker.tagging.rules import RuleSpec

_lock = threading.Lock()
_cached: tuple[tuple, Tagger] | None = None


def rules_fingerprint() -> tuple:
    rules = Rule.objects.aggregate(
        count=Count("id"), active=Count("id", filter=Q(is_active=True)), last=Max("updated_at")
    )
    inactive_types = tuple(SignalType.objects.filter(is_active=False).order_by("slug").values_list("slug", flat=True))
    return (rules["count"], rules["active"], rules["last"], inactive_types)


def active_rules() -> list[RuleSpec]:
    rows = (
        Rule.objects.filter(is_active=True)
        .exclude(signal__is_active=False)
        .select_related("signal")
        .order_by("kind", "signal__sort_order", "side", "language", "pattern")
    )
    return [RuleSpec.from_model(rule) for rule in rows]


def current_tagger() -> Tagger:
    """The tagger for the rules in the database now."""
    global _cached
    fingerprint = rules_fingerprint()
    with _lock:
        if _cached is None or _cached[0] != fingerprint:
            _cached = (fingerprint, Tagger.compile(active_rules()))
        return _cached[1]


def forget_tagger() -> None:
    """Drop the cached tagger (tests that rewrite the rules within one timestamp use this)."""
    global _cached
    with _lock:
        _cached = None
