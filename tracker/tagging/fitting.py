"""Fitting the confidence models of calibration.py on a labelled set, offline.

    python -m tracker.tagging.fitting tests/data/labelled_signals.jsonl

prints RELEVANCE_MODEL and SIGNAL_MODEL, fitted with the shipped lexicon, ready to be pasted into calibration.py.
Plain gradient descent on the log loss with a little L2, enough for a dozen coefficients and a few hundred rows.
"""

from __future__ import annotations

import json
import pprint
import sys
from collections.abc import Iterable

from tracker.tagging.calibration import linear, logistic, relevance_probability
from tracker.tagging.engine import Tagger
from tracker.tagging.evaluation import LabelledItem
from tracker.tagging.rules import load_default_rules

FIT_ROUNDS = 4000
FIT_STEP = 0.5
FIT_L2 = 0.02


def fit_logistic(rows: list[tuple[dict[str, float], bool]], l2: float = FIT_L2) -> dict[str, float]:
    """Coefficients (with "bias") that make logistic(bias + sum(c * x)) predict the labels."""
    names = sorted({name for features, _ in rows for name in features})
    weights = dict.fromkeys(["bias", *names], 0.0)
    for _ in range(FIT_ROUNDS):
        gradient = dict.fromkeys(weights, 0.0)
        for features, label in rows:
            error = logistic(weights["bias"] + linear(weights, features)) - float(label)
            gradient["bias"] += error
            for name, value in features.items():
                gradient[name] += error * value
        for name in weights:
            penalty = 0.0 if name == "bias" else l2 * weights[name]
            weights[name] -= FIT_STEP * (gradient[name] / len(rows) + penalty)
    return {name: round(value, 2) for name, value in weights.items()}


def fit_signal_model(rows: list[tuple[str, dict[str, float], bool]]) -> dict:
    """Shared slopes and one intercept per signal type, fitted together."""
    signals = sorted({signal for signal, _, _ in rows})
    encoded = [
        ({**features, **{f"is_{s}": float(s == signal) for s in signals}}, label) for signal, features, label in rows
    ]
    fitted = fit_logistic(encoded, l2=FIT_L2)
    bias = {signal: round(fitted["bias"] + fitted.pop(f"is_{signal}"), 2) for signal in signals}
    fitted.pop("bias")
    return {"slopes": fitted, "bias": bias, "default_bias": round(sum(bias.values()) / max(1, len(bias)), 2)}


def training_rows(tagger: Tagger, items: Iterable[LabelledItem]) -> tuple[list, list]:
    """Relevance rows for each readable item where the sides meet; signal rows for each candidate of a relevant one."""
    relevance_rows, signal_rows = [], []
    for item in items:
        relevance, candidates = tagger.features(item.title, item.text)
        if not relevance or not relevance["meeting"]:
            continue
        relevance_rows.append(({k: v for k, v in relevance.items() if k != "meeting"}, item.is_relevant))
        if relevance_probability(relevance) < 0.5:
            continue
        for signal, features in candidates.items():
            signal_rows.append((signal, features, item.is_relevant and signal in item.signals))
    return relevance_rows, signal_rows


def read_labelled(path: str) -> list[LabelledItem]:
    with open(path, encoding="utf-8") as lines:
        return [LabelledItem.from_json(json.loads(line)) for line in lines if line.strip()]


def main(path: str) -> None:
    """Fit both models on the labelled set at `path` and print them as Python literals."""
    relevance_rows, signal_rows = training_rows(Tagger.compile(load_default_rules()), read_labelled(path))
    print(f"# fitted on {len(relevance_rows)} relevance rows and {len(signal_rows)} signal rows from {path}")
    print("RELEVANCE_MODEL = ", end="")
    pprint.pprint(fit_logistic(relevance_rows), sort_dicts=False)
    print("SIGNAL_MODEL = ", end="")
    pprint.pprint(fit_signal_model(signal_rows), sort_dicts=False)


if __name__ == "__main__":
    main(sys.argv[1])
