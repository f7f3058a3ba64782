"""Evidence sentences with their terms marked: escaped text, whole words as the tagger matches them."""

import pytest

from tracker.highlight import evidence_items, highlighted


def marked(sentence: str, *terms: str) -> str:
    return str(highlighted(sentence, terms))


# --- Escaping -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "terms", "expected"),
    [
        (
            "<script>alert(1)</script> Shoigu arrived",
            ("Shoigu",),
            "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Shoigu</mark> arrived",
        ),
        (
            'Shoigu <img src=x onerror="alert(1)"> arrived',
            ("Shoigu", "<img"),
            "<mark>Shoigu</mark> <mark>&lt;img</mark> src=x onerror=&quot;alert(1)&quot;&gt; arrived",
        ),
        ("Tom & Jerry's <b>visit</b>", ("visit",), "Tom &amp; Jerry&#x27;s &lt;b&gt;<mark>visit</mark>&lt;/b&gt;"),
        ("A visit", ("</mark><script>",), "A visit"),
    ],
)
def test_the_sentence_and_the_terms_are_escaped(sentence, terms, expected):
    assert marked(sentence, *terms) == expected


def test_a_sentence_without_terms_is_only_escaped():
    assert marked("<b>Lavrov</b> lands") == "&lt;b&gt;Lavrov&lt;/b&gt; lands"
    assert marked("Lavrov lands", "", "   ") == "Lavrov lands"


def test_terms_that_are_not_text_are_ignored():
    assert str(highlighted("Lavrov lands", [None, 3, "Lavrov"])) == "<mark>Lavrov</mark> lands"


# --- Whole words --------------------------------------------------------------------------------------------------


def test_a_term_is_not_marked_inside_a_longer_word():
    assert marked("Report: the agency reports a visit", "Report") == "<mark>Report</mark>: the agency reports a visit"


def test_a_term_is_marked_at_the_edges_of_the_sentence_and_next_to_punctuation():
    assert marked("Visit, then (visit) and visit", "visit") == (
        "<mark>Visit</mark>, then (<mark>visit</mark>) and <mark>visit</mark>"
    )


def test_terms_match_ignoring_case():
    assert marked("SHOIGU met shoigu's aides", "Shoigu") == "<mark>SHOIGU</mark> met <mark>shoigu</mark>&#x27;s aides"


def test_longer_terms_win_where_terms_overlap():
    assert marked("The arms deal and the arms", "arms", "arms deal") == (
        "The <mark>arms deal</mark> and the <mark>arms</mark>"
    )


def test_hyphens_and_spaces_are_the_same_to_a_term_as_to_the_tagger():
    assert marked("Kim Jong-un met Kim Jong Un", "Kim Jong Un") == (
        "<mark>Kim Jong-un</mark> met <mark>Kim Jong Un</mark>"
    )


def test_an_edge_that_is_not_a_letter_needs_no_boundary():
    assert marked("The U.S.-made parts", "U.S.") == "The <mark>U.S.</mark>-made parts"


# --- Other scripts ------------------------------------------------------------------------------------------------


def test_russian_terms_are_whole_words_and_yo_is_e():
    sentence = "Шойгу прибыл в Пхеньян; шойгуизм и Пхеньянский вокзал ни при чём, пхеньян — тоже."
    assert marked(sentence, "Шойгу", "Пхеньян") == (
        "<mark>Шойгу</mark> прибыл в <mark>Пхеньян</mark>; шойгуизм и Пхеньянский вокзал ни при чём, "
        "<mark>пхеньян</mark> — тоже."
    )
    assert marked("Всё о ракетах", "все") == "<mark>Всё</mark> о ракетах"


def test_a_korean_term_is_marked_with_its_particle_attached():
    assert marked("러시아와 북한이 조약을 체결했다", "러시아", "북한") == (
        "<mark>러시아</mark>와 <mark>북한</mark>이 조약을 체결했다"
    )


@pytest.mark.parametrize(
    ("sentence", "term", "expected"),
    [
        ("俄罗斯与朝鲜签署条约", "朝鲜", "俄罗斯与<mark>朝鲜</mark>签署条约"),
        ("ロシアと北朝鮮が条約に署名した", "北朝鮮", "ロシアと<mark>北朝鮮</mark>が条約に署名した"),
    ],
)
def test_chinese_and_japanese_terms_are_marked_between_other_letters(sentence, term, expected):
    assert marked(sentence, term) == expected


def test_a_term_the_tagger_found_inside_a_word_is_marked_there():
    # "*روسيا" matches after the clitic لـ ("to"); the term stored is the part the rule names.
    assert marked("زيارة لروسيا", "روسيا") == "زيارة ل<mark>روسيا</mark>"


# --- Evidence JSON ------------------------------------------------------------------------------------------------


def test_evidence_items_keep_only_well_formed_sentences_and_terms():
    evidence = [
        {"sentence": "Lavrov lands", "terms": ["Lavrov", 7]},
        {"sentence": "   ", "terms": ["x"]},
        {"sentence": "No terms"},
        "not an item",
    ]
    assert evidence_items(evidence) == [
        {"sentence": "Lavrov lands", "terms": ["Lavrov"]},
        {"sentence": "No terms", "terms": []},
    ]
    assert evidence_items({"sentence": "not a list"}) == []
