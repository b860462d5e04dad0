"""The export's reader: run files found, gzip read, every bad line reported with file and line, none fatal."""

from __future__ import annotations

import gzip
import json

import pytest
from test_export_fixtures import fixture_lines, write_jsonl

from newsbot.export.reader import ReadReport, check_record, find_input_files, parse_crawled_at, read_records


@pytest.fixture(scope="module")
def lines():
    return fixture_lines()


def test_finds_jsonl_and_gz_parts_in_sorted_order_and_ignores_the_rest(tmp_path, lines):
    data = tmp_path / "data"
    write_jsonl(data / "b.vn" / "run-0002.jsonl", lines[:1])
    write_jsonl(data / "a.vn" / "run-0001.jsonl.gz", lines[1:2], gz=True)
    write_jsonl(data / "b.vn" / "run-0001.jsonl", lines[2:3])
    (data / "b.vn" / "run-0001.manifest.json").write_text("{}")
    (data / "b.vn" / "state.sqlite").write_bytes(b"x")
    write_jsonl(data / "b.vn" / ".run-0003.jsonl.tmp", lines[3:4])
    write_jsonl(data / ".trash" / "old.jsonl", lines[4:5])
    found = [p.relative_to(data).as_posix() for p in find_input_files([data])]
    assert found == ["a.vn/run-0001.jsonl.gz", "b.vn/run-0001.jsonl", "b.vn/run-0002.jsonl"]


def test_explicit_files_keep_their_order_and_a_missing_one_is_an_error(tmp_path, lines):
    a = write_jsonl(tmp_path / "z.jsonl", lines[:1])
    b = write_jsonl(tmp_path / "a.jsonl", lines[1:2])
    assert find_input_files([a, b, a]) == [a, b]
    with pytest.raises(FileNotFoundError):
        find_input_files([tmp_path / "missing.jsonl"])


def test_malformed_lines_are_reported_with_file_and_line_and_skipped(tmp_path, lines):
    good = lines[:3]
    missing_date = dict(lines[3])
    del missing_date["published_at"]
    bad_authors = dict(lines[4], authors="Nguyễn Văn A")
    path = tmp_path / "run.jsonl"
    body = "\n".join([
        json.dumps(good[0], ensure_ascii=False),   # 1 ok
        '{"url": "https://x.vn/a", "title": ',     # 2 torn line
        "",                                        # 3 blank: not an error
        "[1, 2, 3]",                               # 4 not an object
        json.dumps(missing_date),                  # 5 required field missing
        json.dumps(good[1]),                       # 6 ok
        json.dumps(bad_authors),                   # 7 wrong shape
        json.dumps(dict(good[2], crawled_at="2026-13-45T00:00:00Z")),  # 8 impossible date
    ]).encode("utf-8")
    path.write_bytes(body + b"\n\xff\xfe{not utf-8}\n" + json.dumps(good[2]).encode() + b"\n")  # 9 bad bytes, 10 ok
    report = ReadReport()
    seen = []
    records = list(read_records([path], report, on_issue=seen.append))
    assert [r.line for r in records] == [1, 6, 10]
    assert [r.data["url"] for r in records] == [good[0]["url"], good[1]["url"], good[2]["url"]]
    assert [(i.path, i.line) for i in report.issues] == [(str(path), n) for n in (2, 4, 5, 7, 8, 9)]
    assert seen == report.issues
    assert report.malformed == 6 and report.records == 3 and report.blank_lines == 1 and report.lines == 10
    reasons = {i.line: i.reason for i in report.issues}
    assert "invalid JSON" in reasons[2]
    assert "published_at" in reasons[5]
    assert "authors" in reasons[7]
    assert "invalid date" in reasons[8]
    assert "UTF-8" in reasons[9]
    assert str(report.issues[0]).startswith(f"{path}:2: ")


def test_gzip_parts_read_like_plain_ones_and_a_truncated_one_does_not_stop_the_rest(tmp_path, lines):
    plain = write_jsonl(tmp_path / "a.jsonl", lines[:5])
    packed = write_jsonl(tmp_path / "b.jsonl.gz", lines[5:10], gz=True)
    full = gzip.compress("".join(json.dumps(x) + "\n" for x in lines[10:40]).encode())
    torn = tmp_path / "c.jsonl.gz"
    torn.write_bytes(full[: len(full) // 2])
    after = write_jsonl(tmp_path / "d.jsonl", lines[40:42])
    report = ReadReport()
    records = list(read_records([plain, packed, torn, after], report))
    urls = [r.data["url"] for r in records]
    assert urls[:10] == [x["url"] for x in lines[:10]]
    assert urls[-2:] == [x["url"] for x in lines[40:42]]  # the file after the broken one is still read
    assert report.file_errors == 1
    assert report.issues[-1].path == str(torn) and report.issues[-1].line is None
    assert "unreadable after line" in report.issues[-1].reason
    assert [r.seq for r in records] == list(range(1, len(records) + 1))


def test_gzip_is_detected_by_content_not_name(tmp_path, lines):
    path = tmp_path / "misnamed.jsonl"
    path.write_bytes(gzip.compress((json.dumps(lines[0]) + "\n").encode()))
    report = ReadReport()
    assert [r.data["url"] for r in read_records([path], report)] == [lines[0]["url"]]


def test_crawled_at_compares_as_time_not_text():
    assert parse_crawled_at("2026-01-01T00:00:00.5Z") > parse_crawled_at("2026-01-01T00:00:00Z")
    assert parse_crawled_at("2026-01-01T00:00:00.123456789Z").microsecond == 123456


def test_unknown_and_optional_fields_are_accepted(lines):
    line = dict(lines[0], record_type="update", something_new=1)
    for name in ("canonical_url", "fingerprint", "section", "lead", "updated_at", "captions", "tags"):
        line.pop(name, None)
    assert check_record(line) is None
    assert "url" in check_record(dict(lines[0], url="ftp://x"))
