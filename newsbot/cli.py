"""The ``newsbot`` command: crawl, extract, parse-date, sites, record.

It is a thin layer over the Scrapy project (``scrapy crawl <site>`` works too); the subcommands exist for what
Scrapy's own commands do not cover (replaying fixtures by path, extracting one saved page, parsing dates).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _item_dict(item) -> dict:
    """The item as a plain dict (its values are already plain JSON types: no ItemAdapter walk needed)."""
    return dict(item)


# --- crawl ------------------------------------------------------------------------------------------------------
def resolve_replay_dir(path: str, site_key: str) -> Path:
    """Accept a site's fixture folder, or a folder of fixture folders (then pick the site's)."""
    p = Path(path)
    if (p / "manifest.json").exists():
        return p
    if (p / site_key / "manifest.json").exists():
        return p / site_key
    raise SystemExit(f"newsbot: no fixture folder for {site_key} at {path} (expected manifest.json)")


def crawl_settings(args: argparse.Namespace, replay_dirs: list[Path] | None) -> dict:
    overrides: dict = {"LOG_LEVEL": args.log_level, "NEWSBOT_DATA_DIR": str(args.data_dir),
                       "NEWSBOT_STATE": not args.no_state}
    if args.refresh_days:
        overrides["NEWSBOT_REFRESH_DAYS"] = args.refresh_days
    if args.output:
        overrides["NEWSBOT_OUTPUT"] = str(args.output)
    if args.since:
        overrides["NEWSBOT_SINCE"] = args.since
    if args.max_pages:
        overrides["NEWSBOT_MAX_PAGES"] = args.max_pages
    if replay_dirs:
        overrides.update({
            "NEWSBOT_REPLAY_DIR": [str(d) for d in replay_dirs],
            "NEWSBOT_ALLOW_PRIVATE": True,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "RETRY_ENABLED": False,
        })
    for pair in args.set or []:
        key, _, value = pair.partition("=")
        overrides[key] = value
    return overrides


def cmd_crawl(args: argparse.Namespace) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsbot.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from newsbot.sites import UnknownSite, all_profiles, get_profile
    from newsbot.spiders.sites import SPIDERS

    try:
        profiles = list(all_profiles()) if args.all else [get_profile(args.site)]
    except UnknownSite as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 2
    replay_dirs = [resolve_replay_dir(args.replay, p.key) for p in profiles] if args.replay else None
    settings = get_project_settings()
    settings.setdict(crawl_settings(args, replay_dirs), priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for p in profiles:
        crawler = process.create_crawler(SPIDERS[p.spider_name])
        crawlers.append(crawler)
        process.crawl(crawler, since=args.since, sections=args.sections)
    process.start()
    failed = 0
    for crawler in crawlers:
        report = getattr(crawler, "newsbot_report", None)
        summary = report.summary if report is not None else None
        if summary is None:  # the spider never opened (e.g. the site is locked by another run)
            summary = {"spider": crawler.spidercls.name, "health": "fail",
                       "problems": ["the crawl did not run"], "finish_reason": None}
        brief = {k: summary.get(k) for k in ("site", "spider", "health", "problems", "finish_reason", "requests",
                                             "listing_pages", "article_pages", "items_written", "updates_written",
                                             "dropped", "duplicates", "errors", "replay_misses")}
        print(_json(brief), file=sys.stderr)
        if summary.get("health") != "ok" or summary.get("finish_reason") not in ("finished",):
            failed += 1
    return 1 if failed else 0


# --- extract ----------------------------------------------------------------------------------------------------
GENERIC_FIELDS = ["title", "section", "lead", "body", "authors", "source", "published_at", "updated_at", "captions",
                  "tags"]


def extract_page_item(url: str, body: bytes, headers: dict | None = None, now: datetime | None = None,
                      *, force_generic: bool = False) -> dict:
    """The item a crawl would write for this page (no pipelines); the generic extractor for unknown domains."""
    from newsbot.pages import page_from_bytes
    from newsbot.sites import profile_for_url

    profile = None if force_generic else profile_for_url(url)
    page = page_from_bytes(url, body, headers, fetched_at=now)
    if profile is not None:
        return _item_dict(profile.extract_item(page))
    from urllib.parse import urlsplit

    from newsbot.extract.generic import extract_generic
    from newsbot.items import build_item

    result = extract_generic(page)
    result.fields["site"] = (urlsplit(url).hostname or "").removeprefix("www.")
    item = build_item(result.fields, fetched_at=page.fetched_at, profile="generic", family=None,
                      layout=result.layout, fallback_fields=GENERIC_FIELDS)
    return _item_dict(item)


def cmd_extract(args: argparse.Namespace) -> int:
    now = datetime.fromisoformat(args.now) if args.now else None
    target = Path(args.path)
    if target.is_dir():
        from newsbot.fixtures import FixtureFolder

        for entry in FixtureFolder(target).articles():
            print(_json(extract_page_item(entry.url, entry.read_body(), entry.headers, now,
                                          force_generic=args.generic)))
        return 0
    if not args.url:
        print("newsbot: extract FILE needs --url URL (the page's address decides the profile)", file=sys.stderr)
        return 2
    print(_json(extract_page_item(args.url, target.read_bytes(), None, now, force_generic=args.generic)))
    return 0


# --- parse-date -------------------------------------------------------------------------------------------------
def cmd_parse_date(args: argparse.Namespace) -> int:
    from newsbot.dates import parse_date

    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if now.tzinfo is None:
        from newsbot.dates import ZONE

        now = now.replace(tzinfo=ZONE)
    lines = args.text if args.text else (line.rstrip("\n") for line in sys.stdin)
    for text in lines:
        parsed = parse_date(text, now)
        print(parsed.isoformat() if parsed else "REJECT")
    return 0


# --- sites ------------------------------------------------------------------------------------------------------
def cmd_sites(args: argparse.Namespace) -> int:
    from newsbot.sites import all_profiles

    profiles = [p.describe() for p in all_profiles()]
    scores: dict = {}
    if DEFAULT_EVAL_REPORT.exists():
        try:
            scores = json.loads(DEFAULT_EVAL_REPORT.read_text("utf-8"))
        except ValueError:
            scores = {}
    for p in profiles:
        p["eval"] = {mode: (data.get("sites") or {}).get(p["key"]) for mode, data in scores.items()}
    if args.json:
        print(_json(profiles))
        return 0
    for p in profiles:
        print(f"{p['spider']:<16} {p['key']:<24} family {p['family'] or '-':<3} layouts {','.join(p['layouts'])}"
              f"  {p['name']}")
        for s in p["sections"]:
            print(f"    section {s['name']}: {s['url']}")
        for mode, sc in p["eval"].items():
            if sc:
                print(f"    last eval ({mode}): {sc['pages']} pages, title {sc['title']:.0%}, date "
                      f"{sc['published_at']:.0%}, authors {sc['authors']:.0%}, body F1 {sc['body_f1']:.3f}, "
                      f"caption F1 {sc['caption_f1']:.3f}, pages with leaks {sc['pages_with_leaks']}")
        if not any(p["eval"].values()):
            print("    last eval: none yet (run `newsbot eval`)")
    return 0


# --- eval -------------------------------------------------------------------------------------------------------
DEFAULT_EVAL_REPORT = Path("data") / "eval.json"


def _fixture_dirs(paths: list[str]) -> list[Path]:
    """Fixture folders named, or found inside folders of them (default: every bundled one)."""
    from newsbot.fixtures import FIXTURES_ROOT, expand_fixture_dirs

    return [d for p in (paths or [FIXTURES_ROOT]) for d in expand_fixture_dirs(p)]


def cmd_eval(args: argparse.Namespace) -> int:
    from newsbot.evaluate import evaluate, save_report

    report = evaluate(_fixture_dirs(args.dirs), generic=args.generic)
    mode = "generic" if args.generic else "profiles"
    if args.save:
        save_report(report, Path(args.save), mode=mode)
    if args.json:
        print(_json({"mode": mode, "overall": report.summary(), "sites": report.by_site()}))
        return 0
    cols = ("pages", "title", "lead", "section", "published_at", "updated_at", "authors", "source", "tags",
            "body_f1", "paragraph_precision", "caption_f1", "pages_with_leaks")
    short = ("pages", "title", "lead", "sect", "pub", "upd", "auth", "src", "tags", "bodyF1", "parP", "capF1",
             "leaks")
    print(f"{mode:<26}" + "".join(f"{c:>8}" for c in short))
    rows = list(report.by_site().items()) + [("ALL", report.summary())]
    for site, s in rows:
        cells = []
        for c in cols:
            v = s.get(c, 0)
            cells.append(f"{v:>8}" if isinstance(v, int) else f"{v:>8.3f}")
        print(f"{site:<26}" + "".join(cells))
    return 0


# --- record -----------------------------------------------------------------------------------------------------
def cmd_record(args: argparse.Namespace) -> int:
    from newsbot.record import record

    entries = record(list(args.urls), Path(args.out), kind=args.kind)
    for e in entries:
        print(f"{e.status} {e.url} -> {e.file}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("crawl", help="crawl a site's sections into JSON Lines")
    p.add_argument("site", nargs="?", help="spider name or domain (see `newsbot sites`)")
    p.add_argument("--all", action="store_true", help="crawl every supported site")
    p.add_argument("--replay", metavar="DIR", help="serve responses from a fixture folder (or folder of them)")
    p.add_argument("-o", "--output", metavar="OUT.jsonl", help="JSON Lines file to append items to")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="skip older articles; stop paging past them")
    p.add_argument("--sections", metavar="NAMES", help="comma-separated section names or URLs to crawl")
    p.add_argument("--max-pages", type=int, default=0, help="listing pages per section (0 = all)")
    p.add_argument("--data-dir", default="data", metavar="DIR",
                   help="crawl state and per-run part files (default ./data)")
    p.add_argument("--no-state", action="store_true", help="ignore the crawl state: fetch everything again")
    p.add_argument("--refresh-days", type=int, default=0, metavar="N",
                   help="re-fetch known articles published in the last N days; write an update if changed")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting")
    p.add_argument("--log-level", default="INFO")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("extract", help="print the item for a saved page (any news site), or for a fixture folder")
    p.add_argument("path", help="an HTML file, or a fixture folder")
    p.add_argument("--url", help="the page's URL (required for a file)")
    p.add_argument("--now", help="fetch time (ISO) for relative dates; default: the recorded Date header or now")
    p.add_argument("--generic", action="store_true", help="use the generic extractor even when a profile exists")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("parse-date", help="parse Vietnamese date strings (arguments, or stdin lines)")
    p.add_argument("text", nargs="*")
    p.add_argument("--now", help="reference time (ISO) for relative and year-less dates")
    p.set_defaults(func=cmd_parse_date)

    p = sub.add_parser("sites", help="list supported sites and their sections")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sites)

    p = sub.add_parser("eval", help="score extraction against the expected JSON of fixture folders")
    p.add_argument("dirs", nargs="*", help="fixture folders, or folders of them (default: every bundled fixture)")
    p.add_argument("--generic", action="store_true", help="score the generic extractor instead of the profiles")
    p.add_argument("--json", action="store_true")
    p.add_argument("--save", default=str(DEFAULT_EVAL_REPORT), metavar="FILE",
                   help="keep the scores for `newsbot sites` (default data/eval.json; '' to skip)")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("record", help="save live pages into a fixture folder")
    p.add_argument("urls", nargs="+")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--kind", choices=["article", "section", "other"], default=None)
    p.set_defaults(func=cmd_record)

    from newsbot.export.cli import add_export_parser

    add_export_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "crawl" and not args.all and not args.site:
        parser.error("crawl needs SITE or --all")
    try:
        return args.func(args)
    except BrokenPipeError:  # `newsbot sites | head`: the reader left; not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
