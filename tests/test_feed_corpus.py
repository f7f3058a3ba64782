"""The whole shared feed corpus goes through parse and store without a crash, and nothing executable comes out.

Every file becomes one feed. The corpus is ingested once for this module and removed afterwards; the tests then
look at what was stored and at the article pages a reader would see. Run with -s to see the counts.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from ingest.models import Article, ArticleSource, Feed
from ingest.parse import NotAFeedError, ParsedEntry, ParsedFeed, parse_feed
from ingest.store import store_entries
from tests.conftest import SHARED_DIR
from tests.test_sanitize import DangerFinder, find_dangerous_markup

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

FETCHED_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
CORPUS_FEED_URL = "https://corpus.test/"
NOT_FEED_NAMES = {"LICENSE", "README", "SOURCES"}
NOT_FEED_SUFFIXES = {".tsv", ".md"}
MIN_RENDERED_ARTICLES = 200
# SOURCES.tsv counts feedparser's entries; scriptingNews lists two of its guids twice, and a guid is stored once.
REPEATED_ENTRIES = {"netnewswire__scriptingNews.rss": 2}
# The page around the article has its own stylesheet link, meta tags and log-out form; only these may appear.
PAGE_CHROME_PROBLEMS = {"<meta> element", "<link> element", "<form> element", "<input> element", "<button> element"}
# feedparser-tests files start with a comment listing the HTTP headers their upstream harness served them with.
HEADER_LINE = re.compile(r"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
LEADING_COMMENT = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?<!--(.*?)-->", re.DOTALL)


@dataclass
class CorpusReport:
    files: int = 0
    not_a_feed: list[str] = field(default_factory=list)
    with_warning: int = 0
    entries_parsed: int = 0
    articles_created: int = 0
    articles_linked: int = 0
    failures: list[str] = field(default_factory=list)
    parsed_problems: list[str] = field(default_factory=list)
    feeds: dict[str, Feed] = field(default_factory=dict)


def corpus_files(feeds_dir: Path) -> Iterator[Path]:
    for path in sorted(feeds_dir.rglob("*")):
        is_license = "LICENSES" in path.parts
        if (
            path.is_file()
            and not is_license
            and path.stem not in NOT_FEED_NAMES
            and path.suffix not in NOT_FEED_SUFFIXES
        ):
            yield path


def simulated_headers(body: bytes) -> dict[str, str]:
    """The "Header:" lines of the file's leading comment, as lower-case header names."""
    comment = LEADING_COMMENT.match(body[:4096].decode("latin-1"))
    if not comment:
        return {}
    return {name.lower(): value for name, value in HEADER_LINE.findall(comment.group(1))}


def parse_corpus_file(path: Path) -> ParsedFeed:
    """Parse the file as if served with the headers its leading comment lists (an unsafe base URL is ignored)."""
    body = path.read_bytes()
    headers = simulated_headers(body)
    return parse_feed(
        body, FETCHED_AT, content_type=headers.get("content-type", ""), base_url=headers.get("content-location", "")
    )


def is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def entry_problems(entry: ParsedEntry) -> list[str]:
    problems = find_dangerous_markup(entry.summary_html) + find_dangerous_markup(entry.content_html)
    if "<script" in entry.title.lower():
        problems.append(f"title {entry.title!r}")
    if entry.link and not is_http(entry.link):
        problems.append(f"link {entry.link!r}")
    return problems


def ingest_file(path: Path, name: str, report: CorpusReport) -> None:
    feed = Feed.objects.create(url=CORPUS_FEED_URL + name, title=name[:500])
    report.feeds[name] = feed
    try:
        parsed = parse_corpus_file(path)
    except NotAFeedError:
        report.not_a_feed.append(name)
        return
    report.with_warning += bool(parsed.warning)
    report.entries_parsed += len(parsed.entries)
    report.parsed_problems += [f"{name}: {problem}" for entry in parsed.entries for problem in entry_problems(entry)]
    result = store_entries(feed, parsed.entries, FETCHED_AT)
    report.articles_created += len(result.new_ids)
    report.articles_linked += len(result.linked_ids)


def ingest_corpus(feeds_dir: Path) -> CorpusReport:
    report = CorpusReport()
    for path in corpus_files(feeds_dir):
        name = path.relative_to(feeds_dir).as_posix()
        report.files += 1
        try:
            ingest_file(path, name, report)
        except Exception as error:  # every crash is collected, so one run names every failing file
            report.failures.append(f"{name}: {type(error).__name__}: {error}")
    return report


def print_report(report: CorpusReport) -> None:
    print(
        f"\nfeed corpus: {report.files} files, {len(report.not_a_feed)} not a feed, "
        f"{report.with_warning} parsed with a warning, {report.entries_parsed} entries parsed, "
        f"{report.articles_created} articles stored, {report.articles_linked} linked to an existing article, "
        f"{len(report.failures)} failures"
    )
    print("not a feed:", ", ".join(report.not_a_feed))


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker) -> Iterator[CorpusReport]:
    """The corpus ingested once and committed, so every test here can look at it; removed afterwards."""
    feeds_dir = SHARED_DIR / "feeds"
    if not feeds_dir.is_dir():
        pytest.skip(f"the shared feed corpus is absent: expected it at {feeds_dir}")
    with django_db_blocker.unblock():
        report = ingest_corpus(feeds_dir)
        print_report(report)
        try:
            yield report
        finally:
            Feed.objects.filter(url__startswith=CORPUS_FEED_URL).delete()


def corpus_articles():
    return Article.objects.filter(feed__url__startswith=CORPUS_FEED_URL)


