"""Latest version per article, exact duplicates, filters: the rules that decide which rows an export holds."""

from __future__ import annotations

from datetime import date

import pytest
from test_export_fixtures import edited, fixture_lines

from newsbot.export.dataset import Filters, build_dataset, make_row
from newsbot.export.reader import Record


def records(*lines, start=1):
    return [Record(line, "run.jsonl", i, start + i) for i, line in enumerate(lines)]


@pytest.fixture(scope="module")
def lines():
    return fixture_lines()


def by_site(lines, site):
    return [ln for ln in lines if ln["site"] == site]


def test_latest_crawl_wins_whatever_the_file_order(lines):
    old = lines[0]
    new = edited(old, crawled_at="2026-03-01T00:00:00Z", body=old["body"] + "\n\nCập nhật thêm.",
                 record_type="update")
    older_but_later_in_files = edited(old, crawled_at="2026-01-01T00:00:00Z", title="Bản cũ")
    rows, stats = build_dataset(records(old, new, older_but_later_in_files))
    assert len(rows) == 1
    assert rows[0]["body"].endswith("Cập nhật thêm.")
    assert stats.versions_superseded == 2 and stats.updates_seen == 1 and stats.input_records == 3


def test_same_crawl_time_later_line_wins(lines):
    a = lines[0]
    b = edited(a, title="Tiêu đề đã sửa")
    rows, _ = build_dataset(records(a, b))
    assert [r["title"] for r in rows] == ["Tiêu đề đã sửa"]
    rows, _ = build_dataset(records(b, a))
    assert [r["title"] for r in rows] == [a["title"]]


def test_versions_join_on_canonical_url_even_when_lines_lack_it(lines):
    a = dict(lines[0])
    a.pop("canonical_url")
    b = edited(lines[0], url=lines[0]["url"].replace("https://", "http://www.") + "?utm_source=fb",
               crawled_at="2026-02-02T00:00:00Z", title="Mới")
    b.pop("canonical_url")
    rows, _ = build_dataset(records(a, b))
    assert [r["title"] for r in rows] == ["Mới"]
    assert rows[0]["canonical_url"] == lines[0]["canonical_url"]


def test_exact_duplicates_keep_the_earliest_published_copy(lines):
    original = lines[0]
    copy = edited(original, url="https://baophutho.vn/ban-sao-123.html", site="baophutho.vn",
                  canonical_url="https://baophutho.vn/ban-sao-123.html",
                  published_at="2030-01-01T08:00:00+07:00", title=original["title"].upper())  # same folded key
    assert copy["fingerprint"] == original["fingerprint"]
    rows, stats = build_dataset(records(copy, original, *lines[1:5]))
    assert stats.exact_duplicates == 1
    assert len(rows) == 5
    assert original["url"] in {r["url"] for r in rows} and copy["url"] not in {r["url"] for r in rows}


def test_site_filter_runs_before_dedup_so_a_site_keeps_its_copy(lines):
    original = lines[0]
    copy = edited(original, url="https://baophutho.vn/ban-sao-123.html", site="baophutho.vn",
                  canonical_url="https://baophutho.vn/ban-sao-123.html", published_at="2030-01-01")
    rows, _ = build_dataset(records(original, copy), Filters.build(sites=["baophutho.vn"]))
    assert [r["url"] for r in rows] == [copy["url"]]


def test_filters_by_site_section_and_inclusive_dates(lines):
    sites = Filters.build(sites=["baocantho.com.vn,BAOPHUTHO.VN"])
    rows, stats = build_dataset(records(*lines), sites)
    assert {r["site"] for r in rows} == {"baocantho.com.vn", "baophutho.vn"}
    assert len(rows) == len(by_site(lines, "baocantho.com.vn")) + len(by_site(lines, "baophutho.vn"))
    assert stats.filtered_out == len(lines) - len(rows)

    section = Filters.build(sections=["kinh tế"])  # printed "KINH TẾ", "Kinh tế", "Kinh Tế" across sites
    rows, _ = build_dataset(records(*lines), section)
    assert {r["section"] for r in rows} == {"KINH TẾ", "Kinh tế", "Kinh Tế"}

    window = Filters.build(since="2026-01-10", until="2026-01-12")
    rows, _ = build_dataset(records(*lines), window)
    expected = {ln["url"] for ln in lines if "2026-01-10" <= ln["published_at"][:10] <= "2026-01-12"}
    assert {r["url"] for r in rows} == expected and len(expected) >= 5
    assert Filters.build(since=date(2026, 1, 10)).since == date(2026, 1, 10)


def test_rows_are_sorted_and_date_parts_derived(lines):
    rows, _ = build_dataset(records(*reversed(lines)))
    keys = [(r["site"], r["published_date"]) for r in rows]
    assert keys == sorted(keys)
    date_only = [r for r in rows if not r["published_has_time"]]
    assert date_only and all(r["published_at"] == r["published_date"] for r in date_only)
    timed = next(r for r in rows if r["published_has_time"])
    assert timed["published_date"] == timed["published_at"][:10]


def test_make_row_computes_a_missing_fingerprint(lines):
    line = dict(lines[0])
    fp = line.pop("fingerprint")
    assert make_row(line)["fingerprint"] == fp
