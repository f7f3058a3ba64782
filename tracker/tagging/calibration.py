"""Confidence as a probability: logistic models over a few features of the matches.

The coefficients were fitted on the project's own labelled examples (tests/data/labelled_signals.jsonl, written
for the purpose) with `python -m tracker.tagging.calibration tests/data/labelled_signals.jsonl`, then rounded;
evaluate_tagger's calibration table checks them on any other labelled set. Refit after large changes to the rules.

Signal features (see Reading.signal_features): `weight` is log(1 + the summed weight of live triggers); `title`,
`paired` (a trigger sentence names both sides), `sided` (it names at least one), `spread` (triggers in more than one
sentence) and `vetoed` (some trigger of the type was cancelled) are 0 or 1; `relevance` is the relevance score.
Each signal type has its own intercept, since some types are named loosely more often than others.
"""

from __future__ import annotations

import math

RELEVANCE_MODEL = {
    "bias": -0.51,
    "adjacent": -0.35,
    "elsewhere": -0.49,
    "lead_pair": 0.55,
    "off_topic": -1.63,
    "pairs": 1.03,
    "passing": -0.38,
    "repeated": 0.31,
    "support": 0.3,
    "title_pair": 0.25,
    "title_side": -0.0,
}

SIGNAL_MODEL = {
    "slopes": {
        "near": -0.0,
        "paired": 0.71,
        "relevance": 0.25,
        "sided": 0.51,
        "spread": 0.52,
        "title": 0.63,
        "vetoed": -0.76,
        "weight": 0.99,
    },
    "bias": {
        "aid_trade": -1.14,
        "arms_deal": 0.03,
        "denial": -0.24,
        "drill": -0.53,
        "tech_transfer": -0.34,
        "visit": -1.44,
    },
    "default_bias": -0.61,
}


def logistic(value: float) -> float:
    if value < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-value))


def linear(coefficients: dict[str, float], features: dict[str, float]) -> float:
    return sum(coefficients.get(name, 0.0) * value for name, value in features.items())


def relevance_probability(features: dict[str, float]) -> float:
    return logistic(RELEVANCE_MODEL["bias"] + linear(RELEVANCE_MODEL, features))


def signal_confidence(signal: str, features: dict[str, float]) -> float:
    bias = SIGNAL_MODEL["bias"].get(signal, SIGNAL_MODEL["default_bias"])
    return logistic(bias + linear(SIGNAL_MODEL["slopes"], features))


# --- Fitting ---------------------------------------------------------------------------------------------------------
# Plain gradient descent on the log loss with a little L2, enough for a dozen coefficients and a few hundred rows.

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


def training_rows(tagger, items) -> tuple[list, list]:
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


def main(path: str) -> None:
    import json
    import pprint

    from tracker.tagging.engine import Tagger
    from tracker.tagging.evaluation import LabelledItem
    from tracker.tagging.rules import load_default_rules

    with open(path, encoding="utf-8") as lines:
        items = [LabelledItem.from_json(json.loads(line)) for line in lines if line.strip()]
    relevance_rows, signal_rows = training_rows(Tagger.compile(load_default_rules()), items)
    print(f"# fitted on {len(relevance_rows)} relevance rows and {len(signal_rows)} signal rows from {path}")
    print("RELEVANCE_MODEL = ", end="")
    pprint.pprint(fit_logistic(relevance_rows), sort_dicts=False)
    print("SIGNAL_MODEL = ", end="")
    pprint.pprint(fit_signal_model(signal_rows), sort_dicts=False)


if __name__ == "__main__":
    import sys

    main(sys.argv[1])
