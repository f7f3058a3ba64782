"""The shape of a generated data set, drawn with numpy from one seed: when stories break, in which feeds, about what.

Everything here is arrays of numbers (times are seconds since the epoch, feeds and signals are indexes); the words and
the database ids come later. The same spec and seed always give the same plan.

Stories break on days drawn from a background rate (a gentle growth over the range, quieter weekends) plus a few
events per year, each a spike that decays over days (a summit, a reported shipment, a joint drill ...) and shifts the
mix of signals towards its own. A story's first article is its lead; copies follow within the story window in feeds
of the same language. Tags are the story's signals on each copy, with a calibrated-looking confidence each.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from devtools.dataset.catalogue import Outlet
from devtools.dataset.wording import LANGUAGES
from ingest.models import SourceKind
from tracker.stories import STORY_WINDOW

SECONDS_PER_DAY = 86_400
STORY_WINDOW_SECONDS = int(STORY_WINDOW.total_seconds())

STORY_SIZE_SHARES = {1: 0.58, 2: 0.2, 3: 0.1, 4: 0.06, 5: 0.04, 6: 0.02}
# Signals per tagged story; the mean is 1.72, so that with the relevant shares below the whole set
# carries about 1.5 tags per article (the feeds a tracker reads are chosen for the subject).
TAG_COUNT_SHARES = {1: 0.5, 2: 0.32, 3: 0.14, 4: 0.04}
LANGUAGE_SHARES = {"en": 0.45, "ru": 0.2, "ko": 0.13, "ja": 0.08, "zh": 0.07, "uk": 0.07}
# Relative output of a feed of each kind; each feed also gets its own random factor.
KIND_VOLUME = {
    SourceKind.NEWS_AGENCY: 3.0,
    SourceKind.STATE_MEDIA: 2.2,
    SourceKind.INDEPENDENT_MEDIA: 1.4,
    SourceKind.GOVERNMENT: 0.5,
    SourceKind.THINK_TANK: 0.35,
}
# Shares of each signal among the stories that are not about an event; types not named here get OTHER_SIGNAL_SHARE.
BACKGROUND_SIGNAL_MIX = {
    "arms_deal": 0.32,
    "aid_trade": 0.21,
    "visit": 0.2,
    "tech_transfer": 0.14,
    "drill": 0.065,
    "denial": 0.065,
}
EVENT_SIGNAL_MIX = {
    "summit": {"visit": 0.55, "aid_trade": 0.15, "arms_deal": 0.15, "tech_transfer": 0.1, "drill": 0.05},
    "shipment_report": {"arms_deal": 0.55, "denial": 0.35, "visit": 0.05, "aid_trade": 0.05},
    "joint_drill": {"drill": 0.6, "arms_deal": 0.15, "denial": 0.15, "visit": 0.1},
    "satellite_launch": {"tech_transfer": 0.6, "arms_deal": 0.2, "denial": 0.1, "visit": 0.1},
    "trade_agreement": {"aid_trade": 0.65, "visit": 0.2, "arms_deal": 0.1, "tech_transfer": 0.05},
}
OTHER_SIGNAL_SHARE = 0.02
EVENTS_PER_YEAR = 8
EVENT_PEAK_RANGE = (2.0, 6.0)  # an event's first day, in average background days
EVENT_DECAY_DAYS_RANGE = (1.5, 4.5)
EVENT_LEAD_IN_DAYS = 0.8  # speculation before the event: a steep ramp over the days before it
GROWTH_OVER_RANGE = 0.6  # the last day of the range sees 60% more background coverage than the first
WEEKEND_FACTOR = 0.65
RELEVANT_SHARE = {"background": 0.9, "event": 0.97}
SIGNAL_FREE_SHARE = 0.03  # relevant stories that carry no signal (commentary on the relationship)
FOREIGN_LANGUAGE_SHARE = 0.08  # stories not in their feed's declared language
FULL_CONTENT_FEED_SHARE = 0.4  # feeds that send the whole text; the others only a summary
WIRE_CARRIED_SHARE = 0.3  # news-agency articles that other feeds also carry, under the same link
NEW_HEADLINE_SHARE = 0.5  # copies under a headline of their own
BOILERPLATE_SHARE = 0.3  # copies with the outlet's closing line, a few fingerprint bits away from the lead
HIGH_CONFIDENCE_SHARE = 0.72
CONFIRMED_SHARE = {"high": 0.04, "low": 0.025}  # of tags at or above / below 0.8
REJECTED_SHARE = {"high": 0.003, "low": 0.03}
CURATOR_ADDED_SHARE = 0.006  # of relevant articles
MEAN_DECISION_DELAY_SECONDS = 1.5 * SECONDS_PER_DAY
RULE_UPDATE_AT_FRACTION = 0.6  # the rules changed (a new tagger version) this far into the range


@dataclass(frozen=True)
class DatasetSpec:
    articles: int
    years: int
    feeds: int
    seed: int
    end_at: datetime  # the latest publication time

    @property
    def first_day(self) -> date:
        last_day = self.end_at.astimezone(UTC).date()
        try:
            start = last_day.replace(year=last_day.year - self.years)
        except ValueError:  # 29 February
            start = last_day.replace(year=last_day.year - self.years, day=28)
        return start + timedelta(days=1)


@dataclass
class Calendar:
    day_starts: np.ndarray  # seconds, one per day of the range
    day_lengths: np.ndarray  # seconds; the last day stops at the end of the range
    weights: np.ndarray  # days × (background + one column per event): how likely a story breaks there
    event_kinds: np.ndarray  # per event, an index into EVENT_SIGNAL_MIX


@dataclass
class Feeds:
    outlets: list[Outlet]
    shares: np.ndarray  # share of stories each feed leads
    languages: np.ndarray  # index into LANGUAGES
    is_news_agency: np.ndarray
    has_full_content: np.ndarray


@dataclass
class Stories:
    lead_at: np.ndarray
    sizes: np.ndarray
    starts: np.ndarray  # index of the lead article
    lead_feeds: np.ndarray
    is_event: np.ndarray
    languages: np.ndarray
    is_relevant: np.ndarray
    signal_ranks: np.ndarray  # stories × signals: 0 for the main signal, 1 for the next ...
    has_signal: np.ndarray  # stories × signals
    confidences: np.ndarray  # stories × signals: the lead's confidence
    relevance_scores: np.ndarray
    simhashes: np.ndarray  # uint64


@dataclass
class Articles:
    stories: np.ndarray
    ranks: np.ndarray  # 0 for a story's lead
    feeds: np.ndarray
    published_at: np.ndarray
    fetched_at: np.ndarray
    assessed_at: np.ndarray
    ordinals: np.ndarray  # position in publication order: ids follow it
    extra_feeds: np.ndarray  # articles × 2: other feeds that carry it, -1 for none
    extra_seen_after: np.ndarray  # seconds after fetched_at that the other feeds carried it
    has_new_headline: np.ndarray
    has_boilerplate: np.ndarray
    simhashes: np.ndarray  # int64, as PostgreSQL stores them

    @property
    def source_counts(self) -> np.ndarray:
        return 1 + (self.extra_feeds >= 0).sum(axis=1)


@dataclass
class Tags:
    articles: np.ndarray  # sorted, then by signal
    signals: np.ndarray
    confidences: np.ndarray
    is_curator_added: np.ndarray
    decisions: np.ndarray  # DECISIONS index
    decided_at: np.ndarray


DECISIONS = ("", "confirmed", "rejected")


@dataclass
class Plan:
    spec: DatasetSpec
    signal_slugs: list[str]
    rule_update_at: int
    feeds: Feeds
    stories: Stories
    articles: Articles
    tags: Tags


def plan_dataset(spec: DatasetSpec, outlets: list[Outlet], signal_slugs: list[str]) -> Plan:
    rng = np.random.default_rng(spec.seed)
    end_at = int(spec.end_at.timestamp())
    calendar = draw_calendar(spec, end_at, rng)
    feeds = draw_feeds(outlets, rng)
    stories = draw_stories(spec.articles, calendar, feeds, signal_slugs, rng)
    articles = draw_articles(stories, feeds, end_at, rng)
    tags = draw_tags(stories, articles, len(signal_slugs), end_at, rng)
    start_at = int(calendar.day_starts[0])
    rule_update_at = start_at + int(RULE_UPDATE_AT_FRACTION * (end_at - start_at))
    return Plan(spec, signal_slugs, rule_update_at, feeds, stories, articles, tags)


# --- When stories break -----------------------------------------------------------------------------------------------


def draw_calendar(spec: DatasetSpec, end_at: int, rng: np.random.Generator) -> Calendar:
    first_day = spec.first_day
    day_count = (spec.end_at.astimezone(UTC).date() - first_day).days + 1
    day_starts = int(datetime.combine(first_day, datetime.min.time(), UTC).timestamp()) + SECONDS_PER_DAY * np.arange(
        day_count, dtype=np.int64
    )
    day_lengths = np.minimum(SECONDS_PER_DAY, end_at + 1 - day_starts)
    background = background_rate(first_day, day_count) * day_lengths / SECONDS_PER_DAY
    event_weights, event_kinds = draw_events(day_count, background.mean(), rng)
    weights = np.column_stack([background, event_weights * (day_lengths / SECONDS_PER_DAY)[:, None]])
    return Calendar(day_starts, day_lengths, weights, event_kinds)


def background_rate(first_day: date, day_count: int) -> np.ndarray:
    position = np.arange(day_count) / max(day_count - 1, 1)
    weekdays = (first_day.weekday() + np.arange(day_count)) % 7
    return (1 + GROWTH_OVER_RANGE * position) * np.where(weekdays >= 5, WEEKEND_FACTOR, 1.0)


def draw_events(day_count: int, mean_background: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per day and event, the event's extra coverage: a spike on its day, decaying after, a short ramp before."""
    event_count = max(1, round(EVENTS_PER_YEAR * day_count / 365.25))
    event_days = rng.integers(0, day_count, event_count)
    kinds = rng.integers(0, len(EVENT_SIGNAL_MIX), event_count)
    peaks = rng.uniform(*EVENT_PEAK_RANGE, event_count) * mean_background
    decays = rng.uniform(*EVENT_DECAY_DAYS_RANGE, event_count)
    offsets = np.arange(day_count)[:, None] - event_days[None, :]
    after = np.exp(-np.clip(offsets, 0, None) / decays)
    before = 0.3 * np.exp(np.clip(offsets, None, 0) / EVENT_LEAD_IN_DAYS)
    return peaks * np.where(offsets >= 0, after, before), kinds


