"""Crawl throughput and memory: a 20,000-article generated site over real HTTP vs ``scrapy bench``, same run.

Why: a crawler must keep up with what Scrapy itself can do on the machine (the target is >= 0.8x the pages/s of
``scrapy bench``, which crawls link-only pages with no extraction) while extracting, deduplicating and writing
every article, and its memory must not grow with the size of the site (target: peak RSS <= 300 MB; little
growth between the 10,000th and the 20,000th article).

- The site: :class:`newsbot.testing.generator.GeneratedSite` in Báo Vĩnh Phúc's real template (~33 KB article
  pages, 20 links per listing page, 2 sections), rendered on the fly by
  :class:`~newsbot.testing.fixture_server.FixtureServer` on 127.0.0.1 in this process; the crawl is the real
  ``newsbot crawl baovinhphuc`` CLI in a child process (HostMapMiddleware maps the site's origin to the server),
  with politeness off (no delay, 16 concurrent requests) and everything else as in production: robots.txt,
  retries, crawl state, dedup, validation, crash-safe part files.
- ``scrapy bench`` runs in an empty directory (Scrapy's defaults, not this project's polite settings), as its
  docs describe, right after the crawl.
- pages/s for both is Scrapy's own ``response_received_count / elapsed_time_seconds`` from the final stats.
  Peak RSS is the child's ``ru_maxrss`` (``os.wait4``); RSS by items is sampled from ``/proc/<pid>/status``
  while counting the lines of the part being written.

    python bench/crawl_bench.py [--quick] [--articles N] [--json]
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchcli import bench_main  # noqa: E402

SITE = "baovinhphuc.com.vn"


class TimedSite:
    """A folder-like source that records when the first and last pages were asked for (crawl span)."""

    def __init__(self, site: Any) -> None:
        self.site = site
        self.first: float | None = None
        self.last: float | None = None
        self.requests = 0
        self._lock = threading.Lock()

    def _tick(self) -> None:
        now = time.monotonic()
        with self._lock:
            self.requests += 1
            self.first = self.first if self.first is not None else now
            self.last = now

    def origins(self) -> list[str]:
        return self.site.origins()

    def lookup(self, method: str, url: str, body: bytes | None = None) -> Any:
        self._tick()
        return self.site.lookup(method, url, body)

    def lookup_path(self, method: str, path: str, body: bytes | None = None) -> Any:
        self._tick()
        return self.site.lookup_path(method, path, body)


def scrapy_stats(log: str) -> dict[str, float]:
    """The numeric entries of Scrapy's final stats dump (``'name': number``)."""
    block = log[log.rfind("Dumping Scrapy stats"):]
    return {k: float(v) for k, v in re.findall(r"'([^']+)': ([0-9]+(?:\.[0-9]+)?)[,}]", block)}


