"""Reading the structure of sanitized HTML in tests: which elements, and how deeply they nest."""

from html.parser import HTMLParser

VOID_ELEMENTS = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


class StructureReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: list[str] = []
        self.depth = 0
        self.deepest = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.names.append(tag)
        if tag not in VOID_ELEMENTS:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_ELEMENTS:
            self.depth -= 1


def read_structure(markup: str) -> StructureReader:
    reader = StructureReader()
    reader.feed(markup)
    reader.close()
    return reader


def element_names(markup: str) -> set[str]:
    return set(read_structure(markup).names)


def nesting_depth(markup: str) -> int:
    """The deepest nesting of elements in serialized HTML (as nh3 writes it, every element closed)."""
    return read_structure(markup).deepest
