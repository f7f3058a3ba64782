"""classify and evaluate_tagger against the real database, whose rules the data migration loaded from the lexicon."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tracker.management.commands.classify import Command as ClassifyCommand
from tracker.models import Rule
from tracker.tagging.rules import load_default_rules

pytestmark = pytest.mark.django_db

OWN_SET = Path(__file__).parent / "data" / "labelled_signals.jsonl"

SAMPLE_LINES = [
    json.dumps(
        {
            "id": "a1",
            "title": "Lavrov arrives in Pyongyang",
            "text": "Russia's foreign minister Sergei Lavrov arrived in Pyongyang for talks with Choe Son Hui.",
            "url": "https://news.example.org/a1",
        }
    ),
    "this is not json",
    json.dumps({"id": "a3", "text": "North Korea fired a ballistic missile into the sea, Seoul said."}),
    json.dumps({"id": "a4", "title": ["not", "a", "string"], "text": "Russia and North Korea"}),
    "",
    json.dumps({"id": 5, "lang": "ru", "title": "Песков назвал фейком сообщения о снарядах из КНДР", "text": ""}),
    json.dumps({"id": "a6", "url": "https://news.example.org/a6"}),
]


def classify(tmp_path: Path, lines: list[str]) -> tuple[list[dict], str, CommandError | None]:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors, failure = StringIO(), None
    try:
        call_command("classify", input=str(source), output=str(target), stderr=errors)
    except CommandError as error:
        failure = error
    results = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    return results, errors.getvalue(), failure


def test_classify_answers_every_line_in_order(tmp_path):
    results, _, _ = classify(tmp_path, SAMPLE_LINES)
    assert [result.get("id") for result in results] == ["a1", None, "a3", "a4", None, 5, "a6"]


def test_classify_output_has_relevance_language_and_signals_with_evidence(tmp_path):
    results, _, _ = classify(tmp_path, SAMPLE_LINES)
    lavrov, missile, peskov = results[0], results[2], results[5]
    assert lavrov["relevant"] is True and lavrov["status"] == "relevant" and lavrov["language"] == "en"
    visit = next(signal for signal in lavrov["signals"] if signal["type"] == "visit")
    assert 0.5 <= visit["confidence"] <= 1.0
    assert visit["evidence"] and all(isinstance(sentence, str) for sentence in visit["evidence"])
    assert len(visit["terms"]) == len(visit["evidence"])
    assert missile == {**missile, "relevant": False, "status": "not_relevant", "signals": []}
    assert peskov["language"] == "ru"


def test_classify_reports_bad_lines_with_their_numbers_and_fails_at_the_end(tmp_path):
    results, errors, failure = classify(tmp_path, SAMPLE_LINES)
    assert "line 2: invalid JSON" in errors
    assert 'line 4: "title" must be a string' in errors
    assert "line 5: blank line" in errors
    assert 'line 7: missing "title" and "text"' in errors
    assert [result["error"].split(":")[0] for result in results if "error" in result] == [
        "line 2",
        "line 4",
        "line 5",
        "line 7",
    ]
    assert failure is not None and "4 of 7 lines" in str(failure)


# Lines no JSON reader should choke on, each with the reason its error must give (None: it is classified).
HOSTILE_LINES = [
    (json.dumps({"id": "s1", "title": "Kim visits Moscow", "text": "Bad \ud800 escape"}).encode(), None),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"id": ' + b"7" * 5000 + b', "title": "Long number"}', "a number longer than"),
    (b'{"id": "u1", "title": "Bad \xff\xfe bytes"}', "not UTF-8"),
    (b"", "blank line"),
    (b'{"id": NaN, "title": "Not a number"}', "NaN is not a JSON number"),
    (json.dumps({"id": "\ud800", "title": "Surrogate id"}).encode(), None),
    (json.dumps({"id": "last", "title": "Lavrov arrives in Pyongyang", "text": "Talks."}).encode(), None),
]


def test_classify_answers_every_hostile_line_in_order_with_its_line_number(tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b"\n".join(line for line, _ in HOSTILE_LINES) + b"\n")
    errors = StringIO()
    with pytest.raises(CommandError, match="5 of 8 lines"):
        call_command("classify", input=str(source), output=str(target), stderr=errors)
    results = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(results) == len(HOSTILE_LINES)
    for number, (result, (_, reason)) in enumerate(zip(results, HOSTILE_LINES, strict=True), start=1):
        if reason is None:
            assert "error" not in result and "signals" in result
        else:
            assert result["error"].startswith(f"line {number}: ") and reason in result["error"]
            assert f"line {number}: " in errors.getvalue()
    assert [results[0]["id"], results[6]["id"], results[7]["id"]] == ["s1", "\ufffd", "last"]


def test_classify_help_states_what_the_exit_status_means():
    help_text = " ".join(ClassifyCommand().create_parser("manage.py", "classify").format_help().split())
    assert "Exit status: 0 when every line was classified, 1 when any line was not" in help_text


def test_classify_succeeds_quietly_when_every_line_is_good(tmp_path):
    results, errors, failure = classify(tmp_path, [SAMPLE_LINES[0], SAMPLE_LINES[2]])
    assert failure is None and errors == ""
    assert len(results) == 2


def test_classify_handles_a_thousand_lines(tmp_path):
    labelled = [line for line in OWN_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [labelled[number % len(labelled)] for number in range(1000)]
    results, _, failure = classify(tmp_path, lines)
    assert failure is None
    assert len(results) == 1000
    assert [result["id"] for result in results] == [json.loads(line)["id"] for line in lines]


def test_evaluate_tagger_prints_per_type_scores_relevance_and_calibration():
    output = StringIO()
    call_command("evaluate_tagger", str(OWN_SET), stdout=output)
    report = output.getvalue()
    for heading in ("precision", "recall", "F1", "support", "micro", "macro", "relevance", "calibration"):
        assert heading in report
    for section in ("== All items", "== English", "== Other languages", "language detection accuracy"):
        assert section in report
    for signal in ("visit", "denial", "arms_deal", "drill", "tech_transfer", "aid_trade"):
        assert f"\n{signal} " in report


def test_evaluate_tagger_lists_errors_on_request():
    output = StringIO()
    call_command("evaluate_tagger", str(OWN_SET), "--show-errors", "--shipped-rules", stdout=output)
    assert "== Errors:" in output.getvalue()


def test_evaluate_tagger_refuses_a_file_without_labels(tmp_path):
    unlabelled = tmp_path / "plain.jsonl"
    unlabelled.write_text(json.dumps({"id": 1, "title": "t", "text": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no labelled items"):
        call_command("evaluate_tagger", str(unlabelled), stdout=StringIO(), stderr=StringIO())


# --- The rules in the database ---------------------------------------------------------------------------------------


def test_migration_loads_the_shipped_lexicon_with_notes():
    assert Rule.objects.count() == len(load_default_rules())
    assert not Rule.objects.filter(note="").exists()


def test_classify_groups_copies_of_one_story_under_the_first_copys_id(tmp_path):
    wire = (
        "Russia's defence minister arrived in Pyongyang on Tuesday for talks with Kim Jong Un on military "
        "cooperation, the state news agency said, in the latest of a series of visits between the two countries."
    )
    lines = [
        {"id": "wire", "title": "Minister arrives in Pyongyang", "text": wire},
        {
            "id": "other",
            "title": "Harvest begins",
            "text": "Farmers in the south began the rice harvest early this year after a warm summer.",
        },
        {"id": "copy", "title": "Defence chief lands in Pyongyang", "text": wire + " Follow us for more news."},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    output = StringIO()
    call_command("classify", "--input", str(source), stdout=output)
    stories = [json.loads(line)["story"] for line in output.getvalue().splitlines()]
    assert stories == ["wire", "other", "wire"]