def _vm_rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class _PartCounter:
    """Counts lines appended to the crawl's part file(s) incrementally (never re-reads what it counted)."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.offsets: dict[Path, int] = {}
        self.lines = 0

    def poll(self) -> int:
        if not self.site_dir.exists():
            return self.lines
        for path in self.site_dir.glob("*.jsonl*"):
            key = path.with_name(path.name.removesuffix(".tmp"))
            start = self.offsets.get(key, 0)
            try:
                with path.open("rb") as fh:
                    fh.seek(start)
                    chunk = fh.read()
            except OSError:
                continue
            self.lines += chunk.count(b"\n")
            self.offsets[key] = start + len(chunk)
        return self.lines


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str], part_dir: Path | None = None,
                 timeout: float = 3600) -> dict[str, Any]:
    """Run ``cmd``, sampling RSS (and written items, when ``part_dir`` is given); peak RSS from wait4."""
    out_path = cwd / f"log-{time.monotonic_ns()}.txt"
    counter = _PartCounter(part_dir) if part_dir is not None else None
    samples: list[tuple[float, int, int]] = []  # (seconds, items, rss_kb)
    with out_path.open("wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss = _vm_rss_kb(proc.pid)
            items = counter.poll() if counter is not None else 0
            if rss is not None:
                samples.append((time.monotonic() - started, items, rss))
            if time.monotonic() - started > timeout:
                proc.kill()
            time.sleep(0.1)
        wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    log = out_path.read_text("utf-8", "replace")
    return {"returncode": proc.returncode, "wall_s": wall, "maxrss_kb": usage.ru_maxrss, "samples": samples,
            "cpu_s": usage.ru_utime + usage.ru_stime, "log": log, "stats": scrapy_stats(log)}


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    return env


def crawl_generated(n_articles: int, work: Path) -> dict[str, Any]:
    """Crawl a generated site of ``n_articles`` through the CLI; throughput, memory, correctness."""
    from newsbot.testing.fixture_server import FixtureServer
    from newsbot.testing.generator import GeneratedSite

    site = TimedSite(GeneratedSite(n_articles=n_articles, seed=1))
    data = work / "data"
    mws = {"newsbot.testing.fixture_server.HostMapMiddleware": 120, "newsbot.security.PrivateAddressGuard": 960}
    parent_before = resource.getrusage(resource.RUSAGE_SELF)
    with FixtureServer(site, max_requests=4 * n_articles + 1000, request_timeout=60) as server:
        settings = {
            "NEWSBOT_HOST_MAP": json.dumps(server.host_map), "DOWNLOADER_MIDDLEWARES": json.dumps(mws),
            "NEWSBOT_ALLOW_PRIVATE": "True", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
            "CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "TELNETCONSOLE_ENABLED": "False",
            "LOGSTATS_INTERVAL": "600",
        }
        cmd = [sys.executable, "-m", "newsbot.cli", "crawl", "baovinhphuc", "--data-dir", str(data),
               "--log-level", "INFO"]
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        result = run_measured(cmd, work, _child_env(), part_dir=data / SITE)
    parent_after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = (parent_after.ru_utime + parent_after.ru_stime) - (parent_before.ru_utime + parent_before.ru_stime)
    written = 0
    for part in (data / SITE).glob("*.jsonl"):
        with part.open("rb") as fh:
            written += sum(1 for _ in fh)
    stats = result["stats"]
    span = (site.last or 0) - (site.first or 0)
    half = next(((t, items, rss) for t, items, rss in result["samples"] if items >= n_articles // 2), None)
    full = max(result["samples"], key=lambda s: s[1]) if result["samples"] else None
    out = {
        "articles": n_articles, "returncode": result["returncode"], "items_written": written,
        "responses": stats.get("response_received_count", 0), "elapsed_s": stats.get("elapsed_time_seconds", 0),
        "pages_per_s": stats.get("response_received_count", 0) / max(stats.get("elapsed_time_seconds", 1), 1e-9),
        "server_span_pages_per_s": site.requests / span if span else None,
        "wall_s": result["wall_s"], "crawler_cpu_s": result["cpu_s"], "server_cpu_s": server_cpu,
        "peak_rss_mb": result["maxrss_kb"] / 1024,
        "rss_half_mb": half[2] / 1024 if half else None, "rss_half_items": half[1] if half else None,
        "rss_full_mb": full[2] / 1024 if full else None, "rss_full_items": full[1] if full else None,
    }
    if half and full:
        out["rss_growth_mb"] = out["rss_full_mb"] - out["rss_half_mb"]
    if result["returncode"] != 0 or written != n_articles:
        out["log_tail"] = result["log"][-3000:]
    return out


def scrapy_bench(work: Path) -> dict[str, Any]:
    """``scrapy bench`` with Scrapy's defaults (run outside the project), as its documentation describes."""
    empty = work / "scrapy-bench"
    empty.mkdir()
    env = _child_env()
    env.pop("PYTHONPATH", None)
    result = run_measured([sys.executable, "-m", "scrapy", "bench"], empty, env, timeout=300)
    stats = result["stats"]
    return {
        "returncode": result["returncode"], "responses": stats.get("response_received_count", 0),
        "elapsed_s": stats.get("elapsed_time_seconds", 0),
        "pages_per_s": stats.get("response_received_count", 0) / max(stats.get("elapsed_time_seconds", 1), 1e-9),
        "peak_rss_mb": result["maxrss_kb"] / 1024, "crawler_cpu_s": result["cpu_s"],
        **({"log_tail": result["log"][-2000:]} if not stats else {}),
    }


def run(quick: bool = False, articles: int | None = None) -> dict[str, Any]:
    """The crawl of the generated site, then ``scrapy bench``; prints the comparison."""
    n = articles or (2_000 if quick else 20_000)
    work = Path(tempfile.mkdtemp(prefix="newsbot-crawl-bench-"))
    try:
        ours = crawl_generated(n, work)
        theirs = scrapy_bench(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = ours["pages_per_s"] / theirs["pages_per_s"] if theirs["pages_per_s"] else None
    print(f"crawl: newsbot {n} articles: {ours['items_written']} written, {ours['responses']:.0f} responses in "
          f"{ours['elapsed_s']:.1f} s = {ours['pages_per_s']:.0f} pages/s (wall {ours['wall_s']:.1f} s, "
          f"crawler CPU {ours['crawler_cpu_s']:.1f} s, server CPU {ours['server_cpu_s']:.1f} s)")
    print(f"crawl: newsbot peak RSS {ours['peak_rss_mb']:.0f} MB; RSS {ours['rss_half_mb'] or 0:.0f} MB at "
          f"{ours['rss_half_items']} items, {ours['rss_full_mb'] or 0:.0f} MB at {ours['rss_full_items']} items")
    print(f"crawl: scrapy bench {theirs['responses']:.0f} responses in {theirs['elapsed_s']:.1f} s = "
          f"{theirs['pages_per_s']:.0f} pages/s, peak RSS {theirs['peak_rss_mb']:.0f} MB")
    if ratio is not None:
        print(f"crawl: newsbot / scrapy bench = {ratio:.2f}x pages/s (target >= 0.8x; peak RSS target <= 300 MB)")
    return {"newsbot": ours, "scrapy_bench": theirs, "ratio": ratio}


def main() -> int:
    return bench_main(run, __doc__.splitlines()[0],
                      articles_help="size of the generated site (default 20000; --quick 2000)")


if __name__ == "__main__":
    sys.exit(main())
