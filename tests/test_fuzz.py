"""Bad input never raises out of extraction, the item builder, validation or the date parser.

Property-based (hypothesis, bounded so the file runs in well under 30 s on 2 cores): real fixture pages
mutated the ways broken CMSs and networks mutate them (tags deleted, duplicated, shuffled; truncated; NFD text;
entity-encoded letters; binary junk; broken nesting), wholly random markup, and degenerate pages (empty,
binary, huge, not an article at all). Every site profile's article and listing extractors run on every input,
not only the page's own: a site that changes template hands its extractor someone else's markup.

Properties: nothing raises; every item that comes out carries no markup in its text fields; an item that
cannot be used is dropped by validation with a counted reason; one that passes validation is schema-valid.
"""

from __future__ import annotations

import datetime
import html
import random
import re
import unicodedata
from functools import cache
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem

from newsbot.cli import extract_page_item
from newsbot.dates import ZONE, find_dates, parse_date, split_labeled
from newsbot.fixtures import FIXTURES_ROOT, FixtureFolder
from newsbot.items import article_schema, build_item
from newsbot.pages import page_from_bytes
from newsbot.pipelines.validate import ValidationPipeline
from newsbot.sites import all_profiles

NOW = datetime.datetime(2026, 1, 20, 12, 0, tzinfo=datetime.UTC)
PROFILES = all_profiles()
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# '<' followed by a tag name, '/', '!' or '?' (markup: "<script", "</p", "<!--"); the word "script" alone may be
# content (an article about JavaScript), so only tags count here.
MARKUP = re.compile(r"<[A-Za-z/!?]")


@cache
def real_pages() -> tuple[tuple[str, bytes, tuple[tuple[str, str], ...]], ...]:
    """(url, body, headers) of every recorded page of every fixture site: articles, listings, API answers."""
    out = []
    for folder in sorted(p for p in FIXTURES_ROOT.iterdir() if (p / "manifest.json").exists()):
        for entry in FixtureFolder(folder).entries:
            if entry.method == "GET":
                out.append((entry.url, entry.read_body(), tuple(entry.headers.items())))
    return tuple(out)


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count


def text_values(item: dict[str, Any]) -> list[tuple[str, str]]:
    out = [(k, item[k]) for k in ("section", "title", "lead", "body", "source", "published_at_raw",
                                  "updated_at_raw") if item.get(k)]
    out += [(k, v) for k in ("authors", "tags") for v in item.get(k) or []]
    out += [(f"captions.{k}", c[k]) for c in item.get("captions") or [] for k in ("text", "credit") if c.get(k)]
    return out


def check_item(item: dict[str, Any], where: str) -> None:
    """No markup in text; validation either passes a schema-valid item or drops it with a counted reason."""
    for key, value in text_values(item):
        assert isinstance(value, str), (where, key)
        assert not MARKUP.search(value), f"{where} {key}: {value[:300]!r}"
    stats = _Stats()
    try:
        ValidationPipeline(stats).process_item(item)
    except DropItem:
        reasons = [k for k in stats.values if k.startswith("newsbot/dropped/")]
        assert reasons and stats.values["newsbot/dropped"] == 1, where
        return
    errors = list(jsonschema.Draft202012Validator(article_schema()).iter_errors(dict(item)))
    assert not errors, f"{where}: {errors[0].message}"


def run_everything(url: str, body: bytes, headers: dict[str, str], *, all_profiles_too: bool = True) -> None:
    """What a crawl does with a response, with every profile: listing, article, item, validation."""
    item = extract_page_item(url, body, headers, now=NOW)
    check_item(item, f"own profile {url}")
    if not all_profiles_too:
        return
    for profile in PROFILES:
        page = page_from_bytes(url, body, headers, fetched_at=NOW)
        profile.extract_listing(page)
        page = page_from_bytes(url, body, headers, fetched_at=NOW)
        result = profile.extract_article(page)
        built = build_item(result.fields, fetched_at=NOW, profile=profile.key, family=profile.family,
                           layout=result.layout, fallback_fields=result.fallback_fields)
        check_item(dict(built), f"{profile.key} on {url}")


