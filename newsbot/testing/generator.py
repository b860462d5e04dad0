"""Synthetic news sites in a real site's template, for scale tests and benchmarks (tests/bench only).

The recorded fixtures hold a few dozen pages per site; crawl throughput, memory growth and incremental runs
need thousands. :class:`GeneratedSite` renders any number of articles and their paginated section listings in
the markup of a recorded page (the chrome, scripts and furniture of the real page are kept, so a page costs
what a real one costs to download and extract), with deterministic text from a seeded word list.

Nothing is stored per article: a page is rendered from its id when requested, in tens of microseconds, so a
20,000-article site costs no disk and no memory. Serve it with
:class:`~newsbot.testing.fixture_server.FixtureServer` (it is a folder-like source: ``lookup``,
``lookup_path``, ``origins``) or write a small one to disk as a fixture folder (:meth:`GeneratedSite.write_folder`)
for replay. :meth:`GeneratedSite.truth` is the article as it was generated: the oracle for extraction and
exactly-once checks.

Supported templates: ``baovinhphuc.com.vn`` (family F6; its pages are the smallest of the bundled fixtures).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsbot.fixtures import FIXTURES_ROOT, origin_of, path_key

__all__ = ["GeneratedEntry", "GeneratedSite", "TEMPLATES"]

# Common Vietnamese words of news prose (NFC). Text is drawn from them with a per-article seeded RNG.
_WORDS = tuple(
    """
    tỉnh huyện xã thành phố nhân dân cán bộ đảng viên chính quyền địa phương kinh tế xã hội phát triển
    nông nghiệp công nghiệp dịch vụ du lịch đầu tư dự án công trình giao thông đường bộ cầu trường học
    bệnh viện y tế giáo dục văn hóa thể thao an ninh quốc phòng trật tự an toàn môi trường nguồn nước
    sản xuất kinh doanh doanh nghiệp hợp tác xã nông dân cây trồng vật nuôi thu hoạch lúa gạo cà phê
    năm tháng ngày tuần quý kế hoạch nhiệm vụ mục tiêu chỉ tiêu kết quả hoàn thành vượt triển khai thực hiện
    tổ chức hội nghị tổng kết sơ kết đánh giá chỉ đạo lãnh đạo Ủy ban Hội đồng Sở Ban ngành đoàn thể
    mặt trận thanh niên phụ nữ cựu chiến binh người cao tuổi học sinh sinh viên giáo viên bác sĩ
    tăng giảm ổn định nâng cao chất lượng hiệu quả đồng bộ hiện đại bền vững xanh sạch đẹp
    hỗ trợ chính sách ngân sách vốn vay tín dụng thuế phí giá thị trường hàng hóa xuất khẩu nhập khẩu
    người dân hộ gia đình khu dân cư thôn bản tổ dân phố nông thôn mới đô thị quy hoạch đất đai
    điện nước viễn thông chuyển đổi số công nghệ thông tin dữ liệu dịch vụ công trực tuyến
    phòng chống dịch bệnh thiên tai bão lũ hạn hán cứu hộ cứu nạn khắc phục hậu quả
    trong ngoài trên dưới với cho của và các những một nhiều đã đang sẽ được bị cũng rất
    """.split()
)
_NAMES = tuple(
    "Nguyễn Văn An|Trần Thị Bình|Lê Minh Châu|Phạm Quốc Dũng|Hoàng Thu Hà|Vũ Đức Hải|Đặng Thanh Hương|"
    "Bùi Xuân Khánh|Đỗ Ngọc Lan|Hồ Việt Long|Ngô Phương Mai|Dương Hữu Nam|Lý Kim Oanh|Trịnh Công Phú".split("|")
)
_TAGS = ("Nông thôn mới", "Chuyển đổi số", "Giao thông", "Y tế", "Giáo dục", "Đầu tư", "Du lịch", "Môi trường")
_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def _slugify(text: str) -> str:
    """ASCII slug of a Vietnamese title, as the CMS builds article paths."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].rstrip("-") or "bai-viet"


