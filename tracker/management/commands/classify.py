"""Tag articles given as JSON Lines, one result line per input line, in order.

Input, one object a line: {"id": ..., "title": "...", "text": "...", "lang": optional, "url": optional,
"published": optional}; the tagger reads only the title and the text and detects the language itself.
Output, one object a line: {"id": ..., "relevant": true|false, "status": "relevant", "language": "en",
"relevance_score": 0.97, "signals": [{"type": "visit", "confidence": 0.87, "evidence": ["sentence"],
"terms": [["arrived in"]]}], "story": ...}, where "story" is the id of the first earlier line that carries
the same story (a near-duplicate: syndicated copy, light rewrite), or the line's own id.
A line that cannot be read becomes {"id": ..., "error": "..."} in its place, so
output line N always answers input line N; the error also goes to stderr with its line number, the other lines are
still tagged, and the command exits with status 1. Blank lines are skipped.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from tracker.active_tagger import current_tagger
from tracker.stories import BatchStoryGrouper
from tracker.tagging.engine import Result, Tagger


class BadLineError(ValueError):
    """An input line that is not an article the tagger can read."""


class Command(BaseCommand):
    help = "Tag articles read as JSON Lines (stdin by default) and write one JSON result per line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--input", help="JSON Lines file to read (default: standard input)")
        parser.add_argument("--output", help="File to write (default: standard output)")

    def handle(self, *args, input: str | None, output: str | None, **options) -> None:
        tagger = current_tagger()
        with ExitStack() as files:
            source = files.enter_context(open(input, encoding="utf-8")) if input else sys.stdin
            sink = files.enter_context(open(output, "w", encoding="utf-8")) if output else self.stdout
            total, failed = self.classify_lines(tagger, source, sink)
        if failed:
            raise CommandError(f"{failed} of {total} lines could not be classified (see the messages above)")

    def classify_lines(self, tagger: Tagger, source: IO[str], sink: Any) -> tuple[int, int]:
        total = failed = 0
        stories = BatchStoryGrouper()
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            total += 1
            try:
                article = parse_line(line)
                title, text = article.get("title") or "", article["text"]
                answer = result_json(article.get("id"), tagger.assess(title, text))
                answer["story"] = stories.story_for(article.get("id", number), title, text)
            except BadLineError as error:
                failed += 1
                self.stderr.write(f"line {number}: {error}")
                answer = {"id": salvage_id(line), "error": f"line {number}: {error}"}
            sink.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return total, failed


def parse_line(line: str) -> dict:
    try:
        article = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadLineError(f"invalid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(article, dict):
        raise BadLineError(f"expected a JSON object, got {type(article).__name__}")
    for field in ("title", "text"):
        if article.get(field) is not None and not isinstance(article[field], str):
            raise BadLineError(f'"{field}" must be a string, got {type(article[field]).__name__}')
    if not (article.get("title") or article.get("text")):
        raise BadLineError('missing "title" and "text": there is nothing to classify')
    if isinstance(article.get("id"), (dict, list)):
        raise BadLineError('"id" must be a string or a number')
    article.setdefault("text", "")
    article["text"] = article["text"] or ""
    return article


def salvage_id(line: str) -> Any:
    """The id of a line that failed, when the line was at least a JSON object."""
    try:
        article = json.loads(line)
    except json.JSONDecodeError:
        return None
    value = article.get("id") if isinstance(article, dict) else None
    return value if isinstance(value, (str, int, float)) else None


def result_json(article_id: Any, result: Result) -> dict:
    return {
        "id": article_id,
        "relevant": result.is_relevant,
        "status": result.status,
        "language": result.language,
        "relevance_score": result.relevance_score,
        "signals": [
            {
                "type": hit.signal,
                "confidence": hit.confidence,
                "evidence": [evidence.sentence for evidence in hit.evidence],
                "terms": [list(evidence.terms) for evidence in hit.evidence],
            }
            for hit in result.signals
        ],
    }
