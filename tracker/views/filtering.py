"""The filter every dashboard view reads from its query string, and links that keep it."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseBadRequest, QueryDict

from tracker.filters import FilterForm, SignalFilter


def read_filter(request: HttpRequest) -> tuple[SignalFilter | None, FilterForm]:
    """The request's filter, None if any value in the query is invalid, and the bound form with its errors.

    Every page, export, chart and feed reads its query here, so a value is accepted or refused alike everywhere.
    """
    form = FilterForm(with_view_defaults(request.GET))
    mark_defaults(form)
    return (form.to_filter() if form.is_valid() else None), form


def invalid_filter_response(form: FilterForm) -> HttpResponseBadRequest:
    """A data endpoint's answer to an invalid query: which parameters, and why, in plain text."""
    reasons = "\n".join(form.query_errors())
    return HttpResponseBadRequest(f"Invalid filter:\n{reasons}\n", content_type="text/plain; charset=utf-8")


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


def query_with(query: str, **extra) -> str:
    """The query string plus the extra pairs that are set (a page number, say)."""
    pairs = {name: value for name, value in extra.items() if value not in (None, "")}
    return "&".join(part for part in (query, urlencode(pairs)) if part)


def with_query(path: str, query: str = "", **extra) -> str:
    combined = query_with(query, **extra)
    return f"{path}?{combined}" if combined else path