# -- mutations of real pages ----------------------------------------------------------------------------------
_TAG = re.compile(r"<[^<>]{1,200}>")
# Tags of raw-text elements are left in place by deletions and shuffles: without its <script> tag, a script's code
# is visible text in any browser (and in the item), which is the page's content, not a leak of markup.
_RAW_TEXT_TAG = re.compile(r"</?\s*(?:script|style|textarea|title|noscript|template|xmp|plaintext)\b", re.I)


def _movable(tag: str) -> bool:
    return not _RAW_TEXT_TAG.match(tag)
_ENTITY_FORMS = ("&#{};", "&#x{:x};", "&#X{:X};", "&#0{};")


def _delete_tags(s: str, rng: random.Random) -> str:
    tags = list(_TAG.finditer(s))
    drop = {m.start() for m in tags if _movable(m.group()) and rng.random() < 0.2}
    return _TAG.sub(lambda m: "" if m.start() in drop else m.group(), s)


def _duplicate_tags(s: str, rng: random.Random) -> str:
    return _TAG.sub(lambda m: m.group() * (2 if rng.random() < 0.1 else 1), s)


def _shuffle_tags(s: str, rng: random.Random) -> str:
    tags = [m.group() for m in _TAG.finditer(s)]
    movable = [i for i, t in enumerate(tags) if _movable(t)]
    if len(movable) < 4:
        return s
    a = rng.randrange(len(movable) - 2)
    window = movable[a: a + rng.randint(2, 60)]
    moved = [tags[i] for i in window]
    rng.shuffle(moved)
    for i, t in zip(window, moved, strict=True):
        tags[i] = t
    it = iter(tags)
    return _TAG.sub(lambda m: next(it), s)


def _truncate(s: str, rng: random.Random) -> str:
    # A cut inside a tag is dropped by the parser, but _entities would then encode its letters ("<&#x68;1"),
    # i.e. turn it into escaped markup: cut before it.
    return re.sub(r"<[^<>]*$", "", s[: rng.randrange(len(s) + 1)])


def _nfd(s: str, rng: random.Random) -> str:
    return unicodedata.normalize("NFD", s)


def _entities(s: str, rng: random.Random) -> str:
    """Letters of the text (not of the tags) written as numeric or named entities, as old CMSs do."""
    def enc(ch: str) -> str:
        if rng.random() > 0.3:
            return ch
        name = html.entities.codepoint2name.get(ord(ch))
        if name and rng.random() < 0.3:
            return f"&{name};"
        return rng.choice(_ENTITY_FORMS).format(ord(ch))

    # Tags and existing entities stay as they are (encoding the "x" of "&#x1ee9;" would nest references).
    parts = re.split(r"(<[^<>]*>|&#?[A-Za-z0-9]{1,10};)", s)
    return "".join(p if i % 2 else re.sub(r"[^\x00-\x7f]|[a-z]", lambda m: enc(m.group()), p)
                   for i, p in enumerate(parts))


def _broken_nesting(s: str, rng: random.Random) -> str:
    junk = ("<div>", "</div>", "<p>", "</p>", "<table><tr><td>", "</td></tr>", "</table>", "<b><i>", "</b>",
            "<ul><li>", "</body>", "</html>", "<html><body>", "<!--", "-->", "<![CDATA[", "]]>", "<?xml ?>")
    out = []
    for part in re.split(r"(?=<)", s):
        if rng.random() < 0.05:
            out.append(rng.choice(junk))
        out.append(part)
    return "".join(out)


def _binary_junk(s: str, rng: random.Random) -> str:
    pos = rng.randrange(len(s) + 1)
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4000))).decode("latin-1")
    return s[:pos] + junk + s[pos:]


