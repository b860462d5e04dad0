"""The quality gate: extraction scored against expected JSON, per field.

``newsbot eval DIR...`` runs the extractor over every article page of fixture folders and compares with the
expected output written by hand. The test suite runs it with floors that may only rise, so an extraction
regression fails CI instead of reaching a dataset. Scores:

- exact fields (title, lead, published_at, updated_at, authors, source, tags, section): share of pages equal;
- body: token F1 (over the whole body), paragraph precision (share of extracted paragraphs that are exactly
  an expected paragraph) and recall;
- captions: F1 over (text, credit) pairs;
- leaks: pages whose body contains a caption, a photo credit, the byline, a source line or page furniture.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbot.fixtures import FixtureFolder
from newsbot.text import fold_for_key

EXACT_FIELDS = ("title", "lead", "section", "published_at", "updated_at", "authors", "source", "tags")
FURNITURE = ("Chia sẻ", "Từ khóa", "Tin liên quan", "Ý kiến của bạn", "Ý kiến bạn đọc", "lượt xem", "Lượt xem",
             "Họ tên:", "Họ và tên", "Email:", "TAG:", "Bình luận", "In bài", "Gửi email", "Đọc nhiều",
             "Tin cùng chuyên mục", "Quảng cáo", "{title}", "{publish}")
_CREDIT_IN_BODY = re.compile(r"(?:^|[.\s(])Ảnh\s*:", re.I)
_TOKEN = re.compile(r"\w+", re.U)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold_for_key(text))


def token_f1(got: str, want: str) -> float:
    return set_f1(tokens(got), tokens(want))


def set_f1(got: Iterable, want: Iterable) -> float:
    """F1 over multisets: both empty counts as a perfect match (nothing to find, nothing found)."""
    g, w = Counter(got), Counter(want)
    if not g and not w:
        return 1.0
    overlap = sum((g & w).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(g.values()), overlap / sum(w.values())
    return 2 * p * r / (p + r)


def leaks(got: dict, want: dict) -> list[str]:
    """What does not belong in the body but is there."""
    body_paras = [p for p in (got.get("body") or "").split("\n\n") if p]
    body = "\n".join(body_paras)
    folded = {fold_for_key(p) for p in body_paras}
    found = []
    for cap in want.get("captions") or []:
        if cap.get("text") and len(cap["text"]) > 15 and cap["text"] in body:
            found.append("caption")
            break
    if _CREDIT_IN_BODY.search(body):
        found.append("credit")
    for name in want.get("authors") or []:
        if fold_for_key(name) in folded or any(fold_for_key(p).endswith(fold_for_key(name)) and len(p) < 60
                                               for p in body_paras):
            found.append("signature")
            break
    if want.get("source") and any(re.fullmatch(rf"\(?\s*(Theo|Nguồn:?)\s+{re.escape(want['source'])}\s*\)?\.?", p)
                                  for p in body_paras):
        found.append("source")
    for word in FURNITURE:
        if word in body and not any(word in p for p in want.get("body_paragraphs") or []):
            found.append(f"furniture:{word}")
            break
    return found


@dataclass
class PageScore:
    site: str
    file: str
    exact: dict[str, bool]
    body_f1: float
    para_precision: float
    para_recall: float
    caption_f1: float
    leaks: list[str]


@dataclass
class Report:
    pages: list[PageScore] = field(default_factory=list)

    def summary(self, pages: list[PageScore] | None = None) -> dict[str, Any]:
        pages = self.pages if pages is None else pages
        n = len(pages)
        if not n:
            return {"pages": 0}
        out: dict[str, Any] = {"pages": n}
        for name in EXACT_FIELDS:
            out[name] = round(sum(p.exact[name] for p in pages) / n, 4)
        out["body_f1"] = round(sum(p.body_f1 for p in pages) / n, 4)
        out["paragraph_precision"] = round(sum(p.para_precision for p in pages) / n, 4)
        out["paragraph_recall"] = round(sum(p.para_recall for p in pages) / n, 4)
        out["caption_f1"] = round(sum(p.caption_f1 for p in pages) / n, 4)
        out["pages_with_leaks"] = sum(1 for p in pages if p.leaks)
        out["leaks"] = dict(Counter(kind for p in pages for kind in p.leaks))
        return out

    def by_site(self) -> dict[str, dict[str, Any]]:
        sites = sorted({p.site for p in self.pages})
        return {s: self.summary([p for p in self.pages if p.site == s]) for s in sites}


def score_page(site: str, file: str, got: dict, want: dict) -> PageScore:
    exact = {name: got.get(name) == want.get(name) for name in EXACT_FIELDS}
    got_paras = [p for p in (got.get("body") or "").split("\n\n") if p]
    want_paras = want.get("body_paragraphs") or []
    want_set = set(want_paras)
    got_set = set(got_paras)
    precision = sum(1 for p in got_paras if p in want_set) / len(got_paras) if got_paras else float(not want_paras)
    recall = sum(1 for p in want_paras if p in got_set) / len(want_paras) if want_paras else float(not got_paras)
    caps_got = [(c.get("text"), c.get("credit")) for c in got.get("captions") or []]
    caps_want = [(c.get("text"), c.get("credit")) for c in want.get("captions") or []]
    return PageScore(site=site, file=file, exact=exact, body_f1=token_f1("\n".join(got_paras), "\n".join(want_paras)),
                     para_precision=precision, para_recall=recall, caption_f1=set_f1(caps_got, caps_want),
                     leaks=leaks(got, want))


def evaluate(dirs: Iterable[str | Path], *, generic: bool = False, extractor=None) -> Report:
    """Score every article page with expected JSON in the fixture folders.

    ``extractor(url, body, headers) -> dict`` defaults to newsbot's own (profile, or generic when asked); the
    benchmarks pass another one (trafilatura) to compare on the same pages.
    """
    from newsbot.cli import extract_page_item

    report = Report()
    for d in dirs:
        folder = FixtureFolder(Path(d))
        site = folder.path.name
        for entry in folder.articles():
            want = entry.load_expected()
            if want is None:
                continue
            if extractor is not None:
                got = extractor(entry.url, entry.read_body(), entry.headers)
            else:
                got = extract_page_item(entry.url, entry.read_body(), entry.headers, force_generic=generic)
            report.pages.append(score_page(site, entry.file, got, want))
    return report


def save_report(report: Report, path: Path, *, mode: str) -> None:
    """Keep the last scores where ``newsbot sites`` can show them."""
    data = {}
    if path.exists():
        try:
            data = json.loads(path.read_text("utf-8"))
        except ValueError:
            data = {}
    data[mode] = {"overall": report.summary(), "sites": report.by_site()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
