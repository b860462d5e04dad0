"""The generic extractor on its own, and as the per-field fallback of a profile."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES, REPO, expected_for, fixture_entries

from newsbot.cli import extract_page_item


def _page(site: str, file: str) -> tuple[dict, bytes]:
    entry = next(e for e in fixture_entries(site) if e["file"] == file)
    return entry, (FIXTURES / site / "pages" / file).read_bytes()


def test_unknown_domain_uses_generic_extractor(tmp_path) -> None:
    entry, body = _page("baovinhphuc.com.vn", "a52376.html")
    path = tmp_path / "page.html"
    path.write_bytes(body)
    url = "https://tinhmoi.example.vn/thoi-su/52376/bai-viet.html"
    proc = subprocess.run([sys.executable, "-m", "newsbot.cli", "extract", str(path), "--url", url], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)
    want = expected_for("baovinhphuc.com.vn", entry)
    assert item["extractor"]["profile"] == "generic" and item["site"] == "tinhmoi.example.vn"
    assert item["title"] == want["title"] and item["authors"] == want["authors"]
    assert item["body"].split("\n\n") == want["body_paragraphs"]
    assert item["published_at"] == "2021-01-13"


def test_profile_falls_back_per_field_when_a_selector_finds_nothing() -> None:
    entry, body = _page("baocantho.com.vn", "a196824.html")
    want = expected_for("baocantho.com.vn", entry)
    # A redesign renamed the headline class and the date span: the profile's selectors find nothing.
    broken = body.replace(b'class="margintopbot10 fw700"', b'class="headline"').replace(b'class="pubdate', b'class="x')
    item = extract_page_item(entry["url"], broken, entry["headers"])
    assert item["title"] == want["title"]
    assert item["published_at"] == want["published_at"]
    assert sorted(item["extractor"]["fallback_fields"]) == ["published_at", "title"]
    assert item["body"].split("\n\n") == want["body_paragraphs"]  # still from the profile


def test_profile_items_say_no_fallback_was_used() -> None:
    entry, body = _page("baocantho.com.vn", "a196824.html")
    assert extract_page_item(entry["url"], body, entry["headers"])["extractor"]["fallback_fields"] == []


def test_a_theo_sentence_is_body_not_source() -> None:
    entry, body = _page("hoabinh.gov.vn", "article_451278.html")
    item = extract_page_item(entry["url"], body, entry["headers"], force_generic=True)
    assert item["source"] is None
    assert any(p.startswith("Theo Sở") for p in item["body"].split("\n\n"))
