"""Table rows for COPY, a chunk of stories at a time: the plan's numbers, the writer's words and the reserved ids."""

import hashlib
import html
import json
from dataclasses import dataclass, field

import numpy as np

from devtools.dataset.catalogue import GENERATED_URL_PREFIX
from devtools.dataset.plan import DECISIONS, Plan
from devtools.dataset.wording import LANGUAGES
from devtools.dataset.writer import StoryText, StoryWriter

# Stand-ins for the tagger's version hash, before and after the rules changed in the middle of the range.
TAGGER_VERSIONS = ("3f9c1a2b7d40", "8e21d5c4a9f7")
BAND_BITS = 16
BYLINED_KINDS = ("independent_media", "think_tank")

ARTICLE_COLUMNS = (
    "id",
    "feed_id",
    "guid",
    "canonical_url",
    "title",
    "summary_html",
    "content_html",
    "text",
    "author",
    "published_at",
    "is_published_at_estimated",
    "fetched_at",
    "updated_at",
    "language",
    "content_hash",
)
SOURCE_COLUMNS = ("id", "article_id", "feed_id", "entry_key", "guid", "link", "first_seen_at")
STORY_COLUMNS = ("id", "first_published_at", "last_published_at", "article_count", "representative_id", "created_at")
ASSESSMENT_COLUMNS = (
    "id",
    "article_id",
    "status",
    "language",
    "relevance_score",
    "relevance_evidence",
    "story_id",
    "simhash",
    "simhash_band_0",
    "simhash_band_1",
    "simhash_band_2",
    "simhash_band_3",
    "tagger_version",
    "assessed_at",
)
TAG_COLUMNS = (
    "id",
    "article_id",
    "signal_id",
    "confidence",
    "evidence",
    "origin",
    "decision",
    "decided_by_id",
    "decided_at",
    "tagger_version",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class FirstIds:
    """The first id reserved in each table; the plan's positions are added to them."""

    article: int
    source: int
    story: int
    assessment: int
    tag: int


@dataclass
class ChunkRows:
    articles: list[tuple] = field(default_factory=list)
    sources: list[tuple] = field(default_factory=list)
    stories: list[tuple] = field(default_factory=list)
    assessments: list[tuple] = field(default_factory=list)
    tags: list[tuple] = field(default_factory=list)


def iso(seconds: np.ndarray) -> list[str]:
    """Epoch seconds as ISO 8601 UTC text, which COPY reads into timestamptz."""
    return np.datetime_as_string(seconds.astype("datetime64[s]"), timezone="UTC").tolist()


def entry_key(guid: str) -> str:
    """As ingest.parse computes it for an entry with a GUID."""
    return hashlib.sha256(f"guid:{guid}".encode()).hexdigest()


def to_json(value: list) -> str:
    return json.dumps(value, ensure_ascii=False)


class RowBuilder:
    """Turns the plan into rows chunk by chunk; call chunk() in story order, as the words are drawn in that order."""

    def __init__(self, plan: Plan, feed_ids: list[int], signal_ids: list[int], curator_id: int, first: FirstIds):
        self.plan, self.first = plan, first
        self.feed_ids, self.signal_ids, self.curator_id = feed_ids, signal_ids, curator_id
        # Two random sources, so that the words do not depend on how the stories are cut into chunks.
        self.story_writer = StoryWriter(plan.spec.seed)
        self.detail_writer = StoryWriter(plan.spec.seed + 1)
        counts = plan.articles.source_counts
        self.source_offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.source_count = int(counts.sum())
        self.last_published_at = np.maximum.reduceat(plan.articles.published_at, plan.stories.starts)

    def chunk(self, story_start: int, story_stop: int) -> ChunkRows:
        """Rows for stories story_start..story_stop-1, with their articles and tags."""
        starts = self.plan.stories.starts
        article_start = int(starts[story_start])
        article_stop = int(starts[story_stop]) if story_stop < len(starts) else len(self.plan.articles.stories)
        texts = {index: self._story_text(index) for index in range(story_start, story_stop)}
        rows = ChunkRows()
        self._add_articles(rows, article_start, article_stop, texts)
        self._add_stories(rows, story_start, story_stop)
        self._add_tags(rows, article_start, article_stop, texts)
        return rows

    def _story_text(self, index: int) -> StoryText:
        stories = self.plan.stories
        chosen = np.flatnonzero(stories.has_signal[index])
        ordered = chosen[np.argsort(stories.signal_ranks[index, chosen])]
        slugs = [self.plan.signal_slugs[signal] for signal in ordered]
        return self.story_writer.write(int(stories.languages[index]), slugs, bool(stories.is_relevant[index]))

    def _tagger_version(self, assessed_at: int) -> str:
        return TAGGER_VERSIONS[assessed_at >= self.plan.rule_update_at]

    # --- Articles, their sources and assessments ----------------------------------------------------------------------

    def _add_articles(self, rows: ChunkRows, start: int, stop: int, texts: dict[int, StoryText]) -> None:
        articles = self.plan.articles
        part = slice(start, stop)
        times = _ArticleTimes(
            published=iso(articles.published_at[part]),
            fetched=iso(articles.fetched_at[part]),
            assessed=iso(articles.assessed_at[part]),
            carried=iso(articles.fetched_at[part] + articles.extra_seen_after[part]),
            bands=simhash_bands(articles.simhashes[part]),
        )
        relevance_json: dict[int, str] = {}
        for offset, index in enumerate(range(start, stop)):
            story = int(articles.stories[index])
            if story not in relevance_json:
                relevance_json[story] = to_json(texts[story].relevance_evidence)
            article = self._article_row(index, texts[story], times, offset)
            rows.articles.append(article)
            named = dict(zip(ARTICLE_COLUMNS, article, strict=True))
            rows.sources.extend(self._source_rows(index, named, times.carried[offset]))
            rows.assessments.append(self._assessment_row(index, relevance_json[story], times, offset))

    def _article_row(self, index: int, text: StoryText, times: "_ArticleTimes", offset: int) -> tuple:
        articles, feeds = self.plan.articles, self.plan.feeds
        feed, ordinal = int(articles.feeds[index]), int(articles.ordinals[index])
        outlet = feeds.outlets[feed]
        url = f"{GENERATED_URL_PREFIX}{outlet.slug}/{times.published[offset][:10]}/{ordinal}"
        title = text.other_title if articles.has_new_headline[index] else text.title
        paragraphs = text.paragraphs
        if articles.has_boilerplate[index]:
            paragraphs = (*paragraphs, self.detail_writer.boilerplate(outlet.language))
        summary_html, content_html, body = article_html(paragraphs, bool(feeds.has_full_content[feed]))
        plain = f"{title}\n{body}"
        author = self.detail_writer.byline() if outlet.kind in BYLINED_KINDS else ""
        published, fetched = times.published[offset], times.fetched[offset]
        return (
            self.first.article + ordinal,
            self.feed_ids[feed],
            f"urn:{outlet.slug}:{ordinal}" if feeds.is_news_agency[feed] else url,
            url,
            title,
            summary_html,
            content_html,
            plain,
            author,
            published,
            False,
            fetched,
            fetched,
            outlet.language,
            hashlib.sha256(f"{title}\n{plain}".encode()).hexdigest(),
        )

    def _source_rows(self, index: int, article: dict, carried_at: str) -> list[tuple]:
        """The article's own feed's entry, then those of the feeds that carried the same wire story."""
        articles, outlets = self.plan.articles, self.plan.feeds.outlets
        article_id, guid, url = article["id"], article["guid"], article["canonical_url"]
        first_id = self.first.source + int(self.source_offsets[index])
        found = [(first_id, article_id, article["feed_id"], entry_key(guid), guid, url, article["fetched_at"])]
        carriers = articles.extra_feeds[index]
        for position, carrier in enumerate(carriers[carriers >= 0].tolist(), 1):
            carrier_guid = f"urn:{outlets[carrier].slug}:{articles.ordinals[index]}"
            carrier_id = self.feed_ids[carrier]
            found.append(
                (first_id + position, article_id, carrier_id, entry_key(carrier_guid), carrier_guid, url, carried_at)
            )
        return found

    def _assessment_row(self, index: int, relevance_json: str, times: "_ArticleTimes", offset: int) -> tuple:
        articles, stories = self.plan.articles, self.plan.stories
        story, ordinal = int(articles.stories[index]), int(articles.ordinals[index])
        return (
            self.first.assessment + ordinal,
            self.first.article + ordinal,
            "relevant" if stories.is_relevant[story] else "not_relevant",
            LANGUAGES[stories.languages[story]],
            float(stories.relevance_scores[story]),
            relevance_json,
            self.first.story + story,
            int(articles.simhashes[index]),
            *times.bands[offset],
            self._tagger_version(int(articles.assessed_at[index])),
            times.assessed[offset],
        )

    # --- Stories --------------------------------------------------------------------------------------------------

    def _add_stories(self, rows: ChunkRows, start: int, stop: int) -> None:
        stories, articles = self.plan.stories, self.plan.articles
        leads = stories.starts[start:stop]
        first_at = iso(articles.published_at[leads])
        last_at = iso(self.last_published_at[start:stop])
        created_at = iso(articles.assessed_at[leads])
        lead_ids = (self.first.article + articles.ordinals[leads]).tolist()
        sizes = stories.sizes[start:stop].tolist()
        for offset, index in enumerate(range(start, stop)):
            rows.stories.append(
                (
                    self.first.story + index,
                    first_at[offset],
                    last_at[offset],
                    sizes[offset],
                    lead_ids[offset],
                    created_at[offset],
                )
            )

    # --- Tags -----------------------------------------------------------------------------------------------------

    def _add_tags(self, rows: ChunkRows, start: int, stop: int, texts: dict[int, StoryText]) -> None:
        tags, articles = self.plan.tags, self.plan.articles
        first, last = np.searchsorted(tags.articles, [start, stop])
        decided_at = iso(tags.decided_at[first:last])
        created_at = iso(articles.assessed_at[tags.articles[first:last]])
        evidence_json: dict[tuple[int, int], str] = {}
        for offset, index in enumerate(range(first, last)):
            article, signal = int(tags.articles[index]), int(tags.signals[index])
            decision = DECISIONS[tags.decisions[index]]
            is_added = bool(tags.is_curator_added[index])
            evidence = self._tag_evidence(article, signal, is_added, texts, evidence_json)
            # A curator's own tag appears when they add it; the tagger's with the article's assessment.
            created = decided_at[offset] if is_added else created_at[offset]
            rows.tags.append(
                (
                    self.first.tag + index,
                    self.first.article + int(articles.ordinals[article]),
                    self.signal_ids[signal],
                    float(tags.confidences[index]),
                    evidence,
                    "curator" if is_added else "auto",
                    decision,
                    self.curator_id if decision else None,
                    decided_at[offset] if decision else None,
                    "" if is_added else self._tagger_version(int(articles.assessed_at[article])),
                    created,
                    decided_at[offset] if decision else created,
                )
            )

    def _tag_evidence(
        self, article: int, signal: int, is_added: bool, texts: dict[int, StoryText], cache: dict[tuple[int, int], str]
    ) -> str:
        """The sentences behind a tag as JSON: the story's for the tagger's tags (shared by its copies), or a note."""
        if is_added:
            return to_json([{"sentence": self.detail_writer.curator_note(), "terms": []}])
        key = (int(self.plan.articles.stories[article]), signal)
        if key not in cache:
            cache[key] = to_json(texts[key[0]].evidence.get(self.plan.signal_slugs[signal], []))
        return cache[key]


@dataclass(frozen=True)
class _ArticleTimes:
    """A chunk's article times as text, and fingerprint bands, computed for the whole chunk at once."""

    published: list[str]
    fetched: list[str]
    assessed: list[str]
    carried: list[str]
    bands: list[list[int]]


def article_html(paragraphs: tuple[str, ...], has_full_content: bool) -> tuple[str, str, str]:
    """(summary_html, content_html, body text) as ingest stores them: a summary-only feed sends it all as summary."""
    as_html = "".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in paragraphs)
    body = "\n".join(paragraphs)
    if has_full_content and len(paragraphs) > 1:
        return f"<p>{html.escape(paragraphs[0], quote=False)}</p>", as_html, body
    return as_html, "", body


def simhash_bands(simhashes: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The four 16-bit bands of each fingerprint, lowest bits first, as tracker.stories.simhash_bands."""
    unsigned = simhashes.view(np.uint64)
    mask = np.uint64((1 << BAND_BITS) - 1)
    bands = [(unsigned >> np.uint64(BAND_BITS * index)) & mask for index in range(4)]
    return np.column_stack(bands).astype(np.int64).tolist()
