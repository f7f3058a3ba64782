"""One forward pass over an HTML fragment, before the HTML5 parser sees it: bounded nesting, images as alt text.

The HTML5 parser inside nh3 (html5ever) walks its stack of open elements on many tags, so a fragment of N nested
elements costs O(N²): 40,000 nested <div> take seconds to clean, and a 10 MiB feed body holds ~900,000. This pass
follows the open elements the way the HTML5 parser does, erring on the side of counting too many, and drops the
start and end tags of elements that would open deeper than the limit; their text stays, so nothing a reader could
see is lost. Where it cannot follow the parser exactly it keeps an element open longer rather than shorter (it pops
only on an end tag for the element on top, or where the parser surely closes it), so an estimate can only be high.

It also replaces every <img> by its alt text: a stored copy loads nothing from elsewhere (see ingest.sanitize).

The scan only moves forward and its regular expressions are anchored and possessive, so it runs in linear time.
"""

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

# The rest of a tag after its name, up to its ">": a quote opens a value only after "=", as in the HTML5 tokenizer.
_ATTRIBUTE = (
    r"""[^\t\n\f\r />][^\t\n\f\r />=]*+(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >]*+))?+"""
)
# "<" then a tag (its ">" missing only at the end of the fragment), a comment, or anything else the tokenizer
# turns into a bogus comment or a doctype. The possessive loop never gives back, so a failed tag costs one pass.
_MARKUP = re.compile(rf"<(?:(/?)([A-Za-z][^\t\n\f\r />]*+)((?:[\t\n\f\r /]++|{_ATTRIBUTE})*+)(>)?|(!--)|([!?/]))")
_ATTRIBUTE_PAIR = re.compile(
    r"""([^\t\n\f\r />][^\t\n\f\r />=]*+)(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+("[^"]*+"|'[^']*+'|[^\t\n\f\r >]*+))?+"""
)
_COMMENT_END = re.compile(r"--!?>")
_IMAGE_TAG = re.compile(r"<im(?:g|age)", re.IGNORECASE)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

VOID_ELEMENTS = frozenset(
    "area base basefont bgsound br col embed frame hr img image input keygen link meta param source track wbr".split()
)
# Their text is not markup (outside SVG and MathML) until the matching end tag.
RAW_TEXT_ELEMENTS = frozenset("script style xmp iframe noembed noframes noscript textarea title".split())
# A start tag of one of these closes an open <p> that is the current element.
CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer header "
    "hgroup main menu nav ol p section summary ul h1 h2 h3 h4 h5 h6 pre listing form li dd dt hr xmp".split()
)
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# A new item closes the current one of the same family: <li>a<li>b, <dt>a<dd>b, <option>a<option>b.
ITEM_FAMILIES = {"li": {"li"}, "dd": {"dd", "dt"}, "dt": {"dd", "dt"}, "option": {"option"}}
# Inside SVG or MathML these hold HTML again; the others stay foreign until a "break-out" tag.
INTEGRATION_POINTS = frozenset("foreignobject desc title mi mo mn ms mtext annotation-xml".split())
BREAKOUT_ELEMENTS = frozenset(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu "
    "meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var".split()
)
FOREIGN_ROOTS = {"svg": "svg", "math": "math"}
# An end tag in SVG or MathML closes the nearest element of its name; looking further would cost time per tag.
FOREIGN_END_TAG_REACH = 8


@dataclass
class OpenElement:
    name: str
    namespace: str = "html"

    @property
    def is_foreign(self) -> bool:
        return self.namespace != "html"

    @property
    def holds_html(self) -> bool:
        return self.namespace == "html" or self.name in INTEGRATION_POINTS


@dataclass
class Bounded:
    html: str
    deepest: int = 0
    dropped_tags: int = 0


@dataclass
class _Scan:
    source: str
    max_depth: int
    stack: list[OpenElement] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    copied_up_to: int = 0
    deepest: int = 0
    dropped_tags: int = 0
    dropped_names: Counter = field(default_factory=Counter)

    def replace(self, start: int, end: int, text: str) -> None:
        if start > self.copied_up_to:
            self.pieces.append(self.source[self.copied_up_to : start])
        if text:
            self.pieces.append(text)
        self.copied_up_to = end

    def result(self) -> str:
        if not self.copied_up_to:
            return self.source
        return "".join(self.pieces) + self.source[self.copied_up_to :]

    @property
    def top(self) -> OpenElement | None:
        return self.stack[-1] if self.stack else None

    @property
    def is_in_html(self) -> bool:
        return self.top is None or self.top.holds_html