def _escaped_markup_removed(s: str, rng: random.Random) -> str:
    """Visible text that *shows* markup ("&lt;b&gt;") is content, not markup: keep it out of this fuzz."""
    return s.replace("&lt;", "").replace("&#60;", "")


# C0 control characters (and U+FFFE/U+FFFF) in a text node crash extraction: lxml refuses them when
# dom._drop_keep_tail moves a dropped element's tail (see test_control_characters_in_text_do_not_crash, an
# expected failure until that is fixed). Until then the fuzz inputs are scrubbed of them so that the other
# properties keep being checked.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _no_controls(s: str) -> str:
    return _CONTROLS.sub("", s)


MUTATIONS = {f.__name__[1:]: f for f in (_delete_tags, _duplicate_tags, _shuffle_tags, _truncate, _nfd, _entities,
                                          _broken_nesting, _binary_junk)}


@FUZZ
@given(page=st.sampled_from(range(10_000)), ops=st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3),
       seed=st.integers(0, 2**32 - 1))
def test_mutated_real_pages_never_raise(page: int, ops: list[str], seed: int) -> None:
    url, body, headers = real_pages()[page % len(real_pages())]
    rng = random.Random(seed)
    text = _escaped_markup_removed(body.decode("utf-8", "replace"), rng)
    for op in ops:
        text = MUTATIONS[op](text, rng)
    run_everything(url, _no_controls(text).encode("utf-8", "surrogatepass"), dict(headers))


# -- random markup ---------------------------------------------------------------------------------------------
# No raw-text elements (title, textarea, script, style): their known leaks are test_known_markup_leaks; scripts
# and styles in real pages are covered by test_security.py::test_injected_script_never_reaches_text.
_TAGS = ("html", "head", "body", "meta", "div", "p", "span", "a", "b", "strong", "i", "em", "h1", "h2",
         "img", "figure", "figcaption", "table", "tr", "td", "ul", "li", "br", "iframe", "font",
         "center", "article", "section", "time", "noscript")
_CLASSES = ("content-fck", "titleDetail", "content-about-baiviet", "detail", "sapo", "date", "author", "tag",
            "articleimg", "articleimg_caption", "pubdate", "title", "main-detail", "itemNews", "paging", "pageNext")
_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"], exclude_characters="<&\ufffe\uffff"),
               max_size=40) | st.sampled_from(
    ("Thứ Tư, 13/01/2021 | 08:15", "(CTO) - Sáng 13-1", "Ảnh: Kim Ly", "Theo TTXVN", "&nbsp;", "&#7913;", "&amp;",
     "Bài, ảnh: A - B", "Cập nhật: 11:25, 02/11/2025", "\u200b", "x" * 500))


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attrs = ""
    if draw(st.booleans()):
        attrs += f' class="{draw(st.sampled_from(_CLASSES))}"'
    if tag in ("a", "img") and draw(st.booleans()):
        link = draw(st.sampled_from(("/x-a1.html", "javascript:x", "", "//h/", "http://[::1]/")))
        attrs += f' {"href" if tag == "a" else "src"}="{link}"'
    if draw(st.booleans()):
        attrs += f' style="{draw(st.sampled_from(("text-align: right", "font-weight:bold", "font-style: italic")))}"'
    children = []
    if depth < 4:
        for _ in range(draw(st.integers(0, 4))):
            children.append(draw(_element(depth + 1)) if draw(st.booleans()) else html.escape(draw(_text)))
    close = "" if draw(st.integers(0, 9)) == 0 else f"</{tag}>"  # sometimes unclosed
    return f"<{tag}{attrs}>{''.join(children)}{close}"


