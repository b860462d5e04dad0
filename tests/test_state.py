"""The crawl state on its own: status transitions, retries, recovery of output lines, compact storage."""

from __future__ import annotations

import json
import sqlite3

import pytest

from newsbot.state import CrawlState

KEY = "https://baocantho.com.vn/a-a1.html"


def _item(key: str = KEY, url: str | None = None, fp: str = "ab" * 20) -> dict:
    return {"url": url or key, "canonical_url": key, "site": "baocantho.com.vn", "section": "THỜI SỰ",
            "fingerprint": fp, "published_at": "2026-01-08T18:21:00+07:00", "crawled_at": "2026-01-14T04:06:32Z",
            "extractor": {"layout": "f2-2026"}}


def test_status_transitions_and_known(tmp_path) -> None:
    st = CrawlState(tmp_path / "s.sqlite")
    st.mark_pending(KEY, KEY, "baocantho.com.vn", "THỜI SỰ")
    assert st.known([KEY]) == set()
    assert st.retry_candidates("baocantho.com.vn", 5) == [(KEY, "THỜI SỰ")]
    st.mark_failed(KEY, KEY, "baocantho.com.vn", "THỜI SỰ")
    assert st.get(KEY).status == "failed" and st.get(KEY).attempts == 1
    with st.transaction():
        st.mark_written(_item())
    row = st.get(KEY)
    assert (row.status, row.fingerprint, row.layout, row.first_seen[:2]) == ("written", "ab" * 20, "f2-2026", "20")
    assert st.known([KEY, "https://other/x"]) == {KEY}
    assert st.retry_candidates("baocantho.com.vn", 5) == []
    st.mark_failed(KEY, KEY, "baocantho.com.vn", None)  # a later failure never un-writes an article
    st.mark_dropped(KEY, KEY, "baocantho.com.vn", None)
    assert st.get(KEY).status == "written"
    st.close()


def test_failed_urls_stop_being_retried_after_max_attempts(tmp_path) -> None:
    st = CrawlState(tmp_path / "s.sqlite")
    for _ in range(3):
        st.mark_failed(KEY, KEY, "baocantho.com.vn", None)
    assert st.retry_candidates("baocantho.com.vn", 3) == []
    assert st.retry_candidates("baocantho.com.vn", 4) == [(KEY, None)]
    st.close()


def test_content_fingerprint_is_owned_by_its_first_url(tmp_path) -> None:
    st = CrawlState(tmp_path / "s.sqlite")
    with st.transaction():
        st.mark_written(_item())
    assert not st.content_written_elsewhere("ab" * 20, KEY)
    assert st.content_written_elsewhere("ab" * 20, "https://baocantho.com.vn/b-a2.html")
    assert not st.content_written_elsewhere("cd" * 20, "https://baocantho.com.vn/b-a2.html")
    assert not st.content_written_elsewhere(None, KEY)
    st.close()


def test_page_url_is_stored_only_when_it_differs_from_the_key(tmp_path) -> None:
    st = CrawlState(tmp_path / "s.sqlite")
    other = "http://www.baocantho.com.vn/b-a2.html"
    with st.transaction():
        st.mark_written(_item())
        st.mark_written(_item("https://baocantho.com.vn/b-a2.html", other, fp="cd" * 20))
    raw = dict(st.db.execute("SELECT url_key, url FROM articles").fetchall())
    assert raw == {KEY: None, "https://baocantho.com.vn/b-a2.html": other}
    assert st.get(KEY).url == KEY and st.get("https://baocantho.com.vn/b-a2.html").url == other
    st.close()


def test_lines_written_after_the_last_commit_are_recovered(tmp_path) -> None:
    st = CrawlState(tmp_path / "s.sqlite")
    out = tmp_path / "part.jsonl"
    first = json.dumps(_item()) + "\n"
    out.write_text(first, "utf-8")
    st.set_committed_size(out, len(first.encode()))
    second = _item("https://baocantho.com.vn/b-a2.html", fp="cd" * 20)
    with out.open("a", encoding="utf-8") as fh:  # written, then the process was killed before the commit
        fh.write(json.dumps(second) + "\n" + '{"torn": ')
    assert st.recover_output(out) == 1
    assert st.get("https://baocantho.com.vn/b-a2.html").status == "written"
    assert st.recover_output(out) == 0  # idempotent
    st.close()


def test_sections_remember_a_completed_backfill(tmp_path) -> None:
    st = CrawlState(tmp_path / "s.sqlite")
    url = "https://baocantho.com.vn/thoi-su/"
    assert not st.section_complete("baocantho.com.vn", url)
    st.mark_section("baocantho.com.vn", url, "THỜI SỰ", complete=True)
    st.mark_section("baocantho.com.vn", url, "THỜI SỰ", complete=False)  # a later partial run keeps the flag
    assert st.section_complete("baocantho.com.vn", url)
    # the high-water mark only moves forward, and a listing without dates leaves it alone
    st.mark_section("baocantho.com.vn", url, "THỜI SỰ", complete=False, newest_published="2026-01-14")
    st.mark_section("baocantho.com.vn", url, "THỜI SỰ", complete=False, newest_published="2026-01-10")
    st.mark_section("baocantho.com.vn", url, "THỜI SỰ", complete=False)
    assert st.sections("baocantho.com.vn")[0]["newest_published"] == "2026-01-14"
    st.close()


def test_a_state_of_another_schema_version_is_refused(tmp_path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE articles (url_key TEXT PRIMARY KEY)")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with pytest.raises(RuntimeError, match="schema version 1"):
        CrawlState(path)
