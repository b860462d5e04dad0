"""The generic extractor: any news page, no profile.

Used for domains newsbot has no profile for, and per field when a profile's selector finds nothing. Metadata
first (JSON-LD ``NewsArticle``, OpenGraph / ``article:*`` meta, ``<time>``), then text heuristics: the body is the
element holding the most paragraph text with few links; furniture is removed by class/id words common on
Vietnamese CMSs; then the same newsroom rules as the profiles (bold lead, captions after images, "Ảnh:" credits,
closing byline and "Theo X" line) apply to the flattened body.
"""

from __future__ import annotations

import json
import re
from typing import Any

from parsel import Selector

from newsbot.extract.article import ArticleRules, Extracted, Page, _split_captions, _strip_signature
from newsbot.extract.dom import Flattener, compile_css, remove_elements, text_lines
from newsbot.extract.selectors import first_match
from newsbot.text import clean_text, fold_for_key

LAYOUT = "generic-v1"

_ALWAYS_DROP = compile_css(["script", "style", "noscript", "iframe", "nav", "footer", "header", "aside",
                            "button", "input", "select", "textarea", "svg", "marquee"])
_FIGURE = compile_css(["figure", "table.image", "table[class*='image']", "div.articleimg", "div[class*='img-detail']",
                       "div.pImage", "div[class*='picture']"])
_FIGURE_CAPTION = compile_css(["figcaption", "td.image_desc", "[class*='caption']", "[class*='desc']",
                               "[class*='img-title']"])
# Text inside these is code or form input, never article text (an unclosed <textarea> swallows the rest of a page).
_NOT_TEXT = "[not(ancestor::script or ancestor::style or ancestor::textarea or ancestor::noscript or ancestor::title)]"
_BLOCKISH = {"p", "div", "h2", "h3", "h4", "blockquote", "li", "td", "section", "article"}


class GenericRules(ArticleRules):
    """Rules used only for the newsroom conventions the generic path shares with profiles."""

    family = None
    layout = LAYOUT
    caption_after_image = ("p.pCaption", "[class*='caption']")
    caption_after_image_style = True


def _jsonld_articles(sel: Selector) -> list[dict]:
    found: list[dict] = []
    for raw in sel.css("script[type='application/ld+json']::text").getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            obj = stack.pop()
            if isinstance(obj, list):
                stack.extend(obj)
            elif isinstance(obj, dict):
                kind = obj.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and k.endswith(("Article", "NewsArticle", "BlogPosting", "Report"))
                       for k in kinds):
                    found.append(obj)
                if "@graph" in obj:
                    stack.append(obj["@graph"])
    return found