# --- Where ------------------------------------------------------------------------------------------------------------


def draw_feeds(outlets: list[Outlet], rng: np.random.Generator) -> Feeds:
    volume = np.array([KIND_VOLUME[outlet.kind] for outlet in outlets]) * rng.lognormal(0, 0.4, len(outlets))
    return Feeds(
        outlets=outlets,
        shares=volume / volume.sum(),
        languages=np.array([LANGUAGES.index(outlet.language) for outlet in outlets]),
        is_news_agency=np.array([outlet.kind == SourceKind.NEWS_AGENCY for outlet in outlets]),
        has_full_content=rng.random(len(outlets)) < FULL_CONTENT_FEED_SHARE,
    )


# --- Stories ----------------------------------------------------------------------------------------------------------


def draw_stories(
    article_count: int, calendar: Calendar, feeds: Feeds, signal_slugs: list[str], rng: np.random.Generator
) -> Stories:
    sizes = draw_story_sizes(article_count, rng)
    count = len(sizes)
    lead_at, components = draw_story_moments(count, calendar, rng)
    is_event = components > 0
    lead_feeds = rng.choice(len(feeds.shares), size=count, p=feeds.shares)
    languages = np.where(
        rng.random(count) < FOREIGN_LANGUAGE_SHARE,
        rng.choice(len(LANGUAGES), size=count, p=language_shares()),
        feeds.languages[lead_feeds],
    )
    is_relevant = rng.random(count) < np.where(is_event, RELEVANT_SHARE["event"], RELEVANT_SHARE["background"])
    mixes = signal_mixes(signal_slugs)[np.where(is_event, 1 + calendar.event_kinds[components - 1], 0)]
    signal_ranks, has_signal = draw_signals(mixes, is_relevant, rng)
    return Stories(
        lead_at=lead_at,
        sizes=sizes,
        starts=np.concatenate([[0], np.cumsum(sizes)[:-1]]),
        lead_feeds=lead_feeds,
        is_event=is_event,
        languages=languages,
        is_relevant=is_relevant,
        signal_ranks=signal_ranks,
        has_signal=has_signal,
        confidences=draw_confidences(has_signal.shape, rng),
        relevance_scores=np.round(
            np.where(is_relevant, 0.5 + 0.5 * rng.beta(4, 2, count), 0.45 * rng.beta(1.2, 4, count)), 3
        ),
        simhashes=rng.integers(0, np.iinfo(np.uint64).max, size=count, dtype=np.uint64, endpoint=True),
    )


