"""Poll timing: exponential backoff with a cap and jitter, and a capped Retry-After."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from ingest.schedule import JITTER_FRACTION, backoff_seconds, next_poll_after_failure, next_poll_after_success

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ONE_DAY_SECONDS = 24 * 3600
ONE_WEEK_SECONDS = 7 * ONE_DAY_SECONDS
SEEDS = range(200)


@pytest.mark.parametrize(
    ("consecutive_failures", "interval_minutes", "expected_base_seconds"),
    [
        (0, 30, 1800),
        (1, 30, 1800),
        (2, 30, 3600),
        (3, 30, 7200),
        (4, 30, 14400),
        (6, 30, 57600),
        (7, 30, ONE_DAY_SECONDS),
        (50, 30, ONE_DAY_SECONDS),
        (10_000, 30, ONE_DAY_SECONDS),
        (1, 5, 300),
        (3, 5, 1200),
        (1, 2 * 24 * 60, ONE_DAY_SECONDS),
    ],
)
def test_backoff_stays_in_the_jitter_band_around_its_capped_base(
    consecutive_failures, interval_minutes, expected_base_seconds
):
    low = expected_base_seconds * (1 - JITTER_FRACTION)
    high = min(expected_base_seconds * (1 + JITTER_FRACTION), ONE_DAY_SECONDS)
    for seed in SEEDS:
        wait = backoff_seconds(consecutive_failures, interval_minutes, ONE_DAY_SECONDS, random.Random(seed))
        assert low <= wait <= high, f"seed {seed}: {wait} outside [{low}, {high}]"


@pytest.mark.parametrize("consecutive_failures", [1, 2, 3, 4, 5])
def test_each_failure_doubles_the_backoff(consecutive_failures):
    # The same seed draws the same jitter, so the ratio shows the exponential base alone.
    before = backoff_seconds(consecutive_failures, 10, 10**9, random.Random(7))
    after = backoff_seconds(consecutive_failures + 1, 10, 10**9, random.Random(7))
    assert after / before == pytest.approx(2)


@pytest.mark.parametrize("consecutive_failures", [8, 20, 21, 1000])
def test_backoff_never_exceeds_the_cap(consecutive_failures):
    waits = [backoff_seconds(consecutive_failures, 30, ONE_DAY_SECONDS, random.Random(seed)) for seed in SEEDS]
    assert max(waits) <= ONE_DAY_SECONDS


def test_jitter_spreads_feeds_that_failed_together():
    waits = {backoff_seconds(3, 30, ONE_DAY_SECONDS, random.Random(seed)) for seed in SEEDS}
    base = 7200
    assert len(waits) > 100
    assert min(waits) < base < max(waits)


def test_the_same_seed_gives_the_same_backoff():
    first = backoff_seconds(4, 30, ONE_DAY_SECONDS, random.Random(42))
    assert backoff_seconds(4, 30, ONE_DAY_SECONDS, random.Random(42)) == first


def test_success_polls_again_after_the_feed_interval():
    assert next_poll_after_success(NOW, 45) == NOW + timedelta(minutes=45)


def test_failure_without_retry_after_waits_the_backoff():
    expected = NOW + timedelta(seconds=backoff_seconds(2, 30, ONE_DAY_SECONDS, random.Random(3)))
    assert next_poll_after_failure(NOW, 2, 30, ONE_DAY_SECONDS, rng=random.Random(3)) == expected


@pytest.mark.parametrize(
    ("retry_after_seconds", "expected_wait_seconds"),
    [
        (3 * 3600, 3 * 3600),
        (ONE_DAY_SECONDS * 2, ONE_DAY_SECONDS * 2),
        (ONE_WEEK_SECONDS, ONE_WEEK_SECONDS),
        (ONE_WEEK_SECONDS + 1, ONE_WEEK_SECONDS),
        (10**12, ONE_WEEK_SECONDS),
    ],
)
def test_a_later_retry_after_wins_up_to_its_cap(retry_after_seconds, expected_wait_seconds):
    # One failure on a 30-minute feed backs off at most 36 minutes, well before any of these.
    next_poll_at = next_poll_after_failure(
        NOW,
        1,
        30,
        ONE_DAY_SECONDS,
        retry_after_seconds=retry_after_seconds,
        max_retry_after_seconds=ONE_WEEK_SECONDS,
        rng=random.Random(1),
    )
    assert next_poll_at == NOW + timedelta(seconds=expected_wait_seconds)


@pytest.mark.parametrize("retry_after_seconds", [0, 1, 60])
def test_an_earlier_retry_after_does_not_shorten_the_backoff(retry_after_seconds):
    backoff = backoff_seconds(3, 30, ONE_DAY_SECONDS, random.Random(5))
    next_poll_at = next_poll_after_failure(
        NOW, 3, 30, ONE_DAY_SECONDS, retry_after_seconds=retry_after_seconds, rng=random.Random(5)
    )
    assert next_poll_at == NOW + timedelta(seconds=backoff)
