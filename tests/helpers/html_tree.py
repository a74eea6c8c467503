"""A parsed HTML page as a flat list of elements, for tests that check what a page draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Element", "parse_html"]

_VOID = {"meta", "br", "img", "input", "link", "hr", "line", "rect", "circle", "path"}


@dataclass
class Element:
    """One element: its tag, attributes, own text, its ancestors and children (not in its
    repr, which would otherwise walk the whole tree from every node)."""

    tag: str
    attrs: dict[str, str]
    ancestors: list[Element] = field(repr=False)
    text: str = ""
    children: list[Element] = field(default_factory=list, repr=False)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find(self, tag: str) -> list[Element]:
        """Descendants with ``tag``, in document order."""
        out = []
        for child in self.children:
            if child.tag == tag:
                out.append(child)
            out.extend(child.find(tag))
        return out


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, [])
        self.stack = [self.root]
        self.all: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parent = self.stack[-1]
        element = Element(tag, {k: v or "" for k, v in attrs}, [*parent.ancestors, parent])
        parent.children.append(element)
        self.all.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
        raise AssertionError(f"</{tag}> closes nothing open")

    def handle_data(self, data: str) -> None:
        self.stack[-1].text += data


def parse_html(page: str) -> tuple[Element, list[Element]]:
    """The page's root element and all its elements in document order."""
    builder = _Builder()
    builder.feed(page)
    builder.close()
    return builder.root, builder.all