def test_every_corpus_file_parses_and_stores_without_error(corpus):
    assert corpus.files > 1000
    assert corpus.failures == [], "\n".join(corpus.failures)


def test_most_corpus_files_are_feeds_with_entries(corpus):
    assert len(corpus.not_a_feed) < corpus.files / 10
    assert corpus.articles_created > 1000


def test_no_parsed_entry_carries_executable_markup(corpus):
    # Checked before storing too, because an entry linked to an existing article never has its HTML stored.
    assert corpus.parsed_problems == [], "\n".join(corpus.parsed_problems)


def stored_problems(article: Article) -> list[str]:
    problems = find_dangerous_markup(article.summary_html) + find_dangerous_markup(article.content_html)
    if "<script" in article.title.lower():
        problems.append(f"title {article.title!r}")
    if article.canonical_url and not is_http(article.canonical_url):
        problems.append(f"canonical URL {article.canonical_url!r}")
    return problems


def test_no_stored_article_carries_executable_markup(corpus):
    problems = [
        f"{article.feed.url.removeprefix(CORPUS_FEED_URL)}: {problem}"
        for article in corpus_articles().select_related("feed")
        for problem in stored_problems(article)
    ]
    assert problems == [], "\n".join(problems)


def test_every_stored_source_link_is_http(corpus):
    links = ArticleSource.objects.filter(feed__url__startswith=CORPUS_FEED_URL).exclude(link="")
    unsafe = [link for link in links.values_list("link", flat=True) if not is_http(link)]
    assert unsafe == []


def test_stored_text_has_no_nul_characters(corpus):
    fields = ("title", "summary_html", "content_html", "text", "author", "guid")
    with_nul = [
        f"{article.feed.url}: {name}"
        for article in corpus_articles().select_related("feed")
        for name in fields
        if "\x00" in getattr(article, name)
    ]
    assert with_nul == []


def test_each_real_world_feed_stores_one_source_per_distinct_entry(corpus):
    with open(SHARED_DIR / "feeds" / "real-world" / "SOURCES.tsv", newline="", encoding="utf-8") as sources:
        listed = {row["file"]: int(row["entries"]) for row in csv.DictReader(sources, delimiter="\t")}
    expected = {name: count - REPEATED_ENTRIES.get(name, 0) for name, count in listed.items()}
    stored = {name: corpus.feeds[f"real-world/{name}"].entries.count() for name in expected}
    assert stored == expected


def test_ingesting_the_corpus_again_adds_nothing(corpus):
    added = []
    for path in corpus_files(SHARED_DIR / "feeds"):
        name = path.relative_to(SHARED_DIR / "feeds").as_posix()
        if name in corpus.not_a_feed or name not in corpus.feeds:
            continue
        result = store_entries(corpus.feeds[name], parse_corpus_file(path).entries, FETCHED_AT)
        if result.new_ids or result.linked_ids:
            added.append(f"{name}: {len(result.new_ids)} new, {len(result.linked_ids)} linked")
    assert added == []


class ContentRegionDangerFinder(DangerFinder):
    """Dangerous markup inside the page's <div class="content">, where the stored article HTML is rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.has_found_region = False
        self.div_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.div_depth:
            super().handle_starttag(tag, attrs)
            self.div_depth += tag == "div"
        elif tag == "div" and "content" in (dict(attrs).get("class") or "").split():
            self.has_found_region = True
            self.div_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.div_depth and tag == "div":
            self.div_depth -= 1


def rendered_sample(corpus: CorpusReport) -> list[int]:
    """Every article from the sanitizer and real-world files, topped up with others to the minimum."""
    risky = ArticleSource.objects.filter(
        feed__url__startswith=CORPUS_FEED_URL, feed__url__regex=r"/(wellformed/sanitize|real-world)/"
    )
    sample = set(risky.values_list("article_id", flat=True))
    others = corpus_articles().exclude(pk__in=sample).order_by("pk").values_list("pk", flat=True)
    sample.update(others[: max(MIN_RENDERED_ARTICLES - len(sample), 0)])
    return sorted(sample)


def page_problems(page: str, has_body: bool) -> list[str]:
    region = ContentRegionDangerFinder()
    region.feed(page)
    region.close()
    if region.has_found_region:
        problems = region.problems
    else:
        # An article without a summary or content gets no empty box.
        problems = ['no <div class="content"> on the page'] if has_body else []
    return problems + [problem for problem in find_dangerous_markup(page) if problem not in PAGE_CHROME_PROBLEMS]


@pytest.fixture
def reader_client(client, django_user_model, settings):
    # Rendering needs no collected static files: the manifest storage would demand a collectstatic run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    reader = django_user_model.objects.create_user(username="corpus-reader", password="unused-password-1")
    reader.groups.add(Group.objects.get(name="analyst"))
    client.force_login(reader)
    return client


@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
def test_rendered_article_pages_carry_no_executable_markup(corpus, reader_client):
    sample = rendered_sample(corpus)
    problems = []
    bodies = {
        article.pk: (article.content_html or article.summary_html).strip()
        for article in Article.objects.filter(pk__in=sample)
    }
    for article_id in sample:
        response = reader_client.get(reverse("article-detail", args=[article_id]))
        assert response.status_code == 200, f"article {article_id}"
        found = page_problems(response.content.decode(), has_body=bool(bodies[article_id]))
        problems += [f"article {article_id}: {problem}" for problem in found]
    print(f"\nrendered {len(sample)} article pages")
    assert len(sample) >= MIN_RENDERED_ARTICLES
    assert problems == [], "\n".join(problems)
