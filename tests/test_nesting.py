"""The pass that bounds nesting before the HTML5 parser: sloppy but shallow markup is left alone."""

import pytest

from ingest.nesting import bound_nesting

REPEAT = 300
LIMIT = 40


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param("<p>paragraph" * REPEAT, id="paragraphs never closed"),
        pytest.param("<ul>" + "<li>item" * REPEAT + "</ul>", id="list items never closed"),
        pytest.param("<ul>" + "<li><p>item" * REPEAT + "</ul>", id="paragraphs in list items"),
        pytest.param("<dl>" + "<dt>term<dd>meaning" * REPEAT + "</dl>", id="definitions never closed"),
        pytest.param("<h2>a" * REPEAT, id="headings never closed"),
        pytest.param("<p><b>bold</b> and <i>italic</i></p><br><hr><img src=x>" * REPEAT, id="closed and void"),
        pytest.param("<script>if (a < b) { x = '<div>'; }</script>" * REPEAT, id="markup in script text"),
        pytest.param("<!-- <div> -->" * REPEAT, id="markup in comments"),
        pytest.param('<a title="<div>" href="/x">link</a>' * REPEAT, id="markup in attribute values"),
    ],
)
def test_sloppy_but_shallow_markup_keeps_every_tag(markup):
    bounded = bound_nesting(markup, LIMIT)
    assert bounded.dropped_tags == 0
    assert bounded.deepest <= 3


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param("<div>" * REPEAT, id="divs"),
        pytest.param("<span title='a'>" * REPEAT, id="spans with attributes"),
        pytest.param("<bR\u00a0>" * REPEAT, id="unknown element named like a void one"),
        pytest.param("<lin\u212a>" * REPEAT, id="kelvin sign lower-cases to link outside ASCII"),
        pytest.param("<svg><foreignObject><div><g>" + "<p><span>" * REPEAT, id="html inside svg"),
        pytest.param("<svg>" + "<style><g>" * REPEAT, id="style in svg is not raw text"),
    ],
)
def test_tags_nested_past_the_limit_are_dropped(markup):
    bounded = bound_nesting(markup, LIMIT)
    assert bounded.deepest == LIMIT
    assert bounded.dropped_tags > 0


def test_dropped_start_tags_take_their_end_tags_with_them():
    markup = "<div>" * 50 + "text" + "</div>" * 50
    assert bound_nesting(markup, LIMIT).html == "<div>" * LIMIT + "text" + "</div>" * LIMIT


def test_a_tag_cut_off_by_the_end_of_the_fragment_ends_the_scan():
    assert bound_nesting("<div>" * 50 + "<div title='x", LIMIT).deepest == LIMIT
