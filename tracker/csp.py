"""The Content-Security-Policy: scripts and styles from this site only, and exactly the inline styles Plotly writes.

No inline script and no eval anywhere. Plotly writes a few styles inline; rather than allowing every inline style,
the policy allows those exact texts by their hashes (CSP hashes of an element's or attribute's full text):

- an empty <style> element, which Plotly then fills through the CSSOM (not governed by the policy);
- the stylesheet of its bundled map library, added when plotly.js loads (the dashboard draws no maps, but a
  refused stylesheet is a console error on every page);
- style attributes: its label markup (<b>, <i>, ...) and the crisp rendering of heatmap cells.

These texts belong to the pinned plotly release; tests/test_csp.py checks each against the installed plotly.min.js.
"""

import base64
import hashlib

from csp.constants import NONE, SELF, UNSAFE_HASHES

EMPTY_TEXT = ""
# The styles Plotly gives its pseudo-HTML label tags (svg_text_utils), as attribute values.
PLOTLY_LABEL_STYLES = (
    "font-weight:bold",
    "font-style:italic",
    "font-style:italic;font-weight:bold",
    "text-decoration:underline",
    "text-decoration:line-through",
    "cursor:pointer",
    "font-size:70%",
)
# Plotly's heatmap image asks the browser not to smooth its cells, in every vendor's spelling.
PLOTLY_HEATMAP_RENDERING = "".join(
    f"image-rendering: {value}; "
    for value in (
        "optimizeSpeed",
        "-moz-crisp-edges",
        "-o-crisp-edges",
        "-webkit-optimize-contrast",
        "optimize-contrast",
        "crisp-edges",
        "pixelated",
    )
)
# SHA-256 of the map library's stylesheet in plotly.js 4.1.1 (83 kB of CSS, so its hash rather than its text).
PLOTLY_MAP_STYLESHEET_HASH = "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"


def sha256_source(text: str) -> str:
    """The CSP source expression that allows exactly this inline text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def content_security_policy() -> dict:
    """The CONTENT_SECURITY_POLICY setting of django-csp."""
    attribute_texts = (EMPTY_TEXT, *PLOTLY_LABEL_STYLES, PLOTLY_HEATMAP_RENDERING)
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF, sha256_source(EMPTY_TEXT), PLOTLY_MAP_STYLESHEET_HASH],
            # 'unsafe-hashes' lets hashes match style attributes: only these exact texts, never others.
            "style-src-attr": [UNSAFE_HASHES, *(sha256_source(text) for text in attribute_texts)],
            "img-src": [SELF, "data:"],
            "object-src": [NONE],
            "base-uri": [NONE],
            "frame-ancestors": [NONE],
            "form-action": [SELF],
        },
    }
