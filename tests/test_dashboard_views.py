"""The overview and the list: filters read from the URL and kept in every link, charts wired to their data."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from ingest.models import SourceKind
from tests.dashboard_helpers import at, signal, tagged_article
from tests.factories import make_feed
from tracker.chart_data import CHART_NAMES
from tracker.models import SignalType
from tracker.readmodel.refresh import refresh_read_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeds():
    return {
        "state": make_feed(title="State Wire", source_kind=SourceKind.STATE_MEDIA),
        "agency": make_feed(title="Agency Wire", source_kind=SourceKind.NEWS_AGENCY),
    }


def attribute_values(page: str, attribute: str) -> list[str]:
    return [unescape(value) for value in re.findall(rf'{attribute}="([^"]*)"', page)]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def listed_titles(response) -> list[str]:
    return [article.title for article in response.context["page"].articles]


# --- The overview -------------------------------------------------------------------------------------------


def test_overview_has_a_chart_container_per_chart_fed_by_the_current_filter(client, analyst, feeds):
    page = client.get(reverse("home"), {"signal": "visit", "from": "2024-06-01", "period": "month"}).content.decode()
    sources = attribute_values(page, "data-src")
    assert [urlsplit(src).path for src in sources] == [reverse("chart-data", args=[name]) for name in CHART_NAMES]
    for src in sources:
        assert query_of(src) == {"signal": ["visit"], "from": ["2024-06-01"], "period": ["month"]}
    csv_links = [href for href in attribute_values(page, "href") if href.startswith("/charts/")]
    assert [urlsplit(href).path for href in csv_links] == [reverse("chart-csv", args=[name]) for name in CHART_NAMES]
    assert page.count("<summary>Data</summary>") == len(CHART_NAMES)


def test_overview_loads_plotly_and_the_dashboard_script_from_static_files(client, analyst):
    page = client.get(reverse("home")).content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == [
        '<script src="/static/vendor/plotly/plotly.min.js" defer>',
        '<script src="/static/js/dashboard.js" defer>',
    ]


def test_overview_counts_the_signals_and_lists_the_first_matching_articles(client, analyst, feeds):
    tagged_article(feeds["state"], {"visit": 0.9, "drill": 0.8}, title="Shoigu visits Pyongyang")
    tagged_article(feeds["agency"], {"denial": 0.7}, title="Kremlin denies shipments")
    response = client.get(reverse("home"), {"signal": ["visit", "drill"]})
    assert response.context["signal_total"] == 2
    assert listed_titles(response) == ["Shoigu visits Pyongyang"]
    page = response.content.decode()
    assert f'href="{reverse("article-list")}?signal=visit&amp;signal=drill"' in page


def test_filter_errors_are_shown_and_the_rest_of_the_filter_still_applies(client, analyst, feeds):
    tagged_article(feeds["state"], {"visit": 0.9}, title="Shoigu visits Pyongyang")
    tagged_article(feeds["agency"], {"denial": 0.7}, title="Kremlin denies shipments")
    response = client.get(reverse("home"), {"from": "2024-13-45", "signal": ["visit", "nonsense"]})
    page = response.content.decode()
    assert 'role="alert"' in page and "Enter a valid date." in page
    assert "Select a valid choice. nonsense is not one of the available choices." in page
    reversed_dates = client.get(reverse("article-list"), {"from": "2024-06-10", "to": "2024-06-01"})
    assert "The end date is before the start date." in reversed_dates.content.decode()


def test_the_filter_form_shows_the_current_filter_and_the_default_view(client, analyst, feeds):
    page = client.get(reverse("home"), {"from": "2024-06-01", "kind": "state_media", "q": "Shoigu"}).content.decode()
    assert 'name="from" value="2024-06-01"' in page and 'name="q" value="Shoigu"' in page
    assert re.search(r'<input type="checkbox" name="kind" value="state_media"[^>]* checked>', page)
    # With no period in the URL the view counts per week: the form must say so, or its next change would send "day".
    assert '<option value="week" selected>' in page and '<option value="-date" selected>' in page


def test_filter_form_submits_with_get_to_the_same_page(client, analyst):
    for url in (reverse("home"), reverse("article-list")):
        page = client.get(url).content.decode()
        assert '<form method="get" action="" class="filters" data-autosubmit' in page


# --- The list -----------------------------------------------------------------------------------------------


def test_list_applies_every_kind_of_filter(client, analyst, feeds):
    tagged_article(feeds["state"], {"visit": 0.95}, title="State visit", language="ko", published_at=at(3))
    tagged_article(feeds["agency"], {"visit": 0.62}, title="Agency visit", language="en", published_at=at(10))
    tagged_article(feeds["agency"], {"drill": 0.81}, title="Agency drill", language="en", published_at=at(20))

    def titles(**query) -> set[str]:
        return set(listed_titles(client.get(reverse("article-list"), query)))

    assert titles() == {"State visit", "Agency visit", "Agency drill"}
    assert titles(signal="visit") == {"State visit", "Agency visit"}
    assert titles(kind="state_media") == {"State visit"}
    assert titles(feed=str(feeds["agency"].pk)) == {"Agency visit", "Agency drill"}
    assert titles(lang="en") == {"Agency visit", "Agency drill"}
    assert titles(min_conf="0.8") == {"State visit", "Agency drill"}
    assert titles(**{"from": "2024-06-05", "to": "2024-06-15"}) == {"Agency visit"}


def test_list_sorts_by_date_either_way_and_by_confidence(client, analyst, feeds):
    tagged_article(feeds["state"], {"visit": 0.7}, title="Middle", published_at=at(10))
    tagged_article(feeds["state"], {"visit": 0.9}, title="Oldest", published_at=at(3))
    tagged_article(feeds["state"], {"visit": 0.5}, title="Newest", published_at=at(20))

    def titles(sort: str) -> list[str]:
        return listed_titles(client.get(reverse("article-list"), {"sort": sort}))

    assert titles("-date") == ["Newest", "Middle", "Oldest"]
    assert titles("date") == ["Oldest", "Middle", "Newest"]
    assert titles("-confidence") == ["Oldest", "Middle", "Newest"]


def test_list_offers_best_match_ordering_and_accepts_it(client, analyst, feeds):
    tagged_article(feeds["state"], {"visit": 0.9}, title="Shoigu in Pyongyang")
    response = client.get(reverse("article-list"), {"q": "Shoigu", "sort": "-rank"})
    assert not response.context["form"].errors
    assert '<option value="-rank" selected>' in response.content.decode()


def test_list_pages_keep_the_filter_and_link_newer_and_older_pages(client, analyst, feeds):
    for day in range(1, 26):
        tagged_article(feeds["state"], {"visit": 0.9}, title=f"Visit {day:02d}", published_at=at(day))
    first = client.get(reverse("article-list"), {"signal": "visit", "per_page": "10"})
    assert listed_titles(first) == [f"Visit {day:02d}" for day in range(25, 15, -1)]
    next_url = first.context["next_url"]
    assert query_of(next_url) == {"signal": ["visit"], "per_page": ["10"], "page": ["2"]}
    assert first.context["previous_url"] == ""
    assert "Older →" in first.content.decode()

    last = client.get(next_url.replace("page=2", "page=3"))
    assert listed_titles(last) == [f"Visit {day:02d}" for day in range(5, 0, -1)]
    assert last.context["next_url"] == "" and query_of(last.context["previous_url"])["page"] == ["2"]
    assert "← Newer" in last.content.decode()


def test_the_list_never_runs_a_count_over_the_matches(client, analyst, feeds, django_assert_max_num_queries):
    tagged_article(feeds["state"], {"visit": 0.9})
    refresh_read_model()  # as the tagging task does after every batch
    with django_assert_max_num_queries(10) as captured:
        client.get(reverse("article-list"), {"page": "2", "per_page": "10"})
    assert not [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]


def test_unknown_page_sizes_and_page_numbers_are_reported_with_the_default_size_shown(client, analyst, feeds):
    response = client.get(reverse("article-list"), {"per_page": "100000"})
    assert response.status_code == 400 and response.context["form"].errors["per_page"]
    assert response.context["per_page"] == 50
    banana = client.get(reverse("article-list"), {"page": "banana"})
    assert banana.status_code == 400 and "Page: Enter a whole number." in banana.content.decode()


def test_export_links_carry_the_filter(client, analyst):
    page = client.get(reverse("article-list"), {"signal": "drill", "lang": "ru"}).content.decode()
    hrefs = attribute_values(page, "href")
    for fmt in ("csv", "json"):
        link = next(href for href in hrefs if href.startswith(reverse("articles-export", args=[fmt])))
        assert query_of(link) == {"signal": ["drill"], "lang": ["ru"]}
    atom = next(href for href in hrefs if href.startswith(reverse("signals-feed")))
    assert query_of(atom)["signal"] == ["drill"] and query_of(atom)["token"]


# --- Charts and drill-down ------------------------------------------------------------------------------------


def test_each_chart_endpoint_returns_a_plotly_figure_table_and_notes(client, analyst, feeds):
    tagged_article(feeds["state"], {"visit": 0.9}, published_at=at(3))
    for name in CHART_NAMES:
        response = client.get(reverse("chart-data", args=[name]))
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        payload = response.json()
        assert payload["name"] == name and payload["figure"]["data"] and payload["table"]["rows"]
        assert isinstance(payload["notes"], list)


def test_an_unknown_chart_is_not_found(client, analyst):
    assert client.get(reverse("chart-data", args=["pie"])).status_code == 404
    assert client.get(reverse("chart-csv", args=["pie"])).status_code == 404


def test_a_bars_drill_down_link_lists_exactly_its_articles(client, analyst, feeds):
    tagged_article(feeds["state"], {"visit": 0.9}, title="Monday visit", published_at=at(3))
    tagged_article(feeds["state"], {"visit": 0.9}, title="Next week's visit", published_at=at(10))
    tagged_article(feeds["state"], {"drill": 0.9}, title="Same week's drill", published_at=at(4))
    payload = client.get(reverse("chart-data", args=["timeline"])).json()
    visit_bars = next(trace for trace in payload["figure"]["data"] if trace.get("name") == signal("visit").name)
    link = next(url for x, url in zip(visit_bars["x"], visit_bars["customdata"], strict=True) if x == "2024-06-03")
    assert link.startswith(reverse("article-list") + "?")
    assert listed_titles(client.get(link)) == ["Monday visit"]


# --- Signal colours ------------------------------------------------------------------------------------------


def test_signal_colours_come_from_the_signal_types_as_a_stylesheet(client, analyst):
    visit = signal("visit")
    visit.colour = "#123456"
    visit.save()
    response = client.get(reverse("signal-types-css"))
    assert response["Content-Type"] == "text/css"
    css = response.content.decode()
    assert '[data-signal="visit"] { --signal-colour: #123456; --signal-ink: #ffffff; }' in css
    assert '[data-signal="aid_trade"]' in css


def test_a_colour_or_slug_that_could_break_out_of_css_is_left_out(client, analyst):
    drill = signal("drill")
    drill.colour = "red}*{"
    drill.save()
    SignalType.objects.create(slug='bad"]{x', name="Bad", colour="#ffffff")
    css = client.get(reverse("signal-types-css")).content.decode()
    assert "drill" not in css and "bad" not in css and "}*{" not in css


def test_the_colour_stylesheet_is_revalidated_cheaply(client, analyst):
    first = client.get(reverse("signal-types-css"))
    again = client.get(reverse("signal-types-css"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "no-cache" in first["Cache-Control"]


def test_light_colours_get_dark_text(client, analyst):
    aid = signal("aid_trade")
    aid.colour = "#ffe680"
    aid.save()
    css = client.get(reverse("signal-types-css")).content.decode()
    assert '[data-signal="aid_trade"] { --signal-colour: #ffe680; --signal-ink: #1d2330; }' in css


def test_the_filter_forms_choices_mark_their_defaults_for_the_script(client, analyst):
    page = client.get(reverse("article-list")).content.decode()
    assert re.search(r'<select name="period"[^>]* data-default="week"', page)
    assert re.search(r'<select name="sort"[^>]* data-default="-date"', page)
    assert '<select name="per_page" data-default="50">' in page


@pytest.mark.parametrize(
    ("name", "args", "path"),
    [
        ("home", [], "/"),
        ("article-list", [], "/articles/"),
        ("article-detail", [7], "/articles/7/"),
        ("chart-data", ["timeline"], "/charts/timeline.json"),
        ("chart-csv", ["source_kinds"], "/charts/source_kinds.csv"),
        ("articles-export", ["csv"], "/articles/export.csv"),
        ("articles-export", ["json"], "/articles/export.json"),
        ("signals-feed", [], "/feeds/signals.atom"),
        ("tag-decide", [7, 9], "/articles/7/tags/9/decide"),
        ("tag-add", [7], "/articles/7/tags/add"),
    ],
)
def test_routes_have_the_agreed_names_and_paths(name, args, path):
    assert reverse(name, args=args) == path
