"""Scheduled-crawl guarantees: crash safety under SIGKILL, JOBDIR pause/resume, refresh updates, health exit codes.

Every crawl runs the real CLI in a subprocess against replayed fixtures. Kills are placed by watching the output:
the process is SIGKILLed once its live part reaches a random number of lines (plus a random few milliseconds), so
they land mid-run whatever the machine's speed.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, fixture_entries

from newsbot.extensions.report import evaluate_health

SITE = "baocantho.com.vn"
SLOW = ["-s", "CONCURRENT_REQUESTS=1"]  # one page at a time: more distinct kill points between items


def crawl_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsbot.cli", "crawl", *args, "--log-level", "WARNING"]


def expected_urls(site: str = SITE) -> list[str]:
    return sorted(e["url"] for e in fixture_entries(site, ("article",)))


def lines_of(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert not raw or raw.endswith(b"\n"), f"torn line at the end of {path}"
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()]


def count_lines(paths: list[Path]) -> int:
    total = 0
    for p in paths:
        try:
            total += p.read_bytes().count(b"\n")
        except FileNotFoundError:
            pass
    return total


def kill_after(cmd: list[str], watch: callable, threshold: int, extra_delay: float, timeout: float = 60) -> bool:
    """Start ``cmd``; SIGKILL it once ``watch()`` reaches ``threshold`` lines (+ a delay). True if it was killed."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if watch() >= threshold:
                time.sleep(extra_delay)
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
                return True
            time.sleep(0.002)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.mark.parametrize("seed", [1, 2])
