"""Tag articles given as JSON Lines, one result line per input line, in order.

Input, one object a line: {"id": ..., "title": "...", "text": "...", "lang": optional, "url": optional,
"published": optional}; the tagger reads only the title and the text and detects the language itself.
Output, one object a line: {"id": ..., "relevant": true|false, "status": "relevant", "language": "en",
"relevance_score": 0.97, "signals": [{"type": "visit", "confidence": 0.87, "evidence": ["sentence"],
"terms": [["arrived in"]]}], "story": ...}, where "story" is the id of the first earlier line that carries
the same story (a near-duplicate: syndicated copy, light rewrite), or the line's own id.
Every input line gets exactly one output line, in order, so output line N always answers input line N: a line
that cannot be classified (not UTF-8, not JSON, nested too deeply, a number too long, blank, not an article) becomes
{"id": ..., "error": "line N: reason"} in its place, and the error also goes to stderr. Lone surrogate escapes
("\\ud800") in the id, title or text are read as U+FFFD. Exit status: 0 when every line was classified, 1 when
any line was not.
"""

from __future__ import annotations

import json
import math
import re
import sys
from contextlib import ExitStack
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from tracker.active_tagger import current_tagger
from tracker.stories import BatchStoryGrouper
from tracker.tagging.engine import Result, Tagger

# A "\ud800" escape is valid JSON but no Unicode text: it could not be written out as UTF-8.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadLineError(ValueError):
    """An input line that is not an article the tagger can read."""


class Command(BaseCommand):
    help = (
        "Tag articles read as JSON Lines (stdin by default) and write one JSON result per input line, in order; "
        'a line that cannot be classified gets {"id": ..., "error": "line N: reason"} in its place. '
        "Exit status: 0 when every line was classified, 1 when any line was not."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--input", help="JSON Lines file to read (default: standard input)")
        parser.add_argument("--output", help="File to write (default: standard output)")

    def handle(self, *args, input: str | None, output: str | None, **options) -> None:
        tagger = current_tagger()
        with ExitStack() as files:
            # Bytes, decoded line by line: one line that is not UTF-8 must not end the run.
            source = files.enter_context(open(input, "rb")) if input else sys.stdin.buffer
            sink = files.enter_context(open(output, "w", encoding="utf-8")) if output else self.stdout
            total, failed = self.classify_lines(tagger, source, sink)
        if failed:
            raise CommandError(f"{failed} of {total} lines could not be classified (see the messages above)")

    def classify_lines(self, tagger: Tagger, source: IO[bytes], sink: Any) -> tuple[int, int]:
        total = failed = 0
        stories = BatchStoryGrouper()
        for number, raw_line in enumerate(source, start=1):
            total += 1
            answer = classify_line(tagger, stories, number, raw_line)
            if "error" in answer:
                failed += 1
                self.stderr.write(answer["error"])
            sink.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return total, failed


def classify_line(tagger: Tagger, stories: BatchStoryGrouper, number: int, raw_line: bytes) -> dict:
    """The result for one input line, or an error object naming the line."""
    value = None
    try:
        value = read_json(raw_line, is_first_line=number == 1)
        article = as_article(value)
    except BadLineError as error:
        return {"id": usable_id(value), "error": f"line {number}: {error}"}
    title, text = article["title"], article["text"]
    try:
        answer = result_json(article["id"], tagger.assess(title, text))
        answer["story"] = stories.story_for(article["id"] if "id" in value else number, title, text)
    except Exception as error:  # a tagger failure on one text still leaves every other line answered
        return {"id": article["id"], "error": f"line {number}: could not classify ({type(error).__name__}: {error})"}
    return answer


def read_json(raw_line: bytes, is_first_line: bool = False) -> Any:
    try:
        line = raw_line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadLineError(f"not UTF-8 (invalid byte at column {error.start + 1})") from None
    if is_first_line:
        line = line.removeprefix("\ufeff")  # a byte order mark some editors write
    if not line.strip():
        raise BadLineError("blank line: there is nothing to classify")
    try:
        return json.loads(line, parse_constant=refuse_constant)
    except json.JSONDecodeError as error:
        raise BadLineError(f"invalid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise BadLineError("JSON nested too deeply") from None
    except BadLineError:
        raise
    except ValueError:  # Python refuses to read integers past its digit limit
        raise BadLineError(f"a number longer than {sys.get_int_max_str_digits()} digits") from None


def refuse_constant(name: str) -> None:
    raise BadLineError(f"invalid JSON ({name} is not a JSON number)")


def as_article(value: Any) -> dict:
    """The line's id, title and text, checked; lone surrogates read as U+FFFD."""
    if not isinstance(value, dict):
        raise BadLineError(f"expected a JSON object, got {type(value).__name__}")
    for field in ("title", "text"):
        if value.get(field) is not None and not isinstance(value[field], str):
            raise BadLineError(f'"{field}" must be a string, got {type(value[field]).__name__}')
    if not (value.get("title") or value.get("text")):
        raise BadLineError('missing "title" and "text": there is nothing to classify')
    article_id = usable_id(value)
    if value.get("id") is not None and article_id is None:
        raise BadLineError('"id" must be a string or a finite number')
    return {
        "id": article_id,
        "title": without_surrogates(value.get("title") or ""),
        "text": without_surrogates(value.get("text") or ""),
    }


def usable_id(value: Any) -> Any:
    """The line's id when it can be written back out as JSON, else None."""
    article_id = value.get("id") if isinstance(value, dict) else None
    if isinstance(article_id, str):
        return without_surrogates(article_id)
    if isinstance(article_id, int) or (isinstance(article_id, float) and math.isfinite(article_id)):
        return article_id
    return None


def without_surrogates(text: str) -> str:
    return LONE_SURROGATE.sub("\ufffd", text)


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
