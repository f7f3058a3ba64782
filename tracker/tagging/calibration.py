"""Confidence as a probability: logistic models over a few features of the matches.

The coefficients were fitted on the project's own labelled examples (tests/data/labelled_signals.jsonl, written
for the purpose) with `python -m tracker.tagging.fitting tests/data/labelled_signals.jsonl`, then rounded;
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