def test_sigkill_at_random_points_then_rerun_loses_and_duplicates_nothing(tmp_path, seed: int) -> None:
    rng = random.Random(seed)
    data = tmp_path / "data"
    site_dir = data / SITE
    total = len(expected_urls())
    kills = 0
    for _ in range(4):
        threshold = rng.randint(0, total - 1)
        watch = lambda: count_lines(list(site_dir.glob("*.jsonl.tmp")))  # noqa: E731 - lines of the live part
        killed = kill_after(crawl_cmd(SITE, "--replay", "fixtures", "--data-dir", str(data), *SLOW), watch,
                            threshold, rng.uniform(0, 0.05))
        kills += killed
        for left in site_dir.glob("*.jsonl*"):  # right after the kill, before any repair: whole lines only
            lines_of(left)
    assert kills >= 2, "the crawl ended before most kills: the test did not exercise what it claims"
    final = subprocess.run(crawl_cmd(SITE, "--replay", "fixtures", "--data-dir", str(data)), cwd=REPO,
                           capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr[-3000:]
    assert not list(site_dir.glob("*.tmp")), "a killed run's part was left unpublished"
    items = [it for part in sorted(site_dir.glob("*.jsonl")) for it in lines_of(part)]
    urls = [it["url"] for it in items]
    assert sorted(urls) == expected_urls(), "lost or duplicated articles across killed runs"
    # every published part has a manifest whose sha256 matches the part
    import hashlib

    for part in site_dir.glob("*.jsonl"):
        manifest = json.loads(part.with_name(part.name[: -len(".jsonl")] + ".manifest.json").read_text("utf-8"))
        info = next(p for p in manifest["parts"] if p["file"] == part.name)
        assert info["sha256"] == hashlib.sha256(part.read_bytes()).hexdigest()


def test_sigkill_with_single_output_file(tmp_path) -> None:
    rng = random.Random(7)
    out = tmp_path / "articles.jsonl"
    data = tmp_path / "data"
    total = len(expected_urls())
    for _ in range(3):
        kill_after(crawl_cmd(SITE, "--replay", "fixtures", "--data-dir", str(data), "-o", str(out), *SLOW),
                   lambda: count_lines([out]), rng.randint(1, total - 1), rng.uniform(0, 0.03))
    final = subprocess.run(crawl_cmd(SITE, "--replay", "fixtures", "--data-dir", str(data), "-o", str(out)),
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr[-3000:]
    assert sorted(it["url"] for it in lines_of(out)) == expected_urls()


def test_jobdir_pause_and_resume(tmp_path) -> None:
    """Scrapy's JOBDIR: a run stopped cleanly (here by CLOSESPIDER_ITEMCOUNT) resumes where it stopped."""
    out = tmp_path / "out.jsonl"
    common = ["--replay", "fixtures", "--data-dir", str(tmp_path / "data"), "-o", str(out),
              "-s", f"JOBDIR={tmp_path / 'job'}", "-s", "CONCURRENT_REQUESTS=1"]
    first = subprocess.run(crawl_cmd(SITE, *common, "-s", "CLOSESPIDER_ITEMCOUNT=4"), cwd=REPO,
                           capture_output=True, text=True, timeout=120)
    done_first = len(lines_of(out))
    assert 4 <= done_first < len(expected_urls()), first.stderr[-2000:]
    second = subprocess.run(crawl_cmd(SITE, *common), cwd=REPO, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr[-3000:]
    assert sorted(it["url"] for it in lines_of(out)) == expected_urls()


def test_refresh_writes_an_update_only_when_content_changed(tmp_path) -> None:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES / SITE, fixtures / SITE)
    data = tmp_path / "data"
    args = [SITE, "--replay", str(fixtures), "--data-dir", str(data)]
    first = subprocess.run(crawl_cmd(*args), cwd=REPO, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr[-3000:]
    # An editor fixes a sentence in the featured article of THỜI SỰ page 1.
    page = fixtures / SITE / "pages" / "a196871.html"
    html = page.read_text("utf-8")
    assert "Tin, ảnh: T.L" in html
    page.write_text(html.replace("<p style=\"text-align: justify;\">", "<p style=\"text-align: justify;\">Cập nhật: ",
                                 1), "utf-8")
    second = subprocess.run(crawl_cmd(*args, "--refresh-days", "36500"), cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert second.returncode == 0, second.stderr[-3000:]
    parts = sorted((data / SITE).glob("*.jsonl"))
    assert len(parts) == 2
    updates = lines_of(parts[-1])
    assert [u["record_type"] for u in updates] == ["update"]
    assert updates[0]["url"].endswith("a196871.html")
    assert "Cập nhật: " in updates[0]["body"]
    summary = next(json.loads(line) for line in second.stderr.splitlines() if line.startswith('{"site"'))
    assert summary["updates_written"] == 1


def test_health_fails_on_coverage_floor(tmp_path) -> None:
    proc = subprocess.run(crawl_cmd(SITE, "--replay", "fixtures", "--data-dir", str(tmp_path / "d"),
                                    "-s", 'NEWSBOT_MIN_COVERAGE={"title": 1.0, "source": 0.9}'),
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    summary = next(json.loads(line) for line in proc.stderr.splitlines() if line.startswith('{"site"'))
    assert summary["health"] == "fail"
    assert any("source" in p for p in summary["problems"])
    runs = (tmp_path / "d" / SITE / "reports" / "runs.jsonl").read_text("utf-8").splitlines()
    assert json.loads(runs[-1])["coverage"]["title"] == 1.0


def _summary(items: int, **coverage: float) -> dict:
    cov = {"title": 1.0, "body": 1.0, "published_at": 1.0, "authors": 0.9, "tags": 0.8}
    cov.update(coverage)
    return {"items_scraped": items, "error_rate": 0.0, "coverage": cov}


def test_drift_detected_against_rolling_average() -> None:
    kwargs = dict(max_error_rate=0.05, min_coverage={"title": 1.0}, window=5, drift_drop=0.3, min_items=5)
    history = [_summary(20) for _ in range(6)]
    assert evaluate_health(_summary(20), history, **kwargs) == []
    problems = evaluate_health(_summary(20, authors=0.1), history, **kwargs)
    assert len(problems) == 1 and "authors" in problems[0] and "drift" in problems[0]
    # too few items to judge drift; an empty incremental run is healthy
    assert evaluate_health(_summary(2, authors=0.0), history, **kwargs) == []
    assert evaluate_health(_summary(0, title=0.0), history, **kwargs) == []
    bad = dict(_summary(20), error_rate=0.2)
    assert "error rate" in evaluate_health(bad, history, **kwargs)[0]


def test_second_run_of_a_locked_site_refuses(tmp_path) -> None:
    import fcntl

    site_dir = tmp_path / "data" / SITE
    site_dir.mkdir(parents=True)
    fd = os.open(site_dir / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = subprocess.run(crawl_cmd(SITE, "--replay", "fixtures", "--data-dir", str(tmp_path / "data")),
                              cwd=REPO, capture_output=True, text=True, timeout=120)
    finally:
        os.close(fd)
    assert proc.returncode != 0
    assert "holds" in proc.stderr