@FUZZ
@given(doc=st.lists(_element(), min_size=0, max_size=6), site=st.sampled_from(range(len(PROFILES))))
def test_random_markup_never_raises(doc: list[str], site: int) -> None:
    profile = PROFILES[site]
    url = profile.sections[0].url
    run_everything(url, "".join(doc).encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


# -- degenerate pages ------------------------------------------------------------------------------------------
def _big_page(mb: int) -> bytes:
    """A real article with its body container stuffed with ``mb`` MB of paragraphs."""
    entry = FixtureFolder(FIXTURES_ROOT / "baocantho.com.vn").articles()[0]
    page = entry.read_body().decode("utf-8")
    i = page.index('<div class="content-fck')
    i = page.index(">", i) + 1
    para = "<p>" + "Cần Thơ phát triển kinh tế xã hội bền vững, " * 20 + "</p>\n"
    return (page[:i] + para * (mb * 1_000_000 // len(para.encode())) + page[i:]).encode("utf-8")


DEGENERATE: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \n\t\r" * 100,
    "nul": b"\x00" * 5000,
    "binary": _no_controls(bytes(random.Random(1).randrange(256) for _ in range(50_000)).decode("latin-1")).encode(
        "latin-1"),
    "gzip": __import__("gzip").compress(b"<html><body><h1>x</h1></body></html>" * 100),
    "png": b"\x89PNG\r\n\x1a\n" + bytes(2000),
    "utf16": "<html><body><h1 class='titleDetail'>Tiêu đề</h1></body></html>".encode("utf-16"),
    "json": b'{"d": {"results": [{"Title": "<b>x</b>", "ArticleStartDate": "2021-01-13"}]}}',
    "robots": b"User-agent: *\nDisallow: /\n",
    "only_doctype": b"<!DOCTYPE html>",
    "deep_nesting": b"<div>" * 20_000 + b"x" + b"</div>" * 20_000,
    "unclosed": b"<html><body><h1>T<p>a<p>b<div><span>" * 2000,
    "many_attrs": b"<div " + b" ".join(b'a%d="%d"' % (i, i) for i in range(5_000)) + b">x</div>",
    "long_line": b"<p>" + b"a" * 1_000_000 + b"</p>",
    "entities": b"<h1>" + b"&#7913;&#x1EE9;&amp;amp;&nbsp;&#0;&#xD800;&#99999999;&bogus;&#128;&#x9f;" * 500 + b"</h1>",
    "cp1258": unicodedata.normalize("NFD", "<html><body><h1>Thứ Tư</h1><p>Ngày 13/01/2021</p></body></html>")
    .encode("cp1258", "replace"),
}


# Big inputs run through each site's own profile only: a page its layout does not match goes to the generic
# fallback, which costs ~2 s per MB (see the report), times eight profiles.
_BIG = {"long_line", "many_attrs", "deep_nesting", "unclosed"}


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_pages_never_raise(name: str) -> None:
    body = DEGENERATE[name]
    for profile in PROFILES:
        run_everything(profile.sections[0].url, body, {"Content-Type": "text/html; charset=utf-8"},
                       all_profiles_too=False)
    if name not in _BIG:
        run_everything(PROFILES[1].sections[0].url, body, {"Content-Type": "text/html"})


@pytest.mark.parametrize("control", [b"\x0b", b"\x01", b"&#1;", b"&#xB;", b"\xef\xbf\xbe"])
def test_control_characters_in_text_do_not_crash(control: bytes) -> None:
    body = b'<html><body><h1 class="fw700">T</h1><p>a</p><div class="tinlienquan">r</div>' + control + b"x</body>"
    extract_page_item("https://baocantho.com.vn/x-a1.html", body, {"Content-Type": "text/html; charset=utf-8"}, now=NOW)


MARKUP_TRAPS = {
    # A <title> inside the body is RCDATA: lxml keeps "</h1>" as its text; the title rule must not read it.
    "title-in-h1": ("https://baobariavungtau.com.vn/xa-hoi/", b"<html><h1><title></h1>", "title"),
    # The generic fallback looks for the date in the text after the title: never inside a stylesheet or script.
    "style-text-as-date": ("https://baobariavungtau.com.vn/xa-hoi/", b"<h1>0</h1><style>1/1<html>",
                           "published_at_raw"),
    # An unclosed <textarea> (a comment form) turns the rest of the page into text; the generic fallback's
    # breadcrumb must not read text inside textarea/script/style.
    "textarea-in-breadcrumb": (
        "https://baocantho.com.vn/x-a1.html",
        b'<html><body><h1 class="fw700">T</h1><span class="pubdate">13/01/2021</span><div id="newscontents">'
        b'<div class="content-fck"><p>a</p></div></div><ol class="breadcrumb"><li><a>Kinh te<textarea><b>x</b></a>'
        b"</li></ol></body></html>",
        "section",
    ),
}


@pytest.mark.parametrize("case", sorted(MARKUP_TRAPS))
def test_markup_never_reaches_text_fields(case: str) -> None:
    url, body, field = MARKUP_TRAPS[case]
    item = extract_page_item(url, body, {"Content-Type": "text/html; charset=utf-8"}, now=NOW)
    assert not MARKUP.search(item[field] or ""), item[field]


def test_unusable_pages_are_counted_drops() -> None:
    for name in ("empty", "binary", "json", "robots"):
        url = PROFILES[0].sections[0].url
        item = extract_page_item(url, DEGENERATE[name], {"Content-Type": "text/html"}, now=NOW)
        stats = _Stats()
        with pytest.raises(DropItem):
            ValidationPipeline(stats).process_item(item)
        assert stats.values["newsbot/dropped"] == 1
        assert any(k.startswith("newsbot/dropped/missing_") for k in stats.values), name


def test_five_megabyte_article_is_extracted_whole() -> None:
    body = _big_page(5)
    url = FixtureFolder(FIXTURES_ROOT / "baocantho.com.vn").articles()[0].url
    item = extract_page_item(url, body, {"Content-Type": "text/html; charset=utf-8"}, now=NOW)
    assert item["title"] and len(item["body"]) > 3_000_000
    check_item(item, "5 MB page")


# -- dates -----------------------------------------------------------------------------------------------------
_DATE_SEEDS = ("Thứ Tư, 13/01/2021 | 08:15", "Cập nhật: 11:25, 02/11/2025", "2021-01-13T08:15:00+07:00",
               "ngày 13 tháng 1 năm 2021", "2 giờ trước", "hôm qua", "13/01", "08:15 CH 13/01/2021",
               "Tháng 1, 13, 2021", "Thá»© TÆ°, 13/01/2021", "h«m qua", "(12/01/2021)")
_date_text = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.sampled_from("0123456789/-.:, hgTZ+thángngàynămlúcSACHAMPM"), max_size=60),
    st.tuples(st.sampled_from(_DATE_SEEDS), st.text(max_size=10), st.integers(0, 40)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2]:]),
)


def _check_parsed(parsed: Any, now: datetime.datetime) -> None:
    if parsed is None:
        return
    iso = parsed.isoformat()
    value = datetime.datetime.fromisoformat(iso) if "T" in iso else datetime.date.fromisoformat(iso)
    day = value.date() if isinstance(value, datetime.datetime) else value
    assert datetime.date(1995, 1, 1) <= day <= (now.astimezone(ZONE) + datetime.timedelta(days=1)).date(), iso


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(text=_date_text, now=st.datetimes(min_value=datetime.datetime(1996, 1, 1),
                                         max_value=datetime.datetime(2040, 1, 1),
                                         timezones=st.sampled_from([datetime.UTC, ZONE])))
def test_date_parser_never_raises(text: str, now: datetime.datetime) -> None:
    _check_parsed(parse_date(text, now), now)
    _check_parsed(parse_date(text, now, year_hint=False), now)
    for found in find_dates(text, now):
        _check_parsed(found, now)
    for value in split_labeled(text).values():
        _check_parsed(parse_date(value, now), now)
    _check_parsed(parse_date(unicodedata.normalize("NFD", text), now), now)
    _check_parsed(parse_date(html.escape(text), now), now)
