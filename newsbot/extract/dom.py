"""Flatten an article body into a flat list of blocks (text lines, images, figures).

Every CMS family nests its body differently: paragraphs in `<p>` or `<div>`, several paragraphs in one `<p>`
separated by `<br>` runs, captions in tables, figures or the paragraph after an image. Extraction rules are easier
to read and share when they work on one flat, ordered list of blocks that records what matters for the decisions
(bold, italic, alignment, images, the element a line came from) instead of on raw markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml.cssselect import CSSSelector

from newsbot.extract.selectors import FastLxmlTranslator
from newsbot.text import clean_text

BLOCK_TAGS = frozenset(
    "p div section article blockquote ul ol li h1 h2 h3 h4 h5 h6 table tbody thead tfoot tr td th figure "
    "figcaption header footer aside center dl dt dd pre address main nav form hr".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
BOLD_TAGS = frozenset(("b", "strong"))
ITALIC_TAGS = frozenset(("i", "em"))
SKIP_TAGS = frozenset("script style noscript template iframe object embed svg canvas video audio button "
                      "input textarea select option label title head meta link".split())

_ALIGN_STYLE = re.compile(r"text-align\s*:\s*(left|right|center|justify)", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic", re.I)


@dataclass
class Image:
    url: str | None
    alt: str = ""


@dataclass
class Block:
    """One line of body text, an image, or a figure (image + caption markup)."""

    kind: str  # "text" | "image" | "figure"
    text: str = ""
    bold: bool = False  # every visible character of the line is bold (or a heading)
    italic: bool = False
    align: str | None = None  # "left" | "right" | "center" | "justify" of the nearest block ancestor
    heading: bool = False
    element: object | None = None  # the block-level lxml element the line came from
    images: list[Image] = field(default_factory=list)
    caption: str | None = None  # figures: the caption text found inside the figure markup
    lines_in_element: int = 1  # how many text lines the source element produced (br-split paragraphs)
    index_in_element: int = 0


_TRANSLATOR = FastLxmlTranslator()


def compile_css(selectors: Iterable[str] | str | None) -> list[CSSSelector]:
    """Compile CSS selectors once per rules class, not once per page."""
    if not selectors:
        return []
    if isinstance(selectors, str):
        selectors = [selectors]
    return [CSSSelector(s, translator=_TRANSLATOR) for s in selectors]


class MatchCache:
    """Per-page sets of elements matching each selector group, so membership checks are O(1).

    Each group is evaluated once over the whole page, on first use: build it after the page's last mutation (the
    furniture removal) and share it by everything that reads the page.
    """

    def __init__(self, root: object) -> None:
        self.root = root
        self._cache: dict[int, set] = {}

    def elements(self, compiled: list[CSSSelector]) -> set:
        """Every element of the page matching one of the selectors."""
        key = id(compiled)
        found = self._cache.get(key)
        if found is None:
            found = set()
            for sel in compiled:
                found.update(sel(self.root))
            self._cache[key] = found
        return found

    def matches(self, el: object, compiled: list[CSSSelector]) -> bool:
        return bool(compiled) and el in self.elements(compiled)


def remove_elements(root: object, compiled: list[CSSSelector]) -> int:
    """Drop every element matching the selectors, keeping their tail text in place."""
    removed = 0
    for sel in compiled:
        for el in sel(root):
            parent = el.getparent()
            if parent is None:
                continue
            _drop_keep_tail(el)
            removed += 1
    return removed


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _drop_keep_tail(el: object) -> None:
    """Remove ``el`` but keep the text that followed it. lxml refuses to store control characters (a Word paste's
    vertical tab, ``&#1;``) that its parser let through, so they are dropped from the moved text."""
    parent = el.getparent()
    tail = _NOT_XML.sub(" ", el.tail) if el.tail else el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = _NOT_XML.sub(" ", prev.tail or "") + tail
        else:
            parent.text = _NOT_XML.sub(" ", parent.text or "") + tail
    parent.remove(el)


def element_align(el: object, style: str | None = None) -> str | None:
    """Alignment declared on the element itself (style or the old ``align`` attribute); ``style`` if already read."""
    m = _ALIGN_STYLE.search(style if style is not None else el.get("style") or "")
    if m:
        return m.group(1).lower()
    align = (el.get("align") or "").lower()
    if align in ("left", "right", "center", "justify"):
        return align
    if el.tag == "center":
        return "center"
    return None


def image_url(img: object, base_url: str | None) -> str | None:
    """Absolute image URL; lazy-loading attributes win over a placeholder ``src``."""
    for attr in ("data-src", "data-original", "data-lazy-src", "src"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return urljoin(base_url, value) if base_url else value
    return None


class _Run:
    """Inline content collected between two block boundaries."""

    __slots__ = ("segments", "images")

    def __init__(self) -> None:
        self.segments: list[tuple[str, bool, bool] | None] = []  # (text, bold, italic); None = <br>
        self.images: list[Image] = []


class Flattener:
    """Walks a body element in document order and emits blocks.

    ``figure`` selectors mark image blocks whose caption sits inside them (``table.image``, ``figure``,
    ``div.articleimg``); ``figure_caption`` finds that caption. Everything else becomes text lines (split at
    ``<br>``) or image blocks (a run with images and no text).
    """

    def __init__(
        self,
        *,
        base_url: str | None,
        figure: list[CSSSelector],
        figure_caption: list[CSSSelector],
        skip: list[CSSSelector] | None = None,
        matches: MatchCache | None = None,
    ) -> None:
        self.base_url = base_url
        self.figure = figure
        self.figure_caption = figure_caption
        self.skip = skip or []
        self.blocks: list[Block] = []
        self._matches = matches  # the page's, when the caller shares one
        self._skipped: set = set()
        self._figures: set = set()

    # -- public -----------------------------------------------------------------------------------------------
    def flatten(self, container: object) -> list[Block]:
        if self.skip or self.figure:
            cache = self._matches or MatchCache(container.getroottree().getroot())
            self._skipped = cache.elements(self.skip) if self.skip else set()
            self._figures = cache.elements(self.figure) if self.figure else set()
        self.blocks = []
        run = self._walk_children(container, _Run(), bold=False, italic=False,
                                  align=element_align(container), block_el=container)
        self._flush(run, element_align(container), container, False)
        return self.blocks

    # -- walking ------------------------------------------------------------------------------------------------
    def _walk_children(self, el: object, run: _Run, *, bold: bool, italic: bool, align: str | None,
                       block_el: object) -> _Run:
        text = el.text
        if text:
            run.segments.append((text, bold, italic))
        for child in el:
            run = self._walk(child, run, bold=bold, italic=italic, align=align, block_el=block_el)
            tail = child.tail
            if tail:
                run.segments.append((tail, bold, italic))
        return run

    def _walk(self, el: object, run: _Run, *, bold: bool, italic: bool, align: str | None,
              block_el: object) -> _Run:
        tag = el.tag
        if not isinstance(tag, str) or not tag:  # comments, processing instructions
            return run
        tag = tag.lower()
        if tag in SKIP_TAGS or el in self._skipped:
            return run
        if el in self._figures:
            self._flush(run, align, block_el, False)
            self._emit_figure(el)
            return _Run()
        if tag == "br":
            run.segments.append(None)
            return run
        if tag == "img":
            run.images.append(Image(image_url(el, self.base_url), clean_text(el.get("alt"))))
            return run
        style = el.get("style") or ""
        el_bold = bold or tag in BOLD_TAGS or bool(style and _BOLD_STYLE.search(style))
        el_italic = italic or tag in ITALIC_TAGS or bool(style and _ITALIC_STYLE.search(style))
        if tag in BLOCK_TAGS:
            self._flush(run, align, block_el, False)
            heading = tag in HEADING_TAGS
            el_align = element_align(el, style) or align
            inner = self._walk_children(el, _Run(), bold=el_bold or heading, italic=el_italic, align=el_align,
                                        block_el=el)
            self._flush(inner, el_align, el, heading)
            return _Run()
        return self._walk_children(el, run, bold=el_bold, italic=el_italic, align=align, block_el=block_el)

    # -- emitting -----------------------------------------------------------------------------------------------
    def _emit_figure(self, el: object) -> None:
        imgs = [Image(image_url(i, self.base_url), clean_text(i.get("alt"))) for i in el.iter("img")]
        caption = None
        for sel in self.figure_caption:
            found = sel(el)
            if found:
                caption = " ".join(text_lines_joined(f) for f in found)
                break
        self.blocks.append(Block(kind="figure", element=el, images=imgs, caption=clean_text(caption) or None))

    def _flush(self, run: _Run, align: str | None, block_el: object, heading: bool) -> None:
        if not run.images and not any(seg and seg[0].strip() for seg in run.segments):
            run.segments.clear()  # nothing, or only the whitespace between two blocks
            return
        lines: list[list[tuple[str, bool, bool]]] = [[]]
        for seg in run.segments:
            if seg is None:
                lines.append([])
            else:
                lines[-1].append(seg)
        texts = []
        for segs in lines:
            text = clean_text("".join([s[0] for s in segs]))
            if not text:
                continue
            visible = [s for s in segs if s[0].strip()]
            bold = bool(visible) and all(s[1] for s in visible)
            italic = bool(visible) and all(s[2] for s in visible)
            texts.append((text, bold, italic))
        if run.images and not texts:
            self.blocks.append(Block(kind="image", element=block_el, images=list(run.images), align=align))
            run.segments.clear()
            run.images.clear()
            return
        if run.images:  # an image inline with text: keep it as its own block before the text
            self.blocks.append(Block(kind="image", element=block_el, images=list(run.images), align=align))
        for i, (text, bold, italic) in enumerate(texts):
            self.blocks.append(Block(kind="text", text=text, bold=bold or heading, italic=italic, align=align,
                                     heading=heading, element=block_el, lines_in_element=len(texts),
                                     index_in_element=i))
        run.segments.clear()
        run.images.clear()


def text_lines(el: object) -> list[str]:
    """Visible text of an element split at ``<br>`` and block boundaries, cleaned, empties dropped."""
    if len(el) == 0:  # no children (a title, a date, a tag link): its own text is its one line
        text = clean_text(el.text)
        return [text] if text else []
    flat = Flattener(base_url=None, figure=[], figure_caption=[])
    return [b.text for b in flat.flatten(el) if b.kind == "text"]


def text_lines_joined(el: object) -> str:
    return " ".join(text_lines(el))
