"""Date parsing: newsbot.dates.parse_date vs dateparser.parse, per call and accuracy, on real-world forms.

Why: the date line is parsed for every article and every listing item, and dates.py exists because dateparser is
slow and guesses (month-first, invented times, view counters read as years). This measures both claims on the
same corpus in the same run:

- every date string printed in the fixtures (article date lines and the dates listings print next to each
  link), with the hand-written expected value from ``fixtures/<site>/expected/`` (listing dates are checked
  against the day of the article they list);
- every form in tests/test_dates.py with its expected answer (including the strings that must be rejected).

dateparser gets the settings a crawler would give it (DMY, past, Asia/Ho_Chi_Minh, aware, RELATIVE_BASE = the
fetch time) and ``languages=["vi"]``. It always returns a datetime, so for a date-only expectation only its
date is compared (lenient to it); a rejection is right only when it returns None. Timing is the median of
interleaved rounds over the whole corpus, after a warm-up call of each.

    python bench/dates_bench.py [--quick] [--json]
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchcli import bench_main  # noqa: E402

from newsbot.dates import ZONE, parse_date  # noqa: E402

DATEPARSER_SETTINGS = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "past", "TIMEZONE": "Asia/Ho_Chi_Minh",
                       "RETURN_AS_TIMEZONE_AWARE": True}


@dataclass(frozen=True)
class Case:
    text: str
    now: dt.datetime
    expected: str | None  # "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS+07:00", or None (must be rejected)
    day_only: bool  # compare the day only (a listing date checked against its article's timestamp)
    origin: str


def _fetch_time(headers: dict[str, str]) -> dt.datetime:
    from scrapy.http import Response

    from newsbot.replay import response_fetch_time

    return response_fetch_time(Response("http://fixture.invalid/", headers=headers))


def fixture_cases() -> list[Case]:
    """Date lines of fixture articles and listing items, with the expected values written by hand."""
    from newsbot.cli import extract_page_item
    from newsbot.fixtures import FIXTURES_ROOT, FixtureFolder
    from newsbot.pages import page_from_bytes
    from newsbot.sites import get_profile

    cases: list[Case] = []
    expected_day: dict[str, str] = {}
    for folder_path in sorted(p for p in FIXTURES_ROOT.iterdir() if (p / "manifest.json").exists()):
        folder = FixtureFolder(folder_path)
        for entry in folder.articles():
            gold = entry.load_expected()
            if not gold:
                continue
            item = extract_page_item(entry.url, entry.read_body(), entry.headers)
            now = _fetch_time(entry.headers)
            for raw, key in (("published_at_raw", "published_at"), ("updated_at_raw", "updated_at")):
                if item.get(raw):
                    cases.append(Case(item[raw], now, gold.get(key), False, f"{folder.name} article {key}"))
            if gold.get("published_at"):
                expected_day[entry.url] = gold["published_at"][:10]
        profile = get_profile(folder.name)
        for entry in folder.sections():
            if entry.method != "GET":
                continue
            listing = profile.extract_listing(page_from_bytes(entry.url, entry.read_body(), entry.headers))
            now = _fetch_time(entry.headers)
            for url, text in listing.item_dates.items():
                if url in expected_day:
                    cases.append(Case(text, now, expected_day[url], True, f"{folder.name} listing"))
    return cases


def test_form_cases() -> list[Case]:
    """tests/test_dates.py CASES (text, expected) at its NOW; empty when the file cannot be imported."""
    path = REPO / "tests" / "test_dates.py"
    try:
        spec = importlib.util.spec_from_file_location("_bench_test_dates", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception as exc:  # pytest/hypothesis missing, or the file moved: the fixture corpus still runs
        print(f"dates: skipping tests/test_dates.py forms ({type(exc).__name__}: {exc})", file=sys.stderr)
        return []
    return [Case(text, module.NOW, expected, False, "tests/test_dates.py")
            for text, expected in module.CASES if isinstance(text, str)]


def corpus() -> list[Case]:
    return fixture_cases() + test_form_cases()


# -- the two parsers ------------------------------------------------------------------------------------------
def newsbot_iso(case: Case) -> str | None:
    parsed = parse_date(case.text, case.now)
    return parsed.isoformat() if parsed else None


def dateparser_value(case: Case, parse: Any) -> dt.datetime | None:
    settings = dict(DATEPARSER_SETTINGS, RELATIVE_BASE=case.now.astimezone(ZONE))
    try:
        return parse(case.text, languages=["vi"], settings=settings)
    except Exception:  # dateparser raises on some inputs; count it as "no date"
        return None


def newsbot_correct(case: Case, got: str | None) -> bool:
    if case.expected is None or got is None:
        return case.expected is None and got is None
    return got[:10] == case.expected[:10] if case.day_only else got == case.expected


def dateparser_correct(case: Case, got: dt.datetime | None) -> bool:
    if case.expected is None or got is None:
        return case.expected is None and got is None
    if case.day_only or "T" not in case.expected:
        local = got.astimezone(ZONE) if got.tzinfo else got
        return local.date().isoformat() == case.expected[:10]
    want = dt.datetime.fromisoformat(case.expected)
    return got.tzinfo is not None and got == want


def _time_per_call(fn: Any, cases: list[Case]) -> float:
    started = time.perf_counter()
    for case in cases:
        fn(case)
    return (time.perf_counter() - started) / len(cases)


def run(quick: bool = False) -> dict[str, Any]:
    """Accuracy of both parsers and their per-call times; prints the comparison."""
    cases = corpus()
    result: dict[str, Any] = {"corpus": len(cases), "fixture_strings": sum(c.origin != "tests/test_dates.py"
                                                                            for c in cases)}
    nb_right = [c for c in cases if newsbot_correct(c, newsbot_iso(c))]
    result["newsbot_accuracy"] = len(nb_right) / len(cases)
    result["newsbot_wrong"] = [(c.text, c.expected, newsbot_iso(c)) for c in cases if c not in nb_right][:20]
    try:
        import dateparser
    except ImportError:
        print("dates: SKIP dateparser comparison (dateparser not installed)")
        result["skipped"] = "dateparser not installed"
        return result
    dp_right = [c for c in cases if dateparser_correct(c, dateparser_value(c, dateparser.parse))]
    result["dateparser_accuracy"] = len(dp_right) / len(cases)
    result["dateparser_version"] = dateparser.__version__

    rounds = 3 if quick else 7
    newsbot_call = lambda c: parse_date(c.text, c.now)  # noqa: E731
    dateparser_call = lambda c: dateparser_value(c, dateparser.parse)  # noqa: E731
    newsbot_call(cases[0]), dateparser_call(cases[0])  # warm-up: lazy imports, language data
    fixtures = [c for c in cases if c.origin != "tests/test_dates.py"]
    times: dict[str, list[float]] = {"nb": [], "dp": [], "nb_fx": [], "dp_fx": []}
    for _ in range(rounds):
        times["nb"].append(_time_per_call(newsbot_call, cases))
        times["dp"].append(_time_per_call(dateparser_call, cases))
        times["nb_fx"].append(_time_per_call(newsbot_call, fixtures))
        times["dp_fx"].append(_time_per_call(dateparser_call, fixtures))
    med = {k: statistics.median(v) * 1e6 for k, v in times.items()}
    result["newsbot_us_per_call"] = med["nb"]
    result["dateparser_us_per_call"] = med["dp"]
    result["speedup"] = med["dp"] / med["nb"]
    # The strings real pages print (the fixtures) apart from the test forms, which include the rare leftovers
    # newsbot hands to its own dateparser fallback (~0.5 ms each).
    result["fixture_newsbot_us_per_call"] = med["nb_fx"]
    result["fixture_dateparser_us_per_call"] = med["dp_fx"]
    result["fixture_speedup"] = med["dp_fx"] / med["nb_fx"]
    result["fixture_dateparser_accuracy"] = sum(
        dateparser_correct(c, dateparser_value(c, dateparser.parse)) for c in fixtures) / len(fixtures)
    print(f"dates: {len(cases)} strings ({result['fixture_strings']} from fixtures)")
    print(f"dates: newsbot    {result['newsbot_accuracy']:.1%} accurate, {med['nb']:.1f} µs/call "
          f"(fixture strings {med['nb_fx']:.1f} µs)")
    print(f"dates: dateparser {result['dateparser_accuracy']:.1%} accurate "
          f"(fixture strings {result['fixture_dateparser_accuracy']:.1%}), {med['dp']:.1f} µs/call "
          f"(fixture strings {med['dp_fx']:.1f} µs)")
    print(f"dates: newsbot is {result['speedup']:.0f}x faster on the whole corpus, {result['fixture_speedup']:.0f}x "
          f"on the fixture strings (target >= 100x, 100% accurate)")
    for text, want, got in result["newsbot_wrong"]:
        print(f"dates: newsbot wrong: {text!r} -> {got} (expected {want})")
    return result


def main() -> int:
    return bench_main(run, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
