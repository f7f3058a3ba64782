"""Feed rows for the generated outlets, with a plausible poll history: most healthy, a few failing, one or two gone."""

import random
from datetime import datetime, timedelta

from devtools.dataset.catalogue import Outlet, feed_url, site_url
from ingest.models import Feed, FetchOutcome, SourceKind

POLL_INTERVAL_MINUTES = {
    SourceKind.NEWS_AGENCY: 15,
    SourceKind.STATE_MEDIA: 30,
    SourceKind.INDEPENDENT_MEDIA: 30,
    SourceKind.GOVERNMENT: 60,
    SourceKind.THINK_TANK: 120,
}
# (outcome, share, status code, error): what the last poll of each feed found.
LAST_OUTCOMES = (
    (FetchOutcome.OK, 0.8, 200, ""),
    (FetchOutcome.NOT_MODIFIED, 0.08, 304, ""),
    (FetchOutcome.HTTP_ERROR, 0.04, 503, "HTTP 503 Service Unavailable"),
    (FetchOutcome.TIMEOUT, 0.03, None, "No complete response within 30 seconds"),
    (FetchOutcome.RATE_LIMITED, 0.02, 429, "HTTP 429 Too Many Requests; Retry-After 3600 seconds"),
    (FetchOutcome.GONE, 0.02, 410, "HTTP 410 Gone"),
    (FetchOutcome.PARSE_WARNING, 0.01, 200, ""),
)
HEALTHY_OUTCOMES = (FetchOutcome.OK, FetchOutcome.NOT_MODIFIED, FetchOutcome.PARSE_WARNING)


def build_feeds(outlets: list[Outlet], first_polled_at: datetime, end_at: datetime, seed: int) -> list[Feed]:
    """Unsaved feeds for the outlets, polled from first_polled_at until end_at."""
    randomness = random.Random(seed)
    return [build_feed(outlet, first_polled_at, end_at, randomness) for outlet in outlets]


def build_feed(outlet: Outlet, first_polled_at: datetime, end_at: datetime, randomness: random.Random) -> Feed:
    interval = POLL_INTERVAL_MINUTES[outlet.kind]
    outcome, _, status_code, error = randomness.choices(LAST_OUTCOMES, weights=[row[1] for row in LAST_OUTCOMES])[0]
    is_healthy = outcome in HEALTHY_OUTCOMES
    failures = 0 if is_healthy else randomness.randint(1, 6)
    polled_at = end_at - timedelta(minutes=randomness.uniform(0, interval))
    succeeded_at = polled_at if is_healthy else polled_at - timedelta(minutes=interval * failures)
    return Feed(
        url=feed_url(outlet),
        title=outlet.title,
        site_url=site_url(outlet),
        language=outlet.language,
        source_kind=outlet.kind,
        country=outlet.country,
        is_active=outcome != FetchOutcome.GONE,
        poll_interval_minutes=interval,
        etag=f'"{randomness.getrandbits(48):012x}"' if randomness.random() < 0.5 else "",
        last_polled_at=polled_at,
        last_succeeded_at=succeeded_at,
        next_poll_at=polled_at + timedelta(minutes=interval * 2**failures),
        consecutive_failures=failures,
        last_outcome=outcome,
        last_error=error,
        last_status_code=status_code,
        parse_warning="document declared as utf-8, but parsed as windows-1252"
        if outcome == FetchOutcome.PARSE_WARNING
        else "",
        deactivated_reason=f"Gone (410) on {polled_at:%Y-%m-%d}" if outcome == FetchOutcome.GONE else "",
        created_at=first_polled_at - timedelta(days=randomness.uniform(0, 60)),
    )
