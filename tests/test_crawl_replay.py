"""Full offline crawls of every supported site, through the real CLI, spiders and pipelines.

Each site's crawl starts from its configured sections, follows pagination to the end and must write every article
page of the fixture exactly once (articles listed in two sections included), with every line valid against the
published schema. A second run over the same fixtures must cost only the first listing page of each section.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES, REPO, fixture_entries

from newsbot.items import article_schema
from newsbot.sites import all_profiles

SITES = [p.key for p in all_profiles() if (FIXTURES / p.key / "manifest.json").exists()]


def run_crawl(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsbot.cli", "crawl", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def summaries(proc: subprocess.CompletedProcess) -> dict[str, dict]:
    out = {}
    for line in proc.stderr.splitlines():
        if line.startswith('{"site"'):
            obj = json.loads(line)
            out[obj["site"]] = obj
    return out


def read_site_items(data_dir: Path, site: str) -> list[dict]:
    items = []
    for part in sorted((data_dir / site).glob("*.jsonl")):
        raw = part.read_bytes()
        assert raw.endswith(b"\n"), f"{part} ends with a torn line"
        items.extend(json.loads(line) for line in raw.decode("utf-8").splitlines())
    return items


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    proc = run_crawl("--all", "--replay", "fixtures", "--data-dir", str(data), "--log-level", "WARNING")
    assert proc.returncode == 0, proc.stderr[-4000:]
    return data, proc


@pytest.mark.parametrize("site", SITES)
def test_every_article_written_exactly_once(first_run, site: str) -> None:
    data, proc = first_run
    expected = sorted(e["url"] for e in fixture_entries(site, ("article",)))
    items = read_site_items(data, site)
    urls = [it["url"] for it in items]
    assert len(urls) == len(set(urls)), f"{site}: duplicated items"
    assert sorted(urls) == expected
    summary = summaries(proc)[site]
    assert summary["items_written"] == len(expected)
    assert summary["errors"] == 0 and summary["replay_misses"] == 0
    assert summary["health"] == "ok"


@pytest.mark.parametrize("site", SITES)
def test_output_lines_match_the_schema(first_run, site: str) -> None:
    data, _ = first_run
    validator = jsonschema.Draft202012Validator(article_schema())
    for item in read_site_items(data, site):
        errors = sorted(validator.iter_errors(item), key=str)
        assert not errors, f"{item['url']}: {errors[0].message}"
        assert item["site"] == site and item["record_type"] == "article"


@pytest.mark.parametrize("site", SITES)
def test_crawled_items_equal_extract_output(first_run, site: str) -> None:
    """The crawl and `newsbot extract` run the same code: same fields for the same page."""
    data, _ = first_run
    proc = subprocess.run([sys.executable, "-m", "newsbot.cli", "extract", str(FIXTURES / site)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    extracted = {d["url"]: d for d in map(json.loads, proc.stdout.splitlines())}
    for item in read_site_items(data, site):
        other = extracted[item["url"]]
        for key in ("title", "lead", "body", "authors", "source", "published_at", "updated_at", "captions", "tags",
                    "section", "fingerprint"):
            assert item[key] == other[key], f"{item['url']} {key}"


def test_second_run_fetches_only_first_listing_pages(first_run) -> None:
    data, first = first_run
    proc = run_crawl("--all", "--replay", "fixtures", "--data-dir", str(data), "--log-level", "WARNING")
    assert proc.returncode == 0, proc.stderr[-4000:]
    by_site = summaries(proc)
    from newsbot.sites import get_profile

    for site in SITES:
        s = by_site[site]
        assert s["items_written"] == 0, site
        assert s["article_pages"] == 0, site
        assert s["listing_pages"] == len(get_profile(site).sections), site
    # the first run's parts are untouched and no new part was published
    for site in SITES:
        assert len(list((data / site).glob("*.jsonl"))) == 1


def test_single_file_output_and_rerun(tmp_path) -> None:
    out = tmp_path / "articles.jsonl"
    proc = run_crawl("baocantho", "--replay", str(FIXTURES / "baocantho.com.vn"), "-o", str(out),
                     "--data-dir", str(tmp_path / "data"), "--log-level", "WARNING")
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == len(fixture_entries("baocantho.com.vn", ("article",)))
    assert "Cần Thơ" in out.read_text("utf-8")  # UTF-8, not ASCII-escaped
    proc = run_crawl("baocantho", "--replay", "fixtures", "-o", str(out), "--data-dir", str(tmp_path / "data"),
                     "--log-level", "WARNING")
    assert proc.returncode == 0
    assert out.read_text("utf-8").splitlines() == lines


def test_unknown_site_is_a_clear_error() -> None:
    proc = run_crawl("nosuchsite.vn", "--replay", "fixtures")
    assert proc.returncode == 2
    assert "unknown site" in proc.stderr and "baovinhphuc" in proc.stderr


def test_export_reads_a_real_crawl_data_dir(first_run, tmp_path) -> None:
    """Crawl output -> export: run history under reports/ is bookkeeping, not malformed article lines."""
    data, _ = first_run
    out = tmp_path / "news.jsonl"
    proc = subprocess.run([sys.executable, "-m", "newsbot.cli", "export", "--data-dir", str(data), "-o", str(out),
                           "--no-card", "-q"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    total = sum(len(fixture_entries(site, ("article",))) for site in SITES)
    assert len(rows) == total
    assert "skipped" not in proc.stderr