@dataclass
class GeneratedEntry:
    """A generated response, shaped like :class:`~newsbot.fixtures.FixtureEntry` for the fixture server."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    kind: str

    def read_body(self) -> bytes:
        """The page bytes (the server's interface)."""
        return self.body


@dataclass(frozen=True)
class _Doc:
    """One generated article: everything its page shows, and the extraction oracle."""

    index: int
    id: int
    url: str
    path: str
    section: str
    section_path: str
    title: str
    lead: str
    paragraphs: tuple[str, ...]
    caption: str
    credit: str
    image_url: str
    author: str
    tags: tuple[str, ...]
    published: dt.date


class _F6Template:
    """Báo Vĩnh Phúc's DotNetNuke skin: an article page and a listing page cut into fill-in parts."""

    site = "baovinhphuc.com.vn"
    article_file = "a52360.html"
    listing_file = "thoi-su_p2.html"

    def __init__(self, folder: Path) -> None:
        article = (folder / "pages" / self.article_file).read_text("utf-8")
        listing = (folder / "pages" / self.listing_file).read_text("utf-8")
        self.article_parts = self._cut(article, [
            (r"<title>.*?</title>", "<title>\n\t{title} - Báo Vĩnh Phúc\n</title>"),
            (r'(<meta property="og:url" content=")[^"]*', r"\g<1>{url}"),
            (r'(<meta property="og:title" content=")[^"]*', r"\g<1>{title} - Báo Vĩnh Phúc"),
            (r'(<meta id="MetaDescription" name="DESCRIPTION" content=")[^"]*', r"\g<1>{lead}"),
            (r'(<meta property="og:description" content=")[^"]*', r"\g<1>{lead}"),
            (r'<div class="cateDetail">.*?</div>', '<div class="cateDetail">{cate}</div>'),
            (r'(<h1 class="titleDetail">).*?(</h1>)', r"\g<1>{title}\g<2>"),
            (r'(<div class="padT4 padB10 titleDdtail f-11">).*?(</div>)', r"\g<1>{dateline}\g<2>"),
            (r'(<div class="content-about-baiviet">).*?(<div class="tinmoi">)', r"\g<1>{body}\g<2>"),
            (r"http://baovinhphuc\.com\.vn/thoi-su/52360/[a-z0-9-]+\.html", "{url}"),
            (r"\(52360\)", "({id})"),
        ])
        self.listing_parts = self._cut(listing, [
            (r"<title>.*?</title>", "<title>\n\t{section} - Báo Vĩnh Phúc\n</title>"),
            (r'(<meta property="og:url" content=")[^"]*', r"\g<1>{url}"),
            (r'<div class="cateDetail">.*?</div>', '<div class="cateDetail">{cate}</div>'),
            (r'<div class="listNews">.*?<div class="paging[^"]*">.*?</div>', "{items}"),
        ])

    @staticmethod
    def _cut(page: str, rules: list[tuple[str, str]]) -> list[str]:
        """Apply the substitutions (each must match), then split at ``{name}``: even items literal, odd names."""
        page = page.replace("{", "{{").replace("}", "}}")
        for pattern, repl in rules:
            page, n = re.subn(pattern, repl, page, flags=re.S)
            if n == 0:
                raise ValueError(f"template {pattern!r} not found: the recorded page changed")
        parts = re.split(r"(?<!\{)\{([a-z]+)\}(?!\})", page)
        return [p.replace("{{", "{").replace("}}", "}") if i % 2 == 0 else p for i, p in enumerate(parts)]

    @staticmethod
    def _fill(parts: list[str], values: dict[str, str]) -> str:
        return "".join(p if i % 2 == 0 else values[p] for i, p in enumerate(parts))

    def article(self, doc: _Doc) -> str:
        e = html.escape
        d = doc.published
        body = [f'\n<p style="text-align: justify;"><strong>{e(doc.lead)}</strong></p>\n']
        body.append(f"<p>{e(doc.paragraphs[0])}</p>\n")
        body.append(
            f'<div class="articleimg" style="text-align: center;">\n<img alt="" src="{e(doc.image_url)}" '
            f'style="width: 600px; border: 0;" /><br />\n<div class="articleimg_caption">{e(doc.caption)} '
            f"(Ảnh: {e(doc.credit)})</div>\n</div>\n"
        )
        body.extend(f'<p style="text-align: justify;">{e(p)}</p>\n' for p in doc.paragraphs[1:])
        body.append(f'<p style="text-align: right;"><strong>{e(doc.author)}</strong></p></div>')
        tags = ", ".join(f'<a href="/tag/{_slugify(t)}.html" class="tagItem">{e(t)}</a>' for t in doc.tags)
        body.append(f'<div class="tagDetail"><span class="tagTitle bold">TAG:</span>{tags}</div>\n\t\t')
        return self._fill(self.article_parts, {
            "title": e(doc.title), "url": e(doc.url), "lead": e(doc.lead), "id": str(doc.id),
            "cate": f'<a href="{doc.section_path}" class="colorRed">{e(doc.section)}</a>',
            "dateline": f"{_WEEKDAYS[d.weekday()]}, {d:%d/%m/%Y}", "body": "".join(body),
        })

    def listing(self, section: str, section_path: str, url: str, docs: list[_Doc], page: int, pages: int) -> str:
        e = html.escape
        out = ['<div class="listNews">\n']
        for doc in docs:
            thumb = f"{origin_of(url)}/Upload/Images/{doc.published:%Y/%m/%d}/thumb_{doc.id}.jpg"
            out.append(
                f'\t\t<div class="itemNews clearfix">\n'
                f'\t\t\t<a href="{doc.path}" class="imgNews fl" title="{e(doc.title)}"><img src="{thumb}" '
                f'alt="{e(doc.title)}" width="160" /></a>\n'
                f'\t\t\t<h3 class="titleNews"><a href="{doc.path}" title="{e(doc.title)}">{e(doc.title)}</a></h3>\n'
                f'\t\t\t<div class="f-11 gray padB4">({doc.published:%d/%m/%Y})</div>\n'
                f'\t\t\t<div class="sapoNews">{e(doc.lead)}</div>\n\t\t</div>\n'
            )
        out.append('\t</div>\n\t<div class="paging txtCenter padT10 padB10">\n')

        def link(p: int) -> str:
            return section_path if p == 1 else f"{section_path}/currentpage/{p}"

        if page > 1:
            out.append(f'\t\t<a href="{section_path}" class="pageFirst" title="Trang đầu">Đầu</a>\n')
            out.append(f'\t\t<a href="{link(page - 1)}" class="pagePrev" title="Trang trước">«</a>\n')
        for p in range(max(1, page - 2), min(pages, page + 2) + 1):
            if p == page:
                out.append(f'\t\t<span class="pageCurrent">{p}</span>\n')
            else:
                out.append(f'\t\t<a href="{link(p)}" class="pageItem">{p}</a>\n')
        if page < pages:
            out.append(f'\t\t<a href="{link(page + 1)}" class="pageNext" title="Trang sau">»</a>\n')
            out.append(f'\t\t<a href="{link(pages)}" class="pageLast" title="Trang cuối">Cuối</a>\n')
        out.append("\t</div>")
        return self._fill(self.listing_parts, {
            "section": e(section), "url": e(url), "items": "".join(out),
            "cate": f'<a href="{section_path}" class="colorRed">{e(section)}</a>',
        })


#: Site key -> template class. One entry per supported template.
TEMPLATES: dict[str, type[_F6Template]] = {"baovinhphuc.com.vn": _F6Template}


@dataclass
class GeneratedSite:
    """``n_articles`` synthetic articles of ``site`` spread over its profile's sections, listed newest first.

    Everything about an article is a function of its id alone, so a site generated with more articles is the
    same site with new ones on top (what an incremental run sees): article ``k`` (0 = oldest) has id
    ``id_base + k``, belongs to section ``k % len(sections)`` and is dated ``epoch + k // per_day`` days; its
    text comes from an RNG seeded with ``(seed, site, id)``. Methods taking ``i`` count from the newest
    (``i = n_articles - 1 - k``). Listings show ``per_page`` articles per page with the template's pager. Every
    response carries the fixed ``Date`` header "newest article's day + 1", so relative dates and
    ``crawled_at`` are reproducible.
    """

    n_articles: int = 1000
    site: str = "baovinhphuc.com.vn"
    seed: int = 1
    per_page: int = 20
    per_day: int = 20
    epoch: dt.date = dt.date(2021, 1, 1)
    id_base: int = 100_000
    fixtures_root: Path = FIXTURES_ROOT
    _tpl: Any = field(init=False, repr=False)
    _sections: list[tuple[str, str]] = field(init=False, repr=False)
    _origin: str = field(init=False, repr=False)
    _headers: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from newsbot.sites import get_profile

        if self.site not in TEMPLATES:
            raise ValueError(f"no generator template for {self.site}; have: {', '.join(TEMPLATES)}")
        if self.n_articles < 0 or self.per_page < 1 or self.per_day < 1:
            raise ValueError("n_articles >= 0, per_page >= 1 and per_day >= 1 are required")
        profile = get_profile(self.site)
        self._tpl = TEMPLATES[self.site](Path(self.fixtures_root) / self.site)
        self._sections = [(s.name, urlsplit(s.url).path.rstrip("/")) for s in profile.sections]
        self._origin = origin_of(profile.sections[0].url)
        newest = self.epoch + dt.timedelta(days=max(0, self.n_articles - 1) // self.per_day)
        fetched = dt.datetime.combine(newest + dt.timedelta(days=1), dt.time(5, 0), dt.UTC)
        self._headers = {"Content-Type": "text/html; charset=utf-8", "Date": format_datetime(fetched, usegmt=True)}
        self._article_re = re.compile(r"^(/[a-z0-9-]+)/(\d+)/([a-z0-9-]+)\.html$")
        self._listing_re = re.compile(r"^(/[a-z0-9-]+)(?:/currentpage/(\d+))?/?$")

    # -- structure
    @property
    def origin(self) -> str:
        """``scheme://host`` of the site (what ``NEWSBOT_HOST_MAP`` maps)."""
        return self._origin

    def origins(self) -> list[str]:
        """The folder interface of the fixture server."""
        return [self._origin]

    def section_count(self, s: int) -> int:
        """How many articles section ``s`` lists."""
        n = len(self._sections)
        return max(0, (self.n_articles - s + n - 1) // n)

    def _section_item(self, s: int, j: int) -> int:
        """The newest-first index ``i`` of the ``j``-th (0 = newest) article listed by section ``s``."""
        n = len(self._sections)
        k_max = s + n * ((self.n_articles - 1 - s) // n)
        return self.n_articles - 1 - (k_max - n * j)

    def section_pages(self, s: int) -> int:
        """How many listing pages section ``s`` has (at least one, possibly empty)."""
        return max(1, -(-self.section_count(s) // self.per_page))

    def listing_urls(self) -> list[str]:
        """Every listing page URL, section by section."""
        out = []
        for s, (_, spath) in enumerate(self._sections):
            for p in range(1, self.section_pages(s) + 1):
                out.append(self._origin + (spath if p == 1 else f"{spath}/currentpage/{p}"))
        return out

    def article_urls(self) -> list[str]:
        """Every article URL, newest first."""
        return [self.doc(i).url for i in range(self.n_articles)]

    # -- content
    def doc(self, i: int) -> _Doc:
        """Article ``i`` (0 = newest), rendered from its seeded RNG."""
        if not 0 <= i < self.n_articles:
            raise IndexError(i)
        k = self.n_articles - 1 - i
        article_id = self.id_base + k
        rng = random.Random(f"{self.seed}:{self.site}:{article_id}")
        words = _WORDS

        def sentence(lo: int, hi: int) -> str:
            ws = rng.choices(words, k=rng.randint(lo, hi))
            return (ws[0][:1].upper() + ws[0][1:] + " " + " ".join(ws[1:])).strip()

        def paragraph() -> str:
            return " ".join(sentence(8, 20) + rng.choice((".", ".", ".", "!")) for _ in range(rng.randint(2, 4)))

        section, spath = self._sections[k % len(self._sections)]
        title = sentence(7, 14) + f" ({article_id})"  # the id keeps titles unique at any scale
        path = f"{spath}/{article_id}/{_slugify(title)}.html"
        published = self.epoch + dt.timedelta(days=k // self.per_day)
        return _Doc(
            index=i, id=article_id, url=self._origin + path, path=path, section=section, section_path=spath,
            title=title, lead=sentence(20, 35) + ".", paragraphs=tuple(paragraph() for _ in range(rng.randint(4, 7))),
            caption=sentence(6, 12) + ".", credit=rng.choice(_NAMES),
            image_url=f"{self._origin}/Upload/Images/{published:%Y/%m/%d}/anh-{article_id}.jpg",
            author=rng.choice(_NAMES), tags=tuple(rng.sample(_TAGS, 2)), published=published,
        )

    def truth(self, i: int) -> dict[str, Any]:
        """What extraction must return for article ``i`` (the fields newsbot's item carries)."""
        d = self.doc(i)
        return {
            "url": d.url, "section": d.section, "title": d.title, "lead": d.lead, "body": "\n\n".join(d.paragraphs),
            "authors": [d.author], "published_at": d.published.isoformat(), "tags": list(d.tags),
            "captions": [{"text": d.caption, "credit": d.credit, "image_url": d.image_url}],
        }

    def _index_of(self, article_id: int) -> int | None:
        i = self.id_base + self.n_articles - 1 - article_id
        return i if 0 <= i < self.n_articles else None

    # -- pages
    def render_article(self, i: int) -> bytes:
        """The article page of article ``i``."""
        return self._tpl.article(self.doc(i)).encode("utf-8")

    def render_listing(self, s: int, page: int) -> bytes | None:
        """Listing page ``page`` (1-based) of section ``s``, or None past the last page."""
        if not 1 <= page <= self.section_pages(s):
            return None
        first = (page - 1) * self.per_page
        docs = [self.doc(self._section_item(s, j)) for j in range(first, min(first + self.per_page,
                                                                             self.section_count(s)))]
        name, spath = self._sections[s]
        url = self._origin + (spath if page == 1 else f"{spath}/currentpage/{page}")
        return self._tpl.listing(name, spath, url, docs, page, self.section_pages(s)).encode("utf-8")

    def lookup_path(self, method: str, path_and_query: str, body: bytes | str | None = None) -> GeneratedEntry | None:
        """The page at ``path_and_query`` (GET/HEAD), rendered now; None for anything the site does not have."""
        if method.upper() not in ("GET", "HEAD"):
            return None
        key = path_key(path_and_query)
        if "?" in key:
            return None
        if m := self._article_re.match(key):
            i = self._index_of(int(m.group(2)))
            if i is None:
                return None
            doc = self.doc(i)
            if doc.path != key:
                return None
            return GeneratedEntry(doc.url, 200, dict(self._headers), self.render_article(i), "article")
        if m := self._listing_re.match(key):
            for s, (_, spath) in enumerate(self._sections):
                if spath == m.group(1):
                    page = int(m.group(2) or 1)
                    if m.group(2) == "1":
                        return None  # page 1 lives at the section path only
                    data = self.render_listing(s, page)
                    if data is None:
                        return None
                    return GeneratedEntry(self._origin + key, 200, dict(self._headers), data, "section")
        return None

    def lookup(self, method: str, url: str, body: bytes | str | None = None) -> GeneratedEntry | None:
        """Like :meth:`lookup_path` for an absolute URL of this site's origin."""
        if origin_of(url) != self._origin:
            return None
        return self.lookup_path(method, path_key(url), body)

    def entries(self) -> Iterator[GeneratedEntry]:
        """Every page: listings first, then articles (for writing a folder; O(n) time, O(1) memory)."""
        for url in self.listing_urls():
            entry = self.lookup_path("GET", path_key(url))
            assert entry is not None
            yield entry
        for i in range(self.n_articles):
            doc = self.doc(i)
            yield GeneratedEntry(doc.url, 200, dict(self._headers), self.render_article(i), "article")

    def write_folder(self, path: str | Path) -> Path:
        """Write the site as a fixture folder (``manifest.json`` + ``pages/``) for replay; returns ``path``.

        Meant for small sites (each page is ~30 KB); serve large ones from memory instead.
        """
        root = Path(path)
        pages = root / "pages"
        pages.mkdir(parents=True, exist_ok=True)
        rows = []
        for entry in self.entries():
            p = path_key(entry.url)
            name = (p.strip("/").replace("/", "_") or "index")
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:150]
            name = name if name.endswith(".html") else name + ".html"
            (pages / name).write_bytes(entry.body)
            rows.append({"url": entry.url, "file": name, "status": entry.status, "headers": entry.headers,
                         "kind": entry.kind})
        (root / "manifest.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", "utf-8")
        return root
