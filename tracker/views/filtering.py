"""The filter every dashboard view reads from its query string, and links that keep it."""

from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict

from tracker.filters import FilterForm, SignalFilter

PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 50


def read_filter(request: HttpRequest) -> tuple[SignalFilter, FilterForm]:
    """The request's filter and the bound form, whose errors the page shows."""
    form = FilterForm(with_view_defaults(request.GET))
    mark_defaults(form)
    form.is_valid()
    return form.to_filter(), form


def with_view_defaults(query: QueryDict) -> QueryDict:
    """The query with the defaults of its choices (period, count, sort) filled in where it has none.

    A bound form shows what the query holds, not its fields' initial values: without this, a select of a
    query without "period" would show its first option ("Day") while the view counts per week, and the next
    change would submit "Day".
    """
    data = query.copy()
    for name, field in FilterForm.base_fields.items():
        if field.initial is not None and not data.get(name):
            data[name] = field.initial
    return data


def mark_defaults(form: FilterForm) -> None:
    """Tell the page's script which values are defaults, so the URLs it builds can leave them out."""
    for field in form.fields.values():
        if field.initial is not None:
            field.widget.attrs["data-default"] = field.initial


def per_page_from(request: HttpRequest) -> int:
    try:
        wanted = int(request.GET.get("per_page", DEFAULT_PER_PAGE))
    except ValueError:
        return DEFAULT_PER_PAGE
    return wanted if wanted in PER_PAGE_CHOICES else DEFAULT_PER_PAGE


def query_with(query: str, **extra) -> str:
    """The query string plus the extra pairs that are set (a page number, say)."""
    pairs = {name: value for name, value in extra.items() if value not in (None, "")}
    return "&".join(part for part in (query, urlencode(pairs)) if part)


def with_query(path: str, query: str = "", **extra) -> str:
    combined = query_with(query, **extra)
    return f"{path}?{combined}" if combined else path
