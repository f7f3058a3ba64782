"""Measure the tagger on a labelled JSON Lines file: per-type precision/recall/F1, relevance, calibration.

Each line is an article ({"id", "title", "text"}) with gold fields "relevant" (bool) and "signals" (a list of type
slugs), and optionally "lang". The tagger sees only the title and the text; "lang" is compared with the language it
detects. Lines without gold labels are reported on stderr and left out.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.active_tagger import current_tagger
from tracker.tagging.engine import Tagger
from tracker.tagging.evaluation import LabelledItem, evaluate, format_report
from tracker.tagging.rules import load_default_rules


class Command(BaseCommand):
    help = "Evaluate the tagger on a labelled JSON Lines file and print precision, recall, F1 and calibration."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Labelled JSON Lines file")
        parser.add_argument("--show-errors", action="store_true", help="List false positives and negatives")
        parser.add_argument(
            "--shipped-rules",
            action="store_true",
            help="Use the lexicon shipped with the code instead of the rules in the database",
        )

    def handle(self, *args, file: str, show_errors: bool, shipped_rules: bool, **options) -> None:
        items = self.read_items(Path(file))
        if not items:
            raise CommandError(f"{file}: no labelled items")
        tagger = Tagger.compile(load_default_rules()) if shipped_rules else current_tagger()
        self.stdout.write(f"Tagger {tagger.version}, {len(items)} labelled items from {file}\n")
        self.stdout.write(format_report(evaluate(tagger, items), show_errors=show_errors))

    def read_items(self, path: Path) -> list[LabelledItem]:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        items = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                items.append(LabelledItem.from_json(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
                self.stderr.write(f"line {number}: skipped, not a labelled item ({error.__class__.__name__}: {error})")
        return items