def draw_story_moments(count: int, calendar: Calendar, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """When each story breaks, in order, and why: 0 for the background, else 1 + the index of its event."""
    weights = calendar.weights
    cells = rng.choice(weights.size, size=count, p=(weights / weights.sum()).ravel())
    days, components = np.divmod(cells, weights.shape[1])
    lead_at = calendar.day_starts[days] + (rng.random(count) * calendar.day_lengths[days]).astype(np.int64)
    order = np.argsort(lead_at, kind="stable")
    return lead_at[order], components[order]


def draw_story_sizes(article_count: int, rng: np.random.Generator) -> np.ndarray:
    """Story sizes adding up to exactly article_count (the last story is cut short if need be)."""
    values, shares = np.array(list(STORY_SIZE_SHARES)), np.array(list(STORY_SIZE_SHARES.values()))
    mean = float(values @ shares)
    sizes = np.empty(0, dtype=np.int64)
    while sizes.sum() < article_count:
        more = rng.choice(values, size=int(article_count / mean * 1.05) + 16, p=shares)
        sizes = np.concatenate([sizes, more])
    totals = np.cumsum(sizes)
    count = int(np.searchsorted(totals, article_count)) + 1
    sizes = sizes[:count]
    sizes[-1] -= totals[count - 1] - article_count
    return sizes


def language_shares() -> np.ndarray:
    shares = np.array([LANGUAGE_SHARES[language] for language in LANGUAGES])
    return shares / shares.sum()


def signal_mixes(signal_slugs: list[str]) -> np.ndarray:
    """Rows of signal shares: the background first, then one per kind of event."""
    rows = [BACKGROUND_SIGNAL_MIX, *EVENT_SIGNAL_MIX.values()]
    mixes = np.array([[row.get(slug, 0.0) + OTHER_SIGNAL_SHARE for slug in signal_slugs] for row in rows])
    return mixes / mixes.sum(axis=1, keepdims=True)


def draw_signals(mixes: np.ndarray, is_relevant: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each story's signals: how many (none for irrelevant stories), then which, weighted by its mix."""
    count, signal_count = mixes.shape
    values, shares = np.array(list(TAG_COUNT_SHARES)), np.array(list(TAG_COUNT_SHARES.values()))
    wanted = rng.choice(values, size=count, p=shares)
    wanted = np.where(is_relevant & (rng.random(count) >= SIGNAL_FREE_SHARE), np.minimum(wanted, signal_count), 0)
    # Gumbel top-k: adding Gumbel noise to log-weights and keeping the k largest samples k signals without
    # replacement, weighted by the mix, for every story at once.
    keys = np.log(mixes) + rng.gumbel(size=mixes.shape)
    ranks = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return ranks.astype(np.int8), ranks < wanted[:, None]


def draw_confidences(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Like a calibrated tagger's: mostly 0.8 to 1.0, the rest 0.5 to 0.8."""
    high = 0.8 + 0.195 * rng.beta(2.2, 1.4, shape)
    low = 0.5 + 0.3 * rng.beta(1.6, 1.2, shape)
    return np.where(rng.random(shape) < HIGH_CONFIDENCE_SHARE, high, low)


# --- Articles ---------------------------------------------------------------------------------------------------------


def draw_articles(stories: Stories, feeds: Feeds, end_at: int, rng: np.random.Generator) -> Articles:
    count = int(stories.sizes.sum())
    story_of = np.repeat(np.arange(len(stories.sizes)), stories.sizes)
    ranks = np.arange(count) - stories.starts[story_of]
    is_copy = ranks > 0
    article_feeds = np.where(is_copy, -1, stories.lead_feeds[story_of])
    place_copies(article_feeds, stories, story_of, feeds, rng)
    lead_at = stories.lead_at[story_of]
    room = np.minimum(STORY_WINDOW_SECONDS, end_at - lead_at)
    published_at = lead_at + np.where(is_copy, (rng.random(count) * room).astype(np.int64), 0)
    fetched_at = not_after_end(published_at, rng.lognormal(np.log(900), 0.9, count).clip(60, 6 * 3600), end_at)
    assessed_at = not_after_end(fetched_at, rng.integers(2, 180, count), end_at)
    has_boilerplate = is_copy & (rng.random(count) < BOILERPLATE_SHARE)
    return Articles(
        stories=story_of,
        ranks=ranks,
        feeds=article_feeds,
        published_at=published_at,
        fetched_at=fetched_at,
        assessed_at=assessed_at,
        # By time; a copy published in the same second as its lead still comes after it.
        ordinals=np.argsort(np.lexsort((ranks, published_at))),
        extra_feeds=draw_wire_carriers(article_feeds, feeds, rng),
        extra_seen_after=rng.integers(120, 2 * 3600, count),
        has_new_headline=is_copy & (rng.random(count) < NEW_HEADLINE_SHARE),
        has_boilerplate=has_boilerplate,
        simhashes=copy_fingerprints(stories.simhashes[story_of], has_boilerplate, rng),
    )


def not_after_end(start: np.ndarray, delay: np.ndarray, end_at: int) -> np.ndarray:
    """start + delay, but never past the end of the range (nor before start)."""
    return np.minimum(start + delay.astype(np.int64), np.maximum(start, end_at))


def place_copies(
    article_feeds: np.ndarray, stories: Stories, story_of: np.ndarray, feeds: Feeds, rng: np.random.Generator
) -> None:
    """Copies go to feeds in the story's language (the lead feed's, if no feed speaks it), weighted by output."""
    story_language = stories.languages[story_of]
    has_feed = np.isin(story_language, feeds.languages)
    pool_language = np.where(has_feed, story_language, feeds.languages[stories.lead_feeds[story_of]])
    for language in range(len(LANGUAGES)):
        copies = np.flatnonzero((article_feeds < 0) & (pool_language == language))
        pool = np.flatnonzero(feeds.languages == language)
        if len(copies):
            weights = feeds.shares[pool] / feeds.shares[pool].sum()
            article_feeds[copies] = pool[rng.choice(len(pool), size=len(copies), p=weights)]


def draw_wire_carriers(article_feeds: np.ndarray, feeds: Feeds, rng: np.random.Generator) -> np.ndarray:
    """For some news-agency articles, one or two other feeds that carry the same entry."""
    count, feed_count = len(article_feeds), len(feeds.outlets)
    extra = np.full((count, 2), -1, dtype=np.int64)
    if feed_count < 2:
        return extra
    is_carried = feeds.is_news_agency[article_feeds] & (rng.random(count) < WIRE_CARRIED_SHARE)
    carriers = np.where(is_carried, 1 + (rng.random(count) < 0.4), 0)
    carriers = np.minimum(carriers, feed_count - 1)
    # Offsets from the article's own feed, the second one skipping the first: always distinct feeds.
    first = rng.integers(1, feed_count, count)
    second = rng.integers(1, max(feed_count - 1, 2), count)
    second = second + (second >= first)
    extra[:, 0] = np.where(carriers >= 1, (article_feeds + first) % feed_count, -1)
    extra[:, 1] = np.where(carriers >= 2, (article_feeds + second) % feed_count, -1)
    return extra


def copy_fingerprints(lead_hashes: np.ndarray, has_boilerplate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A copy keeps its lead's fingerprint (a new headline does not count); a closing line moves a few bits.

    The fingerprints are drawn, not computed from the generated text: they have the spread the story grouping
    sees (copies a few bits apart, unrelated stories about 32), which is what its band lookups depend on.
    """
    flips = np.where(has_boilerplate, rng.integers(2, 6, len(lead_hashes)), 0)
    mask = np.zeros(len(lead_hashes), dtype=np.uint64)
    for flip in range(5):
        bits = rng.integers(0, 64, len(lead_hashes)).astype(np.uint64)
        mask |= np.where(flips > flip, np.left_shift(np.uint64(1), bits), np.uint64(0))
    return (lead_hashes ^ mask).view(np.int64)


# --- Tags -------------------------------------------------------------------------------------------------------------


def draw_tags(stories: Stories, articles: Articles, signal_count: int, end_at: int, rng: np.random.Generator) -> Tags:
    """The story's signals on every one of its articles, a few decided by a curator, a few added by one."""
    auto_articles, auto_signals = np.nonzero(stories.has_signal[articles.stories])
    is_copy = articles.ranks[auto_articles] > 0
    jitter = np.where(is_copy, rng.normal(0, 0.02, len(auto_articles)), 0.0)
    confidences = np.clip(stories.confidences[articles.stories[auto_articles], auto_signals] + jitter, 0.5, 0.995)
    decisions = draw_decisions(confidences, rng)
    added_articles, added_signals = draw_curator_additions(stories, articles, signal_count, rng)
    all_articles = np.concatenate([auto_articles, added_articles])
    all_signals = np.concatenate([auto_signals, added_signals])
    order = np.lexsort((all_signals, all_articles))
    decision_delay = rng.exponential(MEAN_DECISION_DELAY_SECONDS, len(all_articles)).clip(600, None)
    return Tags(
        articles=all_articles[order],
        signals=all_signals[order],
        confidences=np.round(np.concatenate([confidences, np.ones(len(added_articles))]), 3)[order],
        is_curator_added=np.concatenate([np.zeros(len(auto_articles), bool), np.ones(len(added_articles), bool)])[
            order
        ],
        decisions=np.concatenate([decisions, np.ones(len(added_articles), np.int8)])[order],
        decided_at=not_after_end(articles.assessed_at[all_articles[order]], decision_delay, end_at),
    )


def draw_decisions(confidences: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Curators confirm a few tags and reject fewer, rejecting mostly the less confident ones."""
    is_high = confidences >= 0.8
    confirm = np.where(is_high, CONFIRMED_SHARE["high"], CONFIRMED_SHARE["low"])
    reject = np.where(is_high, REJECTED_SHARE["high"], REJECTED_SHARE["low"])
    draw = rng.random(len(confidences))
    return np.select([draw < confirm, draw < confirm + reject], [1, 2], 0).astype(np.int8)


def draw_curator_additions(
    stories: Stories, articles: Articles, signal_count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A signal the tagger missed, added by a curator to a few relevant articles."""
    count = len(articles.stories)
    is_relevant = stories.is_relevant[articles.stories]
    signals = rng.integers(0, signal_count, count)
    chosen = np.flatnonzero(is_relevant & (rng.random(count) < CURATOR_ADDED_SHARE))
    is_missing = ~stories.has_signal[articles.stories[chosen], signals[chosen]]
    return chosen[is_missing], signals[chosen][is_missing]
