"""The dashboard's filters: read from the query string, validated, and written back to it.

Every page, chart endpoint and export takes the same filter, so a view is shareable
as a URL. A drill-down is the same filter narrowed to one period and one signal type.
"""

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ingest.models import Feed, SourceKind
from tracker.models import SignalType
from tracker.series import period_bounds

PERIODS = ("day", "week", "month")
COUNTS = ("articles", "stories")
SORTS = ("-date", "date", "-confidence", "-rank")
CONFIDENCE_CHOICES = [("", "Any")] + [(f"{tenth / 10:.1f}", f"≥ {tenth / 10:.1f}") for tenth in range(5, 10)]
LANGUAGE_CHOICES = [
    ("en", "English"),
    ("ru", "Russian"),
    ("ko", "Korean"),
    ("ja", "Japanese"),
    ("zh", "Chinese"),
    ("uk", "Ukrainian"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
]
PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 50
# How deep into the list pages reach, whatever their size: each page is read by walking the list from its
# start, so a page a million articles down is a request costing seconds. Further on, a narrower filter or an
# export does the job.
LIST_MAX_DEPTH_ARTICLES = 100_000

# The dates a filter may name. The charts' period arithmetic bears less than date's own range (measured: a
# monthly timeline starting before 0001-09-01 overflows computing its eight months of spike lead-in, a weekly
# one ending on 9999-12-27 or later computing the week after; the list cannot turn the day after 9999-12-31
# into a datetime), and a filter of news about these two states needs nothing near either end: a wide margin
# keeps a change to that arithmetic from reopening the gap.
MIN_FILTER_DATE = date(1900, 1, 1)
MAX_FILTER_DATE = date(2999, 12, 31)


class InvalidFilterError(ValueError):
    """The query string holds values the filter does not accept; args[0] lists them."""


@dataclass(frozen=True)
class SignalFilter:
    """One view of the data. Empty tuples mean "all"; dates are inclusive."""

    start: date | None = None
    end: date | None = None
    signals: tuple[str, ...] = ()
    feeds: tuple[int, ...] = ()
    source_kinds: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    # Multiples of 0.1, so that the rollup's confidence tenths answer it exactly.
    min_confidence: float | None = None
    curated_only: bool = False
    q: str = ""
    period: str = "week"
    # What a count counts: "articles", or "stories" (copies of one story counted once).
    unit: str = "articles"
    sort: str = "-date"

    @property
    def confidence_tenths(self) -> int | None:
        return None if self.min_confidence is None else round(self.min_confidence * 10)

    def query_items(self, include_view: bool = True) -> list[tuple[str, str]]:
        """The filter as ordered query-string pairs; defaults are left out to keep URLs short."""
        items: list[tuple[str, str]] = []
        if self.start:
            items.append(("from", self.start.isoformat()))
        if self.end:
            items.append(("to", self.end.isoformat()))
        items += [("signal", slug) for slug in self.signals]
        items += [("feed", str(feed_id)) for feed_id in self.feeds]
        items += [("kind", kind) for kind in self.source_kinds]
        items += [("lang", language) for language in self.languages]
        if self.min_confidence is not None:
            items.append(("min_conf", f"{self.min_confidence:.1f}"))
        if self.curated_only:
            items.append(("curated", "1"))
        if self.q:
            items.append(("q", self.q))
        if include_view:
            if self.period != "week":
                items.append(("period", self.period))
            if self.unit != "articles":
                items.append(("count", self.unit))
            if self.sort != "-date":
                items.append(("sort", self.sort))
        return items

    def to_query(self, include_view: bool = True) -> str:
        return urlencode(self.query_items(include_view))

    def drill_down(self, period_start: date, signal: str | None = None, period: str | None = None) -> "SignalFilter":
        """The same filter narrowed to one period (of this filter's length unless given) and optionally one type."""
        first, last = period_bounds(period_start, period or self.period)
        start = max(first, self.start) if self.start else first
        end = min(last, self.end) if self.end else last
        signals = (signal,) if signal else self.signals
        return replace(self, start=start, end=end, signals=signals)


def validate_filter_date(value: date) -> None:
    if not MIN_FILTER_DATE <= value <= MAX_FILTER_DATE:
        raise ValidationError(
            "Enter a date between %(first)s and %(last)s.",
            code="date_out_of_range",
            params={"first": MIN_FILTER_DATE.isoformat(), "last": MAX_FILTER_DATE.isoformat()},
        )


class FilterForm(forms.Form):
    """Validates the query string; unknown, malformed or out-of-range values are reported, never dropped.

    A form with errors has no filter (to_filter raises): a value left out would widen the result.
    """

    start = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_filter_date],
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_filter_date]
    )
    signal = forms.MultipleChoiceField(required=False, label="Signal types", widget=forms.CheckboxSelectMultiple)
    feed = forms.TypedMultipleChoiceField(required=False, label="Feeds", coerce=int)
    kind = forms.MultipleChoiceField(
        required=False, label="Source kinds", choices=SourceKind.choices, widget=forms.CheckboxSelectMultiple
    )
    lang = forms.MultipleChoiceField(required=False, label="Languages", choices=LANGUAGE_CHOICES)
    min_conf = forms.ChoiceField(required=False, label="Min. confidence", choices=CONFIDENCE_CHOICES)
    curated = forms.BooleanField(required=False, label="Curated only")
    q = forms.CharField(required=False, label="Search", max_length=200)
    period = forms.ChoiceField(
        required=False, choices=[(p, p.capitalize()) for p in PERIODS], label="Per", initial="week"
    )
    count = forms.ChoiceField(
        required=False, choices=[("articles", "Articles"), ("stories", "Stories")], label="Count", initial="articles"
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("-date", "Newest first"),
            ("date", "Oldest first"),
            ("-confidence", "Most confident first"),
            ("-rank", "Best match (with a search)"),
        ],
        label="Sort",
        initial="-date",
    )
    # The list's position: validated with the filter, so that every view reads the query string one way.
    page = forms.IntegerField(required=False, label="Page", min_value=1)
    per_page = forms.TypedChoiceField(
        required=False, label="Per page", choices=[(n, str(n)) for n in PER_PAGE_CHOICES], coerce=int
    )

    # The query string uses short names; the form's fields are named after them, except the dates.
    QUERY_NAMES = {"start": "from", "end": "to"}

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for field, name in self.QUERY_NAMES.items():
                if name in data:
                    data[field] = data[name]
        super().__init__(data, *args, **kwargs)
        self.fields["signal"].choices = list(
            SignalType.objects.filter(is_active=True).order_by("sort_order", "slug").values_list("slug", "name")
        )
        feeds = Feed.objects.order_by("title").values_list("id", "title", "url")
        self.fields["feed"].choices = [(feed_id, title or url) for feed_id, title, url in feeds]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        page, per_page = cleaned.get("page"), self.page_size()
        if page and (page - 1) * per_page >= LIST_MAX_DEPTH_ARTICLES:
            last = LIST_MAX_DEPTH_ARTICLES // per_page
            self.add_error("page", f"Pages go up to {last} at {per_page} per page: narrow the filter to see further.")
        return cleaned

    def page_size(self) -> int:
        return (self.cleaned_data.get("per_page") if hasattr(self, "cleaned_data") else None) or DEFAULT_PER_PAGE

    def page_number(self) -> int:
        return (self.cleaned_data.get("page") if hasattr(self, "cleaned_data") else None) or 1

    def query_errors(self) -> list[str]:
        """Each error as "parameter: message", named as in the query string."""
        return [
            f"{self.QUERY_NAMES.get(field, 'filter' if field == NON_FIELD_ERRORS else field)}: {message}"
            for field, messages in self.errors.items()
            for message in messages
        ]

    def to_filter(self) -> SignalFilter:
        """The validated filter; call after is_valid(), which must have found no error."""
        if not self.is_valid():
            raise InvalidFilterError(self.query_errors())
        data = self.cleaned_data
        min_conf = data.get("min_conf")
        return SignalFilter(
            start=data.get("start"),
            end=data.get("end"),
            signals=tuple(data.get("signal") or ()),
            feeds=tuple(sorted(data.get("feed") or ())),
            source_kinds=tuple(data.get("kind") or ()),
            languages=tuple(data.get("lang") or ()),
            min_confidence=float(min_conf) if min_conf else None,
            curated_only=bool(data.get("curated")),
            q=(data.get("q") or "").strip(),
            period=data.get("period") or "week",
            unit=data.get("count") or "articles",
            sort=data.get("sort") or "-date",
        )
