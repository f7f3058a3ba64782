"""Rows and logins for the dashboard's tests: tagged articles and one user per role."""

from datetime import UTC, datetime

from django.contrib.auth.models import Group, User

from ingest.models import Article, Feed
from tests.factories import make_article
from tracker.models import Assessment, SignalType, Story, Tag
from tracker.readmodel.refresh import refresh_read_model
from tracker.roles import ADMIN, ANALYST, CURATOR

PASSWORD = "not-a-demo-password-4821"
HOSTILE_STRINGS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
]


def at(day: int, month: int = 6, year: int = 2024) -> datetime:
    return datetime(year, month, day, 10, tzinfo=UTC)


def tagged_article(
    feed: Feed,
    signals: dict[str, float],
    *,
    published_at: datetime | None = None,
    language: str = "en",
    evidence: str = "",
    terms: tuple[str, ...] = (),
    story: Story | None = None,
    **values,
) -> Article:
    """An assessed, relevant article carrying the given signals (slug: confidence)."""
    article = make_article(feed, published_at=published_at or at(3), **values)
    Assessment.objects.create(article=article, status=Assessment.Status.RELEVANT, language=language, story=story)
    for slug, confidence in signals.items():
        items = [{"sentence": evidence, "terms": list(terms)}] if evidence else []
        Tag.objects.create(article=article, signal=signal(slug), confidence=confidence, evidence=items)
    refresh_read_model()  # as a tagging batch does: reads never refresh
    return article


def signal(slug: str) -> SignalType:
    return SignalType.objects.get(slug=slug)


def make_user(role: str | None, username: str | None = None) -> User:
    """A user in the role's group; curators and admins are staff, as the demo makes them."""
    user = User.objects.create_user(username or f"{role or 'nobody'}-user", password=PASSWORD)
    if role:
        user.groups.add(Group.objects.get(name=role))
        user.is_staff = role in (CURATOR, ADMIN)
        user.save()
    return user


ROLES = (ANALYST, CURATOR, ADMIN)
