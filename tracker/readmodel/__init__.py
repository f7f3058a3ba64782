"""The read model: what the dashboard reads, kept beside the raw tables and never written by a read.

- dimensions: the filter's dimensions, declared once, and the conditions each makes on every table;
- refresh: the derived tables (rollups, signal facts, article signal sets) recomputed for the days that
  writes marked, by the writers themselves (a tagging batch, a curator's decision, a retag) and by a beat task
  for stragglers;
- counts: the charts' counts; pages: the filtered list; articles: one article's page; search: full-text search.

Views and exports read through the names below.
"""

from tracker.readmodel.articles import also_reported, articles_for_detail
from tracker.readmodel.counts import (
    CountRow,
    SourceRow,
    heatmap_rows,
    key_events,
    signal_total,
    signal_types,
    source_rows,
    timeline_and_lead_in_rows,
    timeline_rows,
)
from tracker.readmodel.pages import ArticlePage, article_page, filtered_articles

__all__ = [
    "ArticlePage",
    "also_reported",
    "articles_for_detail",
    "CountRow",
    "SourceRow",
    "article_page",
    "filtered_articles",
    "heatmap_rows",
    "key_events",
    "signal_total",
    "signal_types",
    "source_rows",
    "timeline_and_lead_in_rows",
    "timeline_rows",
]
