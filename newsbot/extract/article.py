"""Article extraction: a page (URL, HTML, fetch time) in, a clean article dict out.

Extraction is kept apart from crawling (the web-poet idea): ``extract_article`` needs no Scrapy response, so a
saved page can be tested alone, and ``newsbot extract`` runs exactly the code a crawl runs. Template families
describe their markup declaratively with :class:`ArticleRules`; the walk over the body and the newsroom
conventions (lead, captions, byline, source line) are shared here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from parsel import Selector

from newsbot.extract import credits
from newsbot.extract.dom import Block, Flattener, MatchCache, compile_css, remove_elements, text_lines
from newsbot.extract.selectors import Sel, as_list, first_match
from newsbot.text import clean_text


@dataclass
class Page:
    """What extraction needs from a response: enough to replay it from a fixture file."""

    url: str
    text: str
    fetched_at: datetime | None = None
    status: int = 200
    meta: dict[str, Any] = field(default_factory=dict)

    _selector: Selector | None = field(default=None, repr=False)

    @property
    def selector(self) -> Selector:
        """A fresh parsed tree per page; extraction mutates it (furniture is removed)."""
        if self._selector is None:
            self._selector = Selector(text=self.text, type="html", base_url=self.url)  # never parsel's JSON guess
        return self._selector


class ArticleRules:
    """Where each field sits in one layout of one template family.

    Subclass per family, then per site for its deltas. Every selector is a CSS or XPath string (or a list: the
    first that matches wins). Methods are the hooks for the rare rule that is not a selector.
    """

    family: ClassVar[str | None] = None
    layout: ClassVar[str] = "v1"

    title: ClassVar[Sel] = "h1"
    section: ClassVar[Sel] = None
    published: ClassVar[Sel] = None  # the printed date line(s)
    updated: ClassVar[Sel] = None
    body: ClassVar[Sel] = None  # the body container
    lead: ClassVar[Sel] = None  # a separate lead/sapo element, outside the body
    lead_in_body: ClassVar[str | None] = "bold_first"  # "bold_first" | "prefix" | None
    lead_prefix: ClassVar[str | None] = None  # regex for a lead that starts with a bold prefix "(CTO) -"
    lead_when_empty: ClassVar[str | None] = "bold_first"  # rule used when the separate lead element is empty
    lead_image: ClassVar[Sel] = None  # a photo block between the lead and the body: its caption precedes the body's
    drop: ClassVar[Sel] = ()  # furniture removed from the page before anything is read
    skip: ClassVar[Sel] = ()  # inside the body: ignored while flattening (ad slots, placeholders)
    figure: ClassVar[Sel] = ()  # image blocks holding their caption (table.image, figure, div.articleimg)
    figure_caption: ClassVar[Sel] = ()  # the caption inside a figure
    caption_after_image: ClassVar[Sel] = ()  # an element right after an image block that is its caption
    caption_after_image_style: ClassVar[bool] = True  # also: a centred or italic line right after an image
    authors: ClassVar[Sel] = None  # a separate author / pen-name box
    source: ClassVar[Sel] = None  # a separate source box ("Theo TTXVN")
    signature_in_body: ClassVar[bool] = True  # the byline may be the last body line
    tags: ClassVar[Sel] = None

    _compiled: ClassVar[dict[str, list]] = {}

    @classmethod
    def matches(cls, page: Page) -> bool:
        """Whether this layout applies to the page (layout versions override this)."""
        return bool(first_match(page.selector, cls.body)) if cls.body else True

    @classmethod
    def css(cls, name: str) -> list:
        key = f"{cls.__module__}.{cls.__qualname__}.{name}"
        found = cls._compiled.get(key)
        if found is None:
            found = compile_css(as_list(getattr(cls, name)))
            cls._compiled[key] = found
        return found

    @classmethod
    def clean_title(cls, text: str) -> str:
        return text

    @classmethod
    def is_caption(cls, block: Block, matches: MatchCache | None = None) -> bool:
        """A text line right after an image is its caption when the template marks it so.

        ``matches`` is the page's match cache, when the caller has one (the selectors then run once per page).
        """
        if block.kind != "text":
            return False
        compiled = cls.css("caption_after_image")
        if compiled and block.element is not None:
            matches = matches or MatchCache(block.element.getroottree().getroot())
            if matches.matches(block.element, compiled):
                return True
        if cls.caption_after_image_style:
            return block.align == "center" or (block.italic and not block.bold)
        return False


@dataclass
class Extracted:
    """The raw result of an extraction, before the item loader normalises it."""

    fields: dict[str, Any]
    layout: str
    fallback_fields: list[str] = field(default_factory=list)


def _text_of(sel_list) -> str:
    parts = []
    for s in sel_list:
        root = s.root
        if isinstance(root, str):
            parts.append(root)
        else:
            parts.append(" ".join(text_lines(root)))
    return clean_text(" ".join(parts))


def extract_with_rules(rules: type[ArticleRules], page: Page) -> Extracted:
    """Apply one layout's rules to a page."""
    sel = page.selector
    root = sel.root
    remove_elements(root, rules.css("drop"))
    matches = MatchCache(root)  # the page is not changed after this point
    out: dict[str, Any] = {"url": page.url}

    out["title"] = rules.clean_title(_text_of(first_match(sel, rules.title)[:1])) or None
    section = first_match(sel, rules.section)
    out["section"] = _text_of(section[:1]) or None
    out["published_at_raw"] = _text_of(first_match(sel, rules.published)[:1]) or None
    out["updated_at_raw"] = _text_of(first_match(sel, rules.updated)[:1]) or None

    captions: list[dict[str, Any]] = []
    lead = None
    flat_kwargs = dict(base_url=page.url, figure=rules.css("figure"), figure_caption=rules.css("figure_caption"),
                       skip=rules.css("skip"), matches=matches)

    lead_nodes = first_match(sel, rules.lead)
    if lead_nodes:
        lead_blocks = Flattener(**flat_kwargs).flatten(lead_nodes[0].root)
        lead_text, lead_caps = _split_captions(rules, lead_blocks, matches)
        captions.extend(lead_caps)
        lead = clean_text(" ".join(b.text for b in lead_text)) or None

    for node in first_match(sel, rules.lead_image)[:1]:  # outside lead and body, so read on its own, in page order
        captions.extend(_split_captions(rules, Flattener(**flat_kwargs).flatten(node.root), matches)[1])

    body_nodes = first_match(sel, rules.body)
    blocks: list[Block] = []
    for node in body_nodes[:1]:
        blocks = Flattener(**flat_kwargs).flatten(node.root)
    text_blocks, body_caps = _split_captions(rules, blocks, matches)
    captions.extend(body_caps)

    rule = rules.lead_in_body if not rules.lead else (rules.lead_when_empty if lead is None else None)
    if lead is None and rule and text_blocks:
        first = text_blocks[0]
        if rule == "bold_first" and first.bold and not first.heading:
            lead = first.text
            text_blocks = text_blocks[1:]
        elif rule == "prefix" and rules.lead_prefix and re.match(rules.lead_prefix, first.text):
            lead = first.text
            text_blocks = text_blocks[1:]
        elif rule == "prefix_or_bold" and (
            (rules.lead_prefix and re.match(rules.lead_prefix, first.text)) or (first.bold and not first.heading)
        ):
            lead = first.text
            text_blocks = text_blocks[1:]

    authors: list[str] = []
    source = None
    box = first_match(sel, rules.authors)
    if box:
        authors = credits.split_authors(_text_of(box[:1]))
    src_box = first_match(sel, rules.source)
    if src_box:
        src_text = _text_of(src_box[:1])
        source = credits.parse_source_line(src_text) or (clean_text(src_text) or None)
    if rules.signature_in_body:
        text_blocks, sig_authors, sig_source = _strip_signature(text_blocks)
        authors = authors or sig_authors
        source = source or sig_source

    out["lead"] = lead
    out["body_paragraphs"] = [b.text for b in text_blocks]
    out["authors"] = authors
    out["source"] = source
    out["captions"] = captions
    out["tags"] = [t for t in (_text_of([s]) for s in first_match(sel, rules.tags)) if t]
    return Extracted(fields=out, layout=rules.layout)


