"""An Atom feed of the newest signals for any filter, readable by feed readers without a browser session.

A feed reader cannot log in, so each user's feed links carry a signed token naming them. The token also holds a
digest of the user's password hash: changing the password revokes every feed link given out before.
"""

from dataclasses import replace

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.contrib.syndication.views import Feed
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from ingest.models import Article
from tracker.filters import SignalFilter
from tracker.readmodel import filtered_articles
from tracker.roles import holds_a_role
from tracker.views.filtering import invalid_filter_response, read_filter, with_query

FEED_ENTRIES = 50
FEED_TOKEN_SALT = "tracker.views.feeds.token"


# --- Tokens ------------------------------------------------------------------------------------------


def password_digest(user) -> str:
    return salted_hmac(FEED_TOKEN_SALT, user.password, algorithm="sha256").hexdigest()[:20]


def feed_token(user) -> str:
    return signing.dumps({"user": user.pk, "key": password_digest(user)}, salt=FEED_TOKEN_SALT)


def user_from_token(token: str):
    """The user the token was made for, or None if it is forged, malformed or revoked, or he has no role now."""
    try:
        claims = signing.loads(token, salt=FEED_TOKEN_SALT)
        user = get_user_model().objects.filter(pk=claims["user"], is_active=True).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not constant_time_compare(str(claims.get("key")), password_digest(user)):
        return None
    return user if holds_a_role(user) else None


def feed_url(user, signal_filter: SignalFilter) -> str:
    """The feed of this filter, with the user's token: a link to paste into a feed reader."""
    return with_query(reverse("signals-feed"), signal_filter.to_query(include_view=False), token=feed_token(user))


# --- The feed ----------------------------------------------------------------------------------------


class SignalsFeed(Feed):
    feed_type = Atom1Feed
    title = "RU–DPRK Signals Tracker: new signals"
    subtitle = "The newest tagged articles matching a filter, with their signals and confidence."

    def get_object(self, request: HttpRequest, signal_filter: SignalFilter) -> SignalFilter:
        # The feed's "self" link is what a reader subscribes to: it keeps the filter and the token.
        self.subscribed_path = request.get_full_path()
        return replace(signal_filter, sort="-date")

    def feed_url(self) -> str:
        return self.subscribed_path

    def link(self, signal_filter: SignalFilter) -> str:
        return with_query(reverse("article-list"), signal_filter.to_query(include_view=False))

    def items(self, signal_filter: SignalFilter) -> list[Article]:
        return list(filtered_articles(signal_filter)[:FEED_ENTRIES])

    def item_title(self, article: Article) -> str:
        return article.title or "(untitled)"

    def item_link(self, article: Article) -> str:
        return reverse("article-detail", args=[article.pk])

    def item_description(self, article: Article) -> str:
        """Atom carries this as HTML: every piece of text in it is escaped."""
        signals = ((tag.signal.name, f"{tag.confidence:.2f}") for tag in article.visible_tags)
        items = format_html_join("", "<li>{} (confidence {})</li>", signals)
        return format_html("<p>{}</p><ul>{}</ul>", article.feed, items)

    def item_pubdate(self, article: Article):
        return article.published_at

    def item_updateddate(self, article: Article):
        return article.updated_at

    def item_author_name(self, article: Article) -> str:
        return str(article.feed)

    def item_categories(self, article: Article) -> list[str]:
        return [tag.signal.name for tag in article.visible_tags]


def signals_feed(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token")
    if token:
        if user_from_token(token) is None:
            return HttpResponseForbidden("This feed link is not valid any more: copy a new one from the dashboard.")
    elif not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    elif not holds_a_role(request.user):
        raise PermissionDenied
    signal_filter, form = read_filter(request)
    if signal_filter is None:
        return invalid_filter_response(form)
    response = SignalsFeed()(request, signal_filter=signal_filter)
    response["Cache-Control"] = "private, max-age=300"
    return response
