"""The retag command: which articles it picks, what it prints, and that curators' decisions outlive it.

It runs the real tagger on the rules in the database (the shipped lexicon).
"""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from ingest.models import Article
from tests.factories import make_article, make_feed
from tracker.decisions import confirm_tag, reject_tag
from tracker.models import Assessment, Rule, Tag

pytestmark = pytest.mark.django_db

ARMS_HEADLINE = "North Korea ships artillery shells to Russia"
ARMS_TEXT = (
    f"{ARMS_HEADLINE}\n"
    "North Korea has shipped more than a million artillery shells to Russia for its war in Ukraine, "
    "South Korea's intelligence service said on Monday. Officials in Seoul said the shells left the "
    "North Korean port of Rajin for Russia on cargo ships over the past three months."
)
DRILL_HEADLINE = "Russia and North Korea hold joint naval drills"
DRILL_TEXT = (
    f"{DRILL_HEADLINE}\n"
    "Russian and North Korean warships held joint naval drills in the Sea of Japan on Tuesday, "
    "the Russian defence ministry said. It was the first joint exercise of the two navies, Moscow and "
    "Pyongyang said, as North Korea and Russia deepen their military cooperation."
)


def run(*args: str) -> tuple[str, str]:
    """Run retag; return what it printed on stdout and on stderr (the progress bar)."""
    stdout, stderr = StringIO(), StringIO()
    call_command("retag", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def on(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 6, day, hour, 0, tzinfo=UTC)


def assessed_titles() -> set[str]:
    return set(Assessment.objects.values_list("article__title", flat=True))


def tag_on(article: Article, slug: str) -> Tag:
    return Tag.objects.get(article=article, signal__slug=slug)


@pytest.fixture
def feed():
    return make_feed(title="Northern Wire")


def test_retag_all_tags_every_article_and_prints_progress_and_a_summary(feed):
    arms = make_article(feed, title=ARMS_HEADLINE, text=ARMS_TEXT)
    drills = make_article(feed, title=DRILL_HEADLINE, text=DRILL_TEXT)
    make_article(feed, title="Record soybean harvest", text="Record soybean harvest\nFarmers in Brazil are happy.")

    output, progress = run("--all")

    assert assessed_titles() == {ARMS_HEADLINE, DRILL_HEADLINE, "Record soybean harvest"}
    assert tag_on(arms, "arms_deal").origin == "auto"
    assert tag_on(drills, "drill").origin == "auto"
    assert "3 assessed (2 relevant, 0 unreadable)" in output
    assert "3/3" in progress and "100%" in progress


def test_since_and_until_pick_articles_by_publication_date_with_whole_days(feed):
    for day in (9, 10, 11, 12):
        make_article(feed, title=f"June {day}", published_at=on(day, hour=23))

    run("--since", "2024-06-10", "--until", "2024-06-11")

    assert assessed_titles() == {"June 10", "June 11"}


def test_a_date_time_bound_is_taken_as_it_is(feed):
    make_article(feed, title="Morning", published_at=on(10, hour=8))
    make_article(feed, title="Evening", published_at=on(10, hour=20))

    run("--since", "2024-06-10T12:00:00+00:00")

    assert assessed_titles() == {"Evening"}


def test_feed_picks_every_article_the_feed_carried_and_article_picks_the_named_ones(feed):
    other_feed = make_feed(title="State Digest")
    first_carried = make_article(feed, title="First carried here")
    make_article(other_feed, also_in=(feed,), title="Also carried here")
    make_article(other_feed, title="Only elsewhere")
    named = make_article(other_feed, title="Named")

    run("--feed", str(feed.pk))
    assert assessed_titles() == {"First carried here", "Also carried here"}

    run("--article", str(named.pk), str(first_carried.pk))
    assert assessed_titles() == {"First carried here", "Also carried here", "Named"}


def test_a_small_batch_size_tags_the_same_as_one_batch(feed):
    for day in (10, 11, 12):
        make_article(feed, title=f"{ARMS_HEADLINE} ({day})", text=ARMS_TEXT, published_at=on(day))

    output, progress = run("--all", "--batch-size", "1")

    assert Tag.objects.filter(signal__slug="arms_deal").count() == 3
    assert "3 assessed (3 relevant" in output and "3/3" in progress


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Say which articles"),
        (("--all", "--since", "2024-06-01"), "Say which articles"),
        (("--feed", "0"), "No feed with id 0"),
    ],
)
def test_retag_refuses_an_unclear_selection(feed, args, message):
    make_article(feed)
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"), [(("--since", "June"), "not an ISO date"), (("--all", "--batch-size", "0"), "at least 1")]
)
def test_retag_refuses_malformed_options(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_nothing_to_tag_is_said_plainly(feed):
    output, _ = run("--since", "2030-01-01")
    assert output.strip() == "No articles to tag."


def test_curated_tags_survive_retag_while_automatic_ones_are_refreshed(feed):
    curator = User.objects.create_user("curator-on-duty")
    arms = make_article(feed, title=ARMS_HEADLINE, text=ARMS_TEXT, published_at=on(10))
    drills = make_article(feed, title=DRILL_HEADLINE, text=DRILL_TEXT, published_at=on(11))
    left_to_the_tagger = make_article(feed, title=DRILL_HEADLINE, text=DRILL_TEXT, published_at=on(20))
    run("--all")
    confirmed = confirm_tag(tag_on(arms, "arms_deal"), curator)
    rejected = reject_tag(tag_on(drills, "drill"), curator)
    curated_rows = list(Tag.objects.filter(pk__in=[confirmed.pk, rejected.pk]).order_by("pk").values())
    automatic = tag_on(left_to_the_tagger, "drill")
    # A new rule gives the tagger a new version, so the automatic tags are rewritten with it.
    Rule.objects.create(kind="trigger", signal=confirmed.signal, pattern="howitzer ammunition")

    run("--all")

    assert list(Tag.objects.filter(pk__in=[confirmed.pk, rejected.pk]).order_by("pk").values()) == curated_rows
    refreshed = tag_on(left_to_the_tagger, "drill")
    assert refreshed.pk == automatic.pk
    assert refreshed.tagger_version != automatic.tagger_version
    assert refreshed.tagger_version == Assessment.objects.get(article=left_to_the_tagger).tagger_version
