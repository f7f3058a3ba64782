"""The analyst's pages: the overview, the filtered article list and an article's detail."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from tracker.chart_data import CHART_NAMES
from tracker.filters import DEFAULT_PER_PAGE, PER_PAGE_CHOICES, FilterForm, SignalFilter
from tracker.models import SignalType
from tracker.readmodel import also_reported, article_page, articles_for_detail, signal_total
from tracker.roles import role_required
from tracker.views.exports import EXPORT_MAX_ROWS
from tracker.views.feeds import feed_url
from tracker.views.filtering import query_with, read_filter, with_query

OVERVIEW_ARTICLES = 10
# What the previous and next pages hold, in the list's order.
PAGER_LABELS = {"-date": ("Newer", "Older"), "date": ("Older", "Newer")}


@dataclass(frozen=True)
class ChartLinks:
    name: str
    label: str
    json_url: str
    csv_url: str


def chart_links(query: str) -> list[ChartLinks]:
    return [
        ChartLinks(
            name=name,
            label=name.replace("_", " ").capitalize(),
            json_url=with_query(reverse("chart-data", args=[name]), query),
            csv_url=with_query(reverse("chart-csv", args=[name]), query),
        )
        for name in CHART_NAMES
    ]


def export_links(request: HttpRequest, signal_filter: SignalFilter) -> dict[str, str]:
    query = signal_filter.to_query()
    return {
        "csv": with_query(reverse("articles-export", args=["csv"]), query),
        "json": with_query(reverse("articles-export", args=["json"]), query),
        "atom": feed_url(request.user, signal_filter),
        "max_rows": f"{EXPORT_MAX_ROWS:,}",
    }


@role_required
def overview(request: HttpRequest) -> HttpResponse:
    signal_filter, form = read_filter(request)
    if signal_filter is None:
        return invalid_filter_page(request, "tracker/overview.html", form)
    query = signal_filter.to_query()
    context = {
        "form": form,
        "filter": signal_filter,
        "charts": chart_links(query),
        "page": article_page(signal_filter, 1, per_page=OVERVIEW_ARTICLES),
        "signal_total": signal_total(signal_filter),
        "list_url": with_query(reverse("article-list"), query),
        "exports": export_links(request, signal_filter),
    }
    return render(request, "tracker/overview.html", context)


def invalid_filter_page(request: HttpRequest, template: str, form: FilterForm, **context) -> HttpResponse:
    """The page with the form and its errors, and no result at all.

    Whoever sent these filters wants them applied: a result with the invalid values left out (every article for
    a misspelt type) would pass for the answer. So the page shows only what to fix. It is a 400, like the data
    endpoints' answer to the same query, so that link checkers and scripts see the link is wrong; a browser
    shows the page all the same.
    """
    return render(request, template, {"form": form, **context}, status=400)


def per_page_context(form: FilterForm) -> dict:
    return {"per_page": form.page_size(), "per_page_choices": PER_PAGE_CHOICES, "default_per_page": DEFAULT_PER_PAGE}


@role_required
def article_list(request: HttpRequest) -> HttpResponse:
    signal_filter, form = read_filter(request)
    if signal_filter is None:
        return invalid_filter_page(request, "tracker/article_list.html", form, **per_page_context(form))
    per_page = form.page_size()
    page = article_page(signal_filter, form.page_number(), per_page=per_page)
    # The filter and the page size travel together; the page number is added per link.
    query = query_with(signal_filter.to_query(), per_page=per_page if per_page != DEFAULT_PER_PAGE else None)
    context = {
        "form": form,
        "filter": signal_filter,
        "page": page,
        **per_page_context(form),
        "previous_url": with_query(request.path, query, page=page.number - 1) if page.has_previous else "",
        "next_url": with_query(request.path, query, page=page.number + 1) if page.has_next else "",
        "pager_labels": PAGER_LABELS.get(signal_filter.sort, ("Previous", "Next")),
        "exports": export_links(request, signal_filter),
    }
    return render(request, "tracker/article_list.html", context)


@role_required
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(articles_for_detail(), pk=article_id)
    can_add = request.user.has_perm("tracker.add_tag")
    context = {
        "article": article,
        "also_reported": also_reported(article),
        "can_decide": request.user.has_perm("tracker.change_tag"),
        "can_add": can_add,
        "addable_signals": SignalType.objects.filter(is_active=True).order_by("sort_order", "slug") if can_add else [],
    }
    return render(request, "tracker/article_detail.html", context)
