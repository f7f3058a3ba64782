"""The Content-Security-Policy on every page, the pages' own markup within it, and plotly.js served as a static file.

Whether the charts really draw under this policy with nothing refused is checked in a browser by test_browser.py.
"""

import base64
import hashlib
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.templatetags.static import static
from django.urls import reverse

from tests.dashboard_helpers import HOSTILE_STRINGS, make_user, tagged_article
from tests.factories import make_feed
from tracker import csp
from tracker.roles import ADMIN, ANALYST, CURATOR
from tracker.staticfinders import PLOTLY_STATIC_PATH, plotly_package_data

pytestmark = pytest.mark.django_db
PROJECT_DIR = Path(__file__).resolve().parent.parent


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def hash_of(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def article():
    hostile = " ".join(HOSTILE_STRINGS)
    return tagged_article(
        make_feed(title=f"Feed {hostile}"),
        {"visit": 0.9},
        title=f"Title {hostile}",
        summary_html="<p>Talks ended.</p>",
        evidence=f"Shoigu arrived {hostile}",
        terms=("Shoigu",),
    )


def every_url(article) -> list[str]:
    return [
        reverse("home"),
        reverse("article-list"),
        reverse("article-detail", args=[article.pk]),
        reverse("chart-data", args=["timeline"]),
        reverse("chart-csv", args=["timeline"]),
        reverse("articles-export", args=["csv"]),
        reverse("signals-feed"),
        reverse("signal-types-css"),
        reverse("admin:tracker_tag_changelist"),
    ]


# --- The header ------------------------------------------------------------------------------------------------


def test_the_login_page_and_every_page_of_every_role_carry_the_policy(client, article):
    assert directives(client.get(reverse("login")))["script-src"] == ["'self'"]
    for role in (ANALYST, CURATOR, ADMIN):
        client.force_login(make_user(role))
        for url in every_url(article):
            response = client.get(url)
            assert response.status_code in (200, 302), url
            assert directives(response)["script-src"] == ["'self'"], url


def test_the_policy_is_strict(client):
    policy = directives(client.get(reverse("login")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    everything = [value for values in policy.values() for value in values]
    assert "'unsafe-inline'" not in everything and "'unsafe-eval'" not in everything
    assert not [value for value in everything if value.startswith(("'nonce-", "http", "*"))]
    # Styles: this site's files plus hashes of exact texts, no way to allow any other inline style.
    assert policy["style-src"][0] == "'self'" and all(v.startswith("'sha256-") for v in policy["style-src"][1:])
    assert policy["style-src-attr"][0] == "'unsafe-hashes'"
    assert all(value.startswith("'sha256-") for value in policy["style-src-attr"][1:])


def test_every_inline_style_the_policy_allows_is_one_the_installed_plotly_writes():
    plotly_js = (plotly_package_data() / "plotly.min.js").read_text(encoding="utf-8")
    for text in csp.PLOTLY_LABEL_STYLES:
        assert f'"{text}"' in plotly_js, text
    for value in re.findall(r"image-rendering: ([^;]+);", csp.PLOTLY_HEATMAP_RENDERING):
        assert f'["image-rendering","{value}"]' in plotly_js, value
    start = plotly_js.index("e.textContent='.maplibregl-map") + len("e.textContent='")
    map_stylesheet = plotly_js[start : plotly_js.index("'", start)]
    assert hash_of(map_stylesheet) == csp.PLOTLY_MAP_STYLESHEET_HASH, "plotly changed: update the map stylesheet hash"
    assert csp.sha256_source("") == hash_of("")


# --- The pages' own markup ---------------------------------------------------------------------------------------


class InlineCodeFinder(HTMLParser):
    """Inline scripts, event handlers, style attributes and <style> elements: what the policy would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.script_sources: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.in_script = True
            if not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"script from {attributes.get('src')!r}")
            self.script_sources.append(attributes.get("src") or "")
        if tag == "style":
            self.problems.append("<style> element")
        for name, _ in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}>")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = self.in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append("inline script text")


@pytest.mark.parametrize("role", [ANALYST, CURATOR])
def test_pages_hold_no_inline_script_handler_or_style(client, article, role):
    client.force_login(make_user(role))
    messages_page = client.post(
        reverse("tag-decide", args=[article.pk, article.tags.get().pk]), {"decision": "confirm"}, follow=True
    )
    pages = [client.get(url) for url in every_url(article)[:3]] + [messages_page, client.get(reverse("login"))]
    for response in pages:
        if response["Content-Type"].startswith("text/html"):
            finder = InlineCodeFinder()
            finder.feed(response.content.decode())
            assert finder.problems == [], response.request["PATH_INFO"]


# --- plotly.js as a static file -------------------------------------------------------------------------------


def test_plotly_is_served_from_the_plotly_package(client):
    response = client.get(static(PLOTLY_STATIC_PATH))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == (plotly_package_data() / "plotly.min.js").read_bytes()


def test_only_plotly_min_js_is_exposed_from_the_package(client):
    assert client.get(static("vendor/plotly/widgetbundle.js")).status_code == 404
    assert client.get(static("vendor/plotly/datasets/iris.csv.gz")).status_code == 404


def test_the_dashboard_script_and_colours_are_served(client):
    assert client.get(static("js/dashboard.js")).status_code == 200
    assert client.get(static("css/tracker.css")).status_code == 200


def run_with_manifest(code: str, static_root: Path) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "SECRET_KEY": "manifest-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/signals_tracker"),
        "STATIC_MANIFEST": "1",
        "STATIC_ROOT": str(static_root),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def test_plotly_is_collected_hashed_and_served_with_the_manifest_on(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "from django.templatetags.static import static\n"
        "from django.test import Client\n"
        f"url = static({PLOTLY_STATIC_PATH!r})\n"
        "response = Client().get(url)\n"
        "print(url, response.status_code, response.get('Cache-Control'), sep='|')\n"
    )
    completed = run_with_manifest(code, tmp_path)
    assert completed.returncode == 0, completed.stderr
    url, status, cache_control = completed.stdout.strip().splitlines()[-1].split("|")
    assert re.fullmatch(r"/static/vendor/plotly/plotly\.min\.[0-9a-f]{12}\.js", url)
    assert status == "200" and "immutable" in cache_control
    collected = {path.name for path in (tmp_path / "vendor" / "plotly").iterdir()}
    assert {name.split(".")[0] for name in collected} == {"plotly"}, collected