def bound_nesting(fragment: str, max_depth: int) -> Bounded:
    """The fragment with no element deeper than max_depth (by a high estimate) and each <img> as its alt text."""
    if fragment.count("<") <= max_depth and not _IMAGE_TAG.search(fragment):
        return Bounded(fragment)
    scan = _Scan(fragment, max_depth)
    position = 0
    while (found := _MARKUP.search(fragment, position)) is not None:
        position = _step(scan, found)
        if position < 0:
            break
    return Bounded(scan.result(), scan.deepest, scan.dropped_tags)


def _step(scan: _Scan, found: re.Match) -> int:
    """Handle one piece of markup; the position after it, or -1 when the rest of the fragment is not markup."""
    is_end_tag, name, _, closed, is_comment, is_bogus = found.groups()
    if is_comment:
        return _comment_end(scan.source, found.end())
    if is_bogus:
        return _bogus_comment_end(scan, scan.source, found.start(), found.end())
    if not closed:
        return -1  # a tag cut off by the end of the fragment is no tag at all
    name = name.translate(_ASCII_LOWER)
    if is_end_tag:
        _end_tag(scan, name, found.start(), found.end())
        return found.end()
    return _start_tag(scan, name, found)


def _comment_end(source: str, after_opening: int) -> int:
    if source.startswith(">", after_opening):
        return after_opening + 1
    if source.startswith("->", after_opening):
        return after_opening + 2
    closing = _COMMENT_END.search(source, after_opening)
    return closing.end() if closing else -1


def _bogus_comment_end(scan: _Scan, source: str, start: int, after_opening: int) -> int:
    terminator = "]]>" if source.startswith("<![CDATA[", start) and scan.top and scan.top.is_foreign else ">"
    closing = source.find(terminator, after_opening)
    return closing + len(terminator) if closing >= 0 else -1


def _start_tag(scan: _Scan, name: str, found: re.Match) -> int:
    start, end = found.span()
    if scan.is_in_html or name in BREAKOUT_ELEMENTS:
        _break_out_of_foreign_content(scan)
        _close_implied(scan, name)
    if name in ("img", "image"):
        scan.replace(start, end, _alt_text(scan.source, found.start(3), end))
        return end
    if name in VOID_ELEMENTS:
        return end
    if len(scan.stack) >= scan.max_depth:
        scan.replace(start, end, "")
        scan.dropped_tags += 1
        scan.dropped_names[name] += 1
        return end
    scan.stack.append(OpenElement(name, _namespace_of(scan, name)))
    scan.deepest = max(scan.deepest, len(scan.stack))
    return _skip_raw_text(scan, name, end)


def _break_out_of_foreign_content(scan: _Scan) -> None:
    while scan.top and not scan.top.holds_html:
        scan.stack.pop()


def _close_implied(scan: _Scan, name: str) -> None:
    """Pop what the parser surely closes for this start tag: the current <p>, heading or list item."""
    top = scan.top
    if top and top.name == "p" and name in CLOSES_P:
        scan.stack.pop()
    top = scan.top
    if top and (top.name in ITEM_FAMILIES.get(name, ()) or (name in HEADINGS and top.name in HEADINGS)):
        scan.stack.pop()


def _namespace_of(scan: _Scan, name: str) -> str:
    top = scan.top
    if top is None or top.holds_html:
        return FOREIGN_ROOTS.get(name, "html")
    return top.namespace


def _skip_raw_text(scan: _Scan, name: str, after_tag: int) -> int:
    if name == "plaintext" and not scan.top.is_foreign:
        return -1
    if name not in RAW_TEXT_ELEMENTS or scan.top.is_foreign:
        return after_tag
    closing = _raw_text_end(name).search(scan.source, after_tag)
    return closing.start() if closing else -1


@cache
def _raw_text_end(name: str) -> re.Pattern:
    return re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE)


def _end_tag(scan: _Scan, name: str, start: int, end: int) -> None:
    if scan.dropped_names[name]:
        scan.dropped_names[name] -= 1
        scan.replace(start, end, "")
        return
    reach = FOREIGN_END_TAG_REACH if scan.top and scan.top.is_foreign else 1
    for depth in range(1, min(reach, len(scan.stack)) + 1):
        element = scan.stack[-depth]
        if element.name == name:
            del scan.stack[-depth:]
            return
        if not element.is_foreign:
            return


def _alt_text(source: str, attributes_start: int, tag_end: int) -> str:
    """An image's alt attribute as escaped text, spaced apart so that the words around it do not run together."""
    for pair in _ATTRIBUTE_PAIR.finditer(source, attributes_start, tag_end):
        value = pair.group(2) or ""
        if pair.group(1).translate(_ASCII_LOWER) == "alt" and value:
            if value[0] in "\"'":
                value = value[1:-1]
            text = " ".join(html.unescape(value).split())
            return f" {html.escape(text, quote=False)} " if text else " "
    return " "