def _meta(sel: Selector, *names: str) -> str | None:
    for name in names:
        value = sel.xpath(f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']/@content").get()
        if value and value.strip():
            return clean_text(value)
    return None


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [clean_text(value)] if clean_text(value) else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def metadata(sel: Selector) -> dict[str, Any]:
    """Fields a page declares about itself (JSON-LD wins over meta tags)."""
    out: dict[str, Any] = {}
    for art in _jsonld_articles(sel):
        out.setdefault("title", clean_text(art.get("headline") or art.get("name")) or None)
        out.setdefault("published_at", art.get("datePublished"))
        out.setdefault("updated_at", art.get("dateModified"))
        out.setdefault("description", clean_text(art.get("description")) or None)
        authors = [a for a in _names(art.get("author")) if a]
        if authors:
            out.setdefault("authors", authors)
        section = art.get("articleSection")
        if isinstance(section, list):
            section = section[0] if section else None
        if section:
            out.setdefault("section", clean_text(section))
    out = {k: v for k, v in out.items() if v}
    out.setdefault("title", _meta(sel, "og:title", "twitter:title"))
    out.setdefault("published_at", _meta(sel, "article:published_time", "datePublished", "pubdate",
                                         "og:published_time"))
    out.setdefault("updated_at", _meta(sel, "article:modified_time", "dateModified", "og:updated_time"))
    out.setdefault("section", _meta(sel, "article:section"))
    out.setdefault("description", _meta(sel, "og:description", "description"))
    if not out.get("published_at"):
        out["published_at"] = sel.css("article time::attr(datetime), time[pubdate]::attr(datetime)").get() or \
            sel.css("time::attr(datetime)").get()
    return {k: v for k, v in out.items() if v}


def _title_element(sel: Selector, meta_title: str | None):
    """The visible headline: the h1 whose text best matches the declared title (sites put logos in h1 too)."""
    best, best_score = None, -1.0
    want = fold_for_key(meta_title or "")
    for h in sel.xpath("//h1 | //h2[contains(@class,'title')]"):
        text = clean_text(" ".join(text_lines(h.root)))
        if not text:
            continue
        got = fold_for_key(text)
        score = 0.0
        if want:
            if got == want:
                score = 3
            elif got and (got in want or want in got):
                score = 2
        score += 1 if h.root.tag == "h1" else 0
        score += min(len(got), 200) / 1000
        if score > best_score:
            best, best_score = h, score
    return best


def _text_len(el) -> int:
    return len(clean_text("".join(el.itertext())))


def _link_len(el) -> int:
    return sum(len(clean_text("".join(a.itertext()))) for a in el.iter("a"))


def _body_container(root, title_el):
    """The element with the most paragraph text (direct children), penalising link-heavy blocks."""
    best, best_score = None, 0.0
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag.lower() not in _BLOCKISH:
            continue
        score = 0.0
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag.lower()
            if tag not in ("p", "div", "h2", "h3", "h4", "blockquote"):
                continue
            if tag == "div" and any(isinstance(d.tag, str) and d.tag.lower() in ("p", "div", "table", "ul")
                                    for d in child.iterdescendants()):
                continue  # a wrapper: its paragraphs score for the wrapper itself, not for its parent
            n = _text_len(child)
            if n < 25:
                continue
            links = _link_len(child)
            if links > 0.3 * n:
                continue
            score += n
        text = el.text or ""
        score += len(text.strip()) * 0.5
        if score > best_score:
            best, best_score = el, score
    return best


_CATEGORY_WORDS = ("cate", "category", "chuyenmuc", "chuyen-muc", "chuyen_muc")
_TAG_BOXES = ("//*[contains(@class,'tag') or contains(@class,'keyword') or contains(@class,'topic') "
              "or contains(@id,'tag') or contains(@id,'keyword')][.//a]")


def _category_label(title) -> str | None:
    """The section label printed just above the headline (``div.cateDetail > a``, ``div.cate-bar h2 a``).

    Looked for only in the headline's own block (three ancestors up) and before the headline: category links in
    menus and side boxes are elsewhere. The first link is the section; a sub-section may follow it.
    """
    block = title
    for _ in range(3):
        if block.getparent() is not None:
            block = block.getparent()
    for el in block.iter():
        if el is title:
            break
        if not isinstance(el.tag, str):
            continue
        words = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        if any(w in words for w in _CATEGORY_WORDS):
            for a in el.iter("a"):
                text = clean_text("".join(a.itertext()))
                if text and len(text) < 60:
                    return text
    return None


def _tags_after(root, container) -> list[str]:
    """Tag links from the first tag/keyword box after the body starts (other "topic" boxes are site-wide menus)."""
    boxes = root.xpath(_TAG_BOXES)
    if not boxes:
        return []
    order = {el: i for i, el in enumerate(root.iter())}
    start = order.get(container, -1) if container is not None else -1
    after = [b for b in boxes if order.get(b, -1) > start]
    box = after[0] if after else boxes[-1]
    texts = [clean_text("".join(a.itertext())) for a in box.iter("a")]
    return [t for t in dict.fromkeys(texts) if t and len(t) < 80]


def _furniture_in(container) -> list:
    """Boxes inside the body that are not body: named like furniture, or lists of links (related news)."""
    out = []
    for el in container.iter():
        if el is container or not isinstance(el.tag, str):
            continue
        if el.tag.lower() in ("table", "ul", "ol", "div", "aside") and el.find(".//a") is not None:
            n = _text_len(el)
            if n and _link_len(el) > 0.5 * n:
                out.append(el)
                continue
        words = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        if any(w in words for w in ("relate", "lienquan", "share", "social", "comment", "binhluan", "banner",
                                    "quangcao", "adv", "ads-", "tool", "print", "rating", "tag", "keyword",
                                    "topic", "audio", "print-template", "enc")):
            out.append(el)
    return out


def _date_lines(nodes: list[str], now) -> tuple[list[tuple[str, bool]], str | None]:
    """Date lines among text nodes: [(text, has_time)] for publication, and the first 'Cập nhật' line."""
    from newsbot.dates import find_dates, split_labeled

    found: list[tuple[str, bool]] = []
    updated = None
    for t in nodes:
        t = clean_text(t)
        if len(t) > 150:  # body text reached: a date printed after it is someone else's (footer, licence line)
            break
        if not t or len(t) > 100:
            continue
        for key, value in split_labeled(t).items():
            dates = find_dates(value, now)
            if not dates:
                continue
            if key == "updated":
                updated = updated or value
            else:
                found.append((value if key else t, dates[0].has_time))
    return found, updated


def _texts_before(title, levels: int) -> list[str]:
    """Text printed before the headline inside its own article block (``levels`` ancestors up), in order.

    A date bar just above the headline belongs to the article; the header's "today" above the whole page does not,
    and it sits outside the headline's block.
    """
    block = title
    for _ in range(levels):
        if block.getparent() is not None:
            block = block.getparent()
    out: list[str] = []
    for el in block.iter():
        if el is title:
            break
        skip = ("script", "style", "a", "li", "textarea", "noscript", "title")
        if not isinstance(el.tag, str) or el.tag in skip:
            continue
        if any(isinstance(a.tag, str) and a.tag in skip for a in el.iterancestors()):
            continue
        if el.text and el.text.strip():
            out.append(el.text)
        if el.tail and el.tail.strip() and title not in el.iterdescendants():
            out.append(el.tail)
    return out


def _choose_date(sel: Selector, title_el, meta_value: str | None, now) -> tuple[str | None, str | None]:
    """The publication date line: printed near the headline (after it, else just before it), else the meta.

    A printed line with a time beats a date-only meta value (JSON-LD often drops the time); the header's
    "today" sits far above the headline and is out of reach of the small window before it.
    """
    after: list[tuple[str, bool]] = []
    before: list[tuple[str, bool]] = []
    updated = None
    if title_el is not None:
        # Dates inside lists and links belong to other articles (related news, "Tin mới"), not to this one.
        own = f"[normalize-space()][not(ancestor::li) and not(ancestor::a)]{_NOT_TEXT}"
        after, updated = _date_lines(title_el.xpath(f"following::text(){own}")[:60].getall(), now)
        nodes = _texts_before(title_el.root, levels=2)[-12:]
        before, upd_before = _date_lines(list(reversed(nodes)), now)
        updated = updated or upd_before
    meta_has_time = bool(meta_value and re.search(r"T\d{2}:\d{2}", meta_value))
    for text, has_time in after[:1] + before[:1]:
        if has_time:
            return text, updated
    if meta_has_time:
        return None, updated
    for text, _ in after[:1] + before[:1]:
        return text, updated
    return None, updated


def extract_generic(page: Page) -> Extracted:
    """Extract an article from any news page."""
    sel = page.selector
    root = sel.root
    meta = metadata(sel)
    title_el = _title_element(sel, meta.get("title"))
    out: dict[str, Any] = {"url": page.url}
    out["title"] = clean_text(" ".join(text_lines(title_el.root))) if title_el is not None else meta.get("title")
    published_raw, updated_raw = _choose_date(sel, title_el, meta.get("published_at"), page.fetched_at)
    out["published_at_raw"] = published_raw
    out["updated_at_raw"] = updated_raw
    out["published_at"] = meta.get("published_at")
    out["updated_at"] = meta.get("updated_at")

    crumbs = [clean_text(t) for t in sel.xpath(
        f"//*[contains(@class,'breadcrumb')]//a//text()[normalize-space()]{_NOT_TEXT}").getall()]
    crumbs = [c for c in crumbs if c and fold_for_key(c) not in ("trang chủ", "home", "tin tức sự kiện")]
    out["section"] = meta.get("section") or (crumbs[-1] if crumbs else None) or (
        _category_label(title_el.root) if title_el is not None else None)

    # lead: a visible element outside the body whose text is the declared description
    description = meta.get("description")
    lead_el = None
    if description:
        want = fold_for_key(description)
        for el in sel.xpath("//body//*[self::p or self::div or self::h2 or self::span]"):
            if fold_for_key(" ".join(text_lines(el.root))) == want:
                lead_el = el.root
                break

    remove_elements(root, _ALWAYS_DROP)
    container = _body_container(root, title_el)
    out["tags"] = _tags_after(root, container)
    captions: list[dict] = []
    lead = None
    if lead_el is not None and container is not None and not _is_inside(lead_el, container):
        lead = description
    blocks = []
    if container is not None:
        for el in _furniture_in(container):
            if el.getparent() is not None:
                el.getparent().remove(el)
        blocks = Flattener(base_url=page.url, figure=_FIGURE, figure_caption=_FIGURE_CAPTION).flatten(container)
    text_blocks, body_caps = _split_captions(GenericRules, blocks)
    captions.extend(body_caps)
    text_blocks = [b for b in text_blocks if fold_for_key(b.text) != fold_for_key(out.get("title") or "")]
    if lead is None and text_blocks and text_blocks[0].bold and not text_blocks[0].heading:
        lead = text_blocks[0].text
        text_blocks = text_blocks[1:]
    elif lead is None and text_blocks and description and fold_for_key(text_blocks[0].text) == fold_for_key(
            description) and re.match(r"^\(?[A-ZĐ]{2,6}\)?\s*[-–]", text_blocks[0].text):
        lead = text_blocks[0].text
        text_blocks = text_blocks[1:]
    if lead is not None and text_blocks and fold_for_key(text_blocks[0].text) == fold_for_key(lead):
        text_blocks = text_blocks[1:]
    text_blocks, authors, source = _strip_signature(text_blocks)
    if not authors:
        authors = meta.get("authors") or []
        box = first_match(sel, ["div.author", ".pseudonym", "[class*='author']"])
        if not authors and box:
            from newsbot.extract.credits import split_authors

            authors = split_authors(clean_text(" ".join(box[0].xpath(".//text()").getall())))
    if source is None:
        from newsbot.extract.credits import parse_source_line

        box = first_match(sel, ["div.source", "[class*='source']", "[class*='nguon']"])
        if box:
            source = parse_source_line(clean_text(" ".join(box[0].xpath(".//text()").getall())))
    out["lead"] = lead
    out["body_paragraphs"] = [b.text for b in text_blocks]
    out["authors"] = authors
    out["source"] = source
    out["captions"] = captions
    return Extracted(fields=out, layout=LAYOUT)


def _is_inside(el, container) -> bool:
    node = el
    while node is not None:
        if node is container:
            return True
        node = node.getparent()
    return False


__all__ = ["extract_generic", "metadata", "GenericRules", "LAYOUT"]
