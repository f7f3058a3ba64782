"""The signal types' colours as a stylesheet, so chips take the colour admins chose.

The Content-Security-Policy refuses inline styles, so a colour cannot travel in a style attribute; a
stylesheet from this site can carry it. Each chip names its type in a data-signal attribute, and this sheet
gives every type its colour, plus a text colour that stays readable on it.
"""

import hashlib
import re

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

from tracker.models import SignalType
from tracker.roles import role_required

# Admins type these in; only values that cannot break out of a CSS rule reach the sheet.
COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
DARK_INK, LIGHT_INK = "#1d2330", "#ffffff"


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of #rgb or #rrggbb."""
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_ink(colour: str) -> str:
    """White or dark text, whichever contrasts more with the colour."""
    return LIGHT_INK if contrast(colour, LIGHT_INK) >= contrast(colour, DARK_INK) else DARK_INK


def signal_rule(slug: str, colour: str) -> str:
    return f'[data-signal="{slug}"] {{ --signal-colour: {colour}; --signal-ink: {readable_ink(colour)}; }}\n'


def signal_stylesheet(types: list[tuple[str, str]]) -> str:
    return "".join(
        signal_rule(slug, colour) for slug, colour in types if SLUG.fullmatch(slug) and COLOUR.fullmatch(colour)
    )


@role_required
def signal_types_css(request: HttpRequest) -> HttpResponse:
    types = list(SignalType.objects.order_by("sort_order", "slug").values_list("slug", "colour"))
    css = signal_stylesheet(types)
    etag = '"' + hashlib.sha256(css.encode()).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(css, content_type="text/css")
    response["ETag"] = etag
    # Revalidated on each page: an admin's new colour shows at once, and an unchanged sheet costs a 304.
    patch_cache_control(response, private=True, no_cache=True)
    return response