def _split_captions(rules: type[ArticleRules], blocks: list[Block],
                    matches: MatchCache | None = None) -> tuple[list[Block], list[dict]]:
    """Separate image/figure blocks (and the caption line after an image) from text blocks."""
    text: list[Block] = []
    captions: list[dict] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "figure":
            cap_text = b.caption
            url = b.images[0].url if b.images else None
            if not cap_text and i + 1 < len(blocks) and rules.is_caption(blocks[i + 1], matches):
                cap_text = blocks[i + 1].text
                i += 1
            if cap_text or url:
                t, c = credits.split_caption(cap_text)
                captions.append({"text": t, "credit": c, "image_url": url})
        elif b.kind == "image":
            url = b.images[0].url if b.images else None
            cap_text = None
            if i + 1 < len(blocks) and rules.is_caption(blocks[i + 1], matches):
                cap_text = blocks[i + 1].text
                i += 1
            if cap_text:
                t, c = credits.split_caption(cap_text)
                captions.append({"text": t, "credit": c, "image_url": url})
        else:
            text.append(b)
        i += 1
    return text, captions


def _strip_signature(blocks: list[Block]) -> tuple[list[Block], list[str], str | None]:
    """Remove the trailing byline and/or "Theo X" line from the body.

    At most two trailing lines are credits (a byline then a source line, or the reverse).
    """
    authors: list[str] = []
    source = None
    for _ in range(2):
        if not blocks:
            break
        last = blocks[-1]
        if last.heading:
            break
        src = credits.parse_source_line(last.text)
        if src and source is None and (last.align == "right" or last.bold or last.italic or len(blocks) > 1):
            source = src
            blocks = blocks[:-1]
            continue
        if not authors and credits.looks_like_signature(last.text, bold=last.bold, align=last.align,
                                                        italic=last.italic):
            names = credits.split_authors(last.text)
            if names:
                authors = names
                blocks = blocks[:-1]
                continue
        break
    return blocks, authors, source
