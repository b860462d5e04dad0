"""Run every benchmark and rewrite the results table in docs/benchmarks.md.

    python bench/run_all.py [--quick] [--only dates,extract,crawl,incremental,state] [--no-write]

Each benchmark runs in its own process (``bench/<name>_bench.py --json``), one after the other, so none inherits
another's memory or warm caches; its own output is shown as it runs, and its last line (JSON) feeds the table.
The table states the machine, the mode (``--quick`` scales everything down: 2,000 instead of 20,000 crawled
articles, 100,000 instead of 1,000,000 state URLs), and for every figure with a target whether it was met.
Only the part of docs/benchmarks.md between the ``bench:results`` markers is rewritten.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"
ORDER = ("dates", "extract", "crawl", "incremental", "state")


def machine() -> dict[str, str]:
    """CPU model, cores, memory, OS and library versions: what the figures depend on."""
    info = {"cpu": platform.processor() or "?", "cores": str(os.cpu_count()), "memory": "?",
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory"] = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    libs = []
    for name in ("scrapy", "twisted", "lxml", "dateparser", "trafilatura"):
        try:
            libs.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            libs.append(f"{name} (not installed)")
    info["libraries"] = ", ".join(libs)
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                        text=True, timeout=10).stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        info["commit"] = "?"
    return info


def run_bench(name: str, quick: bool) -> dict[str, Any] | None:
    """Run ``bench/<name>_bench.py --json``, echo its output, return its JSON result (None if it failed)."""
    cmd = [sys.executable, str(BENCH / f"{name}_bench.py"), "--json"] + (["--quick"] if quick else [])
    print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    last = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("{"):
            last = line
        else:
            print(line, end="", flush=True)
    code = proc.wait()
    print(f"== {name}: {time.monotonic() - started:.0f} s, exit {code}", flush=True)
    return json.loads(last) if code == 0 and last else None


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("**yes**" if ok else "**NO**")


def _f(value: Any, fmt: str = ",.0f", unit: str = "") -> str:
    return "n/a" if value is None else f"{value:{fmt}}{unit}"


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(benchmark, figure, measured, target, met) rows for every figure the issue asks for."""
    out: list[tuple[str, str, str, str, str]] = []
    d = results.get("dates")
    if d:
        out.append(("dates", f"accuracy on {d['corpus']} strings ({d['fixture_strings']} from fixtures)",
                    f"newsbot {_f(d['newsbot_accuracy'], '.1%')}, dateparser {_f(d.get('dateparser_accuracy'), '.1%')}",
                    "newsbot 100%", _met(d["newsbot_accuracy"] == 1.0)))
        if "speedup" in d:
            out.append(("dates", "time per call", f"newsbot {_f(d['newsbot_us_per_call'], '.1f')} µs, dateparser "
                        f"{_f(d['dateparser_us_per_call'], ',.0f')} µs", "", ""))
            out.append(("dates", "speed-up over dateparser.parse, whole corpus", _f(d["speedup"], ".0f", "x"),
                        ">= 100x", _met(d["speedup"] >= 100)))
            out.append(("dates", f"the same on the {d['fixture_strings']} fixture strings alone (dateparser "
                        f"{_f(d['fixture_dateparser_accuracy'], '.1%')} accurate on them)",
                        _f(d["fixture_speedup"], ".0f", "x"), ">= 100x", _met(d["fixture_speedup"] >= 100)))
    e = results.get("extract")
    if e:
        out.append(("extract", f"article pages/s, one core ({e['pages']} fixture pages, mean "
                    f"{e['bytes_mean'] // 1024} KiB)", f"newsbot {_f(e['newsbot_pages_per_s'])}, trafilatura "
                    f"{_f(e.get('trafilatura_pages_per_s'))}", "", ""))
        if "speedup" in e:
            out.append(("extract", "speed-up over trafilatura.bare_extraction", _f(e["speedup"], ".1f", "x"),
                        ">= 10x", _met(e["speedup"] >= 10)))
    c = results.get("crawl")
    if c:
        ours, theirs = c["newsbot"], c["scrapy_bench"]
        n = ours["articles"]
        out.append(("crawl", f"generated site of {n:,} articles: written exactly once",
                    f"{ours['items_written']:,} written, exit {ours['returncode']}", f"{n:,}",
                    _met(ours["items_written"] == n)))
        out.append(("crawl", "pages/s (Scrapy stats, same run)", f"newsbot {_f(ours['pages_per_s'])}, "
                    f"scrapy bench {_f(theirs['pages_per_s'])}", "", ""))
        out.append(("crawl", "newsbot / scrapy bench", _f(c.get("ratio"), ".2f", "x"), ">= 0.8x",
                    _met(c.get("ratio") is not None and c["ratio"] >= 0.8)))
        out.append(("crawl", "peak RSS of the crawl process", _f(ours["peak_rss_mb"], ".0f", " MB"), "<= 300 MB",
                    _met(ours["peak_rss_mb"] <= 300)))
        out.append(("crawl", "RSS at half / at the end of the items",
                    f"{_f(ours.get('rss_half_mb'), '.0f', ' MB')} at {_f(ours.get('rss_half_items'), ',')} items, "
                    f"{_f(ours.get('rss_full_mb'), '.0f', ' MB')} at {_f(ours.get('rss_full_items'), ',')} items "
                    f"(growth {_f(ours.get('rss_growth_mb'), '+.0f', ' MB')})", "", ""))
        out.append(("crawl", "CPU seconds: crawler / fixture server", f"{ours['crawler_cpu_s']:.0f} s / "
                    f"{ours['server_cpu_s']:.0f} s for {ours['wall_s']:.0f} s wall", "", ""))
    i = results.get("incremental")
    if i:
        out.append(("incremental", f"requests: first run / second run, unchanged site of {i['articles']:,}",
                    f"{i['first']['requests']:,} / {i['second']['requests']:,} "
                    f"({_f(i['second_over_first'], '.2%')})", "", ""))
        out.append(("incremental", f"requests of a third run after {i['added']} new articles",
                    f"{i['third']['requests']:,} ({i['third']['items_written']} written)", "", ""))
    s = results.get("state")
    if s:
        out.append(("state", f"inserts at {s['urls']:,} URLs (transactions of 10,000)",
                    f"mark_pending {_f(s['pending_inserts_per_s'])}/s, mark_written "
                    f"{_f(s['written_updates_per_s'])}/s", "", ""))
        out.append(("state", "mark_pending in autocommit (as the spider calls it)",
                    f"{_f(s['pending_autocommit_per_s'])}/s", "", ""))
        out.append(("state", "lookups: statuses() of 20-URL listing batches",
                    f"{_f(s['lookup_keys_per_s'])} URLs/s", "", ""))
        out.append(("state", f"size at {s['urls']:,} URLs", f"{s['db_mb']:.0f} MB ({s['bytes_per_url']:.0f} B/URL)",
                    "", ""))
    for name in ORDER:
        if name in results and results[name] is None:
            out.append((name, "did not complete", "see the run's output", "", "**NO**"))
    return out


def render(results: dict[str, Any], info: dict[str, str], quick: bool, seconds: float) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "`--quick` (scaled down)" if quick else "full"
    lines = [
        BEGIN,
        f"Run of {when}, mode {mode}, {seconds / 60:.0f} min, commit `{info['commit']}`.",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM, {info['os']}, Python "
        f"{info['python']}; {info['libraries']}.",
        "",
        "| benchmark | figure | measured | target | met |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows(results)]
    lines.append(END)
    return "\n".join(lines)


def write_doc(block: str) -> None:
    text = DOC.read_text("utf-8") if DOC.exists() else "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text, "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scaled down: ~1 minute instead of ~4")
    parser.add_argument("--only", help="comma-separated subset of " + ",".join(ORDER))
    parser.add_argument("--no-write", action="store_true", help="print the table, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",")] if args.only else list(ORDER)
    unknown = set(names) - set(ORDER)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    started = time.monotonic()
    results = {name: run_bench(name, args.quick) for name in names}
    block = render(results, machine(), args.quick, time.monotonic() - started)
    print(block)
    if not args.no_write:
        write_doc(block)
        print(f"wrote {DOC.relative_to(REPO)}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
