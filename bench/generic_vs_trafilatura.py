"""Generic extraction quality: newsbot's generic extractor vs trafilatura on the same fixture pages, same run.

Both extractors see only the page (no profile). Scores come from ``newsbot.evaluate`` (exact fields, body token F1,
paragraph precision, caption F1, leaks). trafilatura is not a dependency of newsbot: install it to run this
(``pip install trafilatura``).

    python bench/generic_vs_trafilatura.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def trafilatura_extractor():
    import trafilatura

    from newsbot.dates import parse_date
    from newsbot.pages import page_from_bytes
    from newsbot.text import clean_text

    def run(url: str, body: bytes, headers: dict) -> dict:
        page = page_from_bytes(url, body, headers)
        doc = trafilatura.bare_extraction(page.text, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
        if doc is None:
            return {}
        get = (doc.get if isinstance(doc, dict) else lambda k, d=None: getattr(doc, k, d))
        text = get("text") or ""
        paragraphs = [clean_text(p) for p in text.split("\n") if clean_text(p)]
        date = get("date")
        parsed = parse_date(date, page.fetched_at) if date else None
        author = get("author")
        authors = [clean_text(a) for a in author.split(";")] if author else []
        tags = get("tags") or []
        return {
            "title": clean_text(get("title")) or None,
            "lead": None,
            "section": (get("categories") or [None])[0] if get("categories") else None,
            "published_at": parsed.isoformat() if parsed else None,
            "updated_at": None,
            "authors": [a for a in authors if a],
            "source": None,
            "tags": list(tags) if isinstance(tags, list) else [t for t in str(tags).split(",") if t],
            "body": "\n\n".join(paragraphs),
            "captions": [],
        }

    return run


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from newsbot.evaluate import evaluate

    dirs = sorted(d for d in (REPO / "fixtures").iterdir() if (d / "manifest.json").exists())
    results = {"newsbot-generic": evaluate(dirs, generic=True)}
    try:
        results["trafilatura"] = evaluate(dirs, extractor=trafilatura_extractor())
    except ImportError:
        print("trafilatura is not installed: only newsbot's figures are shown", file=sys.stderr)
    table = {name: {"overall": r.summary(), "sites": r.by_site()} for name, r in results.items()}
    if args.json:
        print(json.dumps(table, ensure_ascii=False, indent=2))
        return 0
    cols = ("title", "lead", "published_at", "authors", "source", "tags", "body_f1", "paragraph_precision",
            "caption_f1", "pages_with_leaks")
    print(f"{'extractor':<18}{'site':<26}" + "".join(f"{c[:9]:>10}" for c in cols))
    for name, data in table.items():
        for site, s in [*data["sites"].items(), ("ALL", data["overall"])]:
            cells = "".join(f"{s[c]:>10}" if isinstance(s[c], int) else f"{s[c]:>10.3f}" for c in cols)
            print(f"{name:<18}{site:<26}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
