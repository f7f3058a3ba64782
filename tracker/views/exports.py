"""Downloads of any filtered view: the article list as CSV or JSON, and each chart as JSON or CSV.

The article exports stream, so a large export neither holds every row in memory nor delays the first byte,
and stop at EXPORT_MAX_ROWS: past that, an analyst needs a narrower filter or direct database access.
"""

import csv
import json
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse

from ingest.models import Article
from tracker.chart_data import CHART_NAMES, chart_payload, chart_table
from tracker.filters import SignalFilter
from tracker.readmodel import filtered_articles
from tracker.roles import role_required
from tracker.views.filtering import invalid_filter_response, read_filter

EXPORT_MAX_ROWS = 50_000
EXPORT_CHUNK_ROWS = 1_000
CSV_COLUMNS = [
    "id",
    "published_at",
    "title",
    "feed",
    "source_kind",
    "language",
    "url",
    "signals",
    "max_confidence",
    "page",
]
# Spreadsheets run a cell that starts with one of these as a formula ("=HYPERLINK(...)" in a hostile title).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# As Django's json_script does: JSON that holds no "<", ">" or "&" cannot close or open markup wherever it lands.
JSON_HTML_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def json_text(value) -> str:
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    # str.replace, not str.translate: translating a chart's megabyte of JSON character by character is slow.
    for character, escaped in JSON_HTML_ESCAPES:
        text = text.replace(character, escaped)
    return text


def json_response(value, **kwargs) -> HttpResponse:
    return HttpResponse(json_text(value), content_type="application/json", **kwargs)


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The article list --------------------------------------------------------------------------------


def export_rows(signal_filter: SignalFilter) -> Iterator[Article]:
    return filtered_articles(signal_filter)[:EXPORT_MAX_ROWS].iterator(chunk_size=EXPORT_CHUNK_ROWS)


def article_record(article: Article, page_url: str) -> dict:
    tags = article.visible_tags
    language = getattr(getattr(article, "assessment", None), "language", "") or article.language
    return {
        "id": article.pk,
        "published_at": article.published_at.isoformat(),
        "title": article.title,
        "feed": article.feed.title or article.feed.url,
        "source_kind": article.feed.source_kind,
        "language": language,
        "url": article.canonical_url or "",
        "signals": [
            {"signal": tag.signal.slug, "confidence": round(tag.confidence, 3), "curated": tag.is_curated}
            for tag in tags
        ],
        "page": page_url,
    }


def article_records(request: HttpRequest, signal_filter: SignalFilter) -> Iterator[dict]:
    # One reverse() for the pattern, not one per row.
    detail_pattern = request.build_absolute_uri(reverse("article-detail", args=[0])).replace("/0/", "/{}/")
    for article in export_rows(signal_filter):
        yield article_record(article, detail_pattern.format(article.pk))


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return str(value)


def csv_row(record: dict) -> list[str]:
    signals = ";".join(f"{item['signal']}:{item['confidence']:.2f}" for item in record["signals"])
    top = max((item["confidence"] for item in record["signals"]), default=None)
    values = {**record, "signals": signals, "max_confidence": "" if top is None else f"{top:.2f}"}
    return [csv_cell(values[column]) for column in CSV_COLUMNS]


class Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def json_chunks(signal_filter: SignalFilter, records: Iterable[dict]) -> Iterator[str]:
    yield f'{{"filter": {json_text(signal_filter.to_query())}, "max_rows": {EXPORT_MAX_ROWS}, "articles": ['
    for index, record in enumerate(records):
        yield ("," if index else "") + "\n" + json_text(record)
    yield "\n]}\n"


@role_required
def articles_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    signal_filter, form = read_filter(request)
    if signal_filter is None:
        return invalid_filter_response(form)
    records = article_records(request, signal_filter)
    if fmt == "csv":
        body, content_type = csv_lines(CSV_COLUMNS, map(csv_row, records)), "text/csv; charset=utf-8"
    else:
        body, content_type = json_chunks(signal_filter, records), "application/json"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["X-Export-Max-Rows"] = str(EXPORT_MAX_ROWS)
    return attachment(response, f"signals-articles.{fmt}")


# --- Charts ------------------------------------------------------------------------------------------


def known_chart(name: str) -> str:
    if name not in CHART_NAMES:
        raise Http404(f"No chart named {name}")
    return name


@role_required
def chart_json(request: HttpRequest, name: str) -> HttpResponse:
    signal_filter, form = read_filter(request)
    if signal_filter is None:
        return invalid_filter_response(form)
    payload = chart_payload(known_chart(name), signal_filter, list_url=reverse("article-list"))
    # The page asks again whenever its filter changes; a cached answer would hide a curator's decision.
    return json_response(payload, headers={"Cache-Control": "private, no-cache"})


@role_required
def chart_csv(request: HttpRequest, name: str) -> HttpResponse | StreamingHttpResponse:
    signal_filter, form = read_filter(request)
    if signal_filter is None:
        return invalid_filter_response(form)
    columns, rows = chart_table(known_chart(name), signal_filter)
    response = StreamingHttpResponse(csv_lines(columns, ([csv_cell(v) for v in row] for row in rows)))
    response["Content-Type"] = "text/csv; charset=utf-8"
    return attachment(response, f"signals-{name}.csv")
