"""Tests for newsbot.dates: exact ISO output for every printed form, None for everything impossible."""

from __future__ import annotations

import datetime
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbot.dates import ZONE, ParsedDate, find_dates, parse_date, parse_date_iso, split_labeled

NOW = datetime.datetime(2021, 1, 15, 10, 0, tzinfo=ZONE)  # fetch time for relative and year-less forms
REJECT = None

CASES = [
    # --- weekday prefixes, date only (stays date-only: no invented midnight)
    ("Thứ Tư, 13/01/2021", "2021-01-13"),
    ("Thứ hai, 11/1/2021", "2021-01-11"),
    ("THỨ BA, 12/01/2021", "2021-01-12"),
    ("Chủ nhật, 10/01/2021", "2021-01-10"),
    ("Chủ Nhật 10/01/2021", "2021-01-10"),
    ("CN, 10/01/2021", "2021-01-10"),
    ("T4, 13/01/2021", "2021-01-13"),
    ("Thứ 4, 13/01/2021", "2021-01-13"),
    ("Thứ Bảy, ngày 09/01/2021", "2021-01-09"),
    # --- numeric day-first forms
    ("13/01/2021", "2021-01-13"),
    ("1/1/2021", "2021-01-01"),
    ("13-01-2021", "2021-01-13"),
    ("13.01.2021", "2021-01-13"),
    ("13/01/21", "2021-01-13"),
    ("13-1-21", "2021-01-13"),
    ("20/12/98", "1998-12-20"),
    ("13 / 01 / 2021", "2021-01-13"),
    # --- times before/after, separators, seconds, h/g forms
    ("13/01/2021, 08:15", "2021-01-13T08:15:00+07:00"),
    ("13/01/2021 - 08:15", "2021-01-13T08:15:00+07:00"),
    ("Thứ Tư, 13/01/2021 | 08:15", "2021-01-13T08:15:00+07:00"),
    ("08:15 13/01/2021", "2021-01-13T08:15:00+07:00"),
    ("08:15, 13/01/2021", "2021-01-13T08:15:00+07:00"),
    ("13/01/2021 08:15:30", "2021-01-13T08:15:30+07:00"),
    ("13/01/2021 lúc 08:15", "2021-01-13T08:15:00+07:00"),
    ("8h30 13/01/2021", "2021-01-13T08:30:00+07:00"),
    ("8h 13/1/2021", "2021-01-13T08:00:00+07:00"),
    ("08g15 ngày 13/01/2021", "2021-01-13T08:15:00+07:00"),
    ("13/01/2021 8 giờ 30 phút", "2021-01-13T08:30:00+07:00"),
    # --- offsets: Vietnam time stays, others are converted to +07:00
    ("Thứ Bảy, 09/01/2021, 21:07 [GMT+7]", "2021-01-09T21:07:00+07:00"),
    ("13/01/2021 08:15 (GMT+7)", "2021-01-13T08:15:00+07:00"),
    ("13/01/2021 08:15 GMT+07:00", "2021-01-13T08:15:00+07:00"),
    ("13/01/2021 08:15 GMT+0", "2021-01-13T15:15:00+07:00"),
    ("13/01/2021 08:15 UTC", "2021-01-13T15:15:00+07:00"),
    ("13/01/2021 08:15 GMT+9", "2021-01-13T06:15:00+07:00"),
    # --- SA/CH (sáng/chiều) and AM/PM
    ("08:15 CH 13/01/2021", "2021-01-13T20:15:00+07:00"),
    ("13/01/2021 08:15 CH", "2021-01-13T20:15:00+07:00"),
    ("12:05 SA 13/01/2021", "2021-01-13T00:05:00+07:00"),
    ("13/01/2021 12:05 CH", "2021-01-13T12:05:00+07:00"),
    ("13/01/2021 08:15 PM", "2021-01-13T20:15:00+07:00"),
    ("13/01/2021 12:30 AM", "2021-01-13T00:30:00+07:00"),
    ("3 giờ 15 chiều 13/01/2021", "2021-01-13T15:15:00+07:00"),
    # --- labels: the date that follows
    ("Cập nhật: 11:25, 12/01/2021", "2021-01-12T11:25:00+07:00"),
    ("Cập nhật lúc 08:15 ngày 13/01/2021", "2021-01-13T08:15:00+07:00"),
    ("Ngày đăng: 13/01/2021", "2021-01-13"),
    ("Đăng ngày 13/01/2021 08:15", "2021-01-13T08:15:00+07:00"),
    ("Ngày: 13/01/2021", "2021-01-13"),
    ("Thời gian: 08:15 13/01/2021", "2021-01-13T08:15:00+07:00"),
    ("Xuất bản: 13/01/2021", "2021-01-13"),
    ("Ngày xuất bản: 13/01/2021", "2021-01-13"),
    ("Ngày cập nhật: 14/01/2021", "2021-01-14"),
    ("Posted: 13/01/2021", "2021-01-13"),
    ("Published: 13/01/2021 08:15", "2021-01-13T08:15:00+07:00"),
    # --- long forms and month words
    ("ngày 13 tháng 1 năm 2021", "2021-01-13"),
    ("Ngày 13 tháng 01 năm 2021 lúc 08:15", "2021-01-13T08:15:00+07:00"),
    ("13 tháng 01, 2021", "2021-01-13"),
    ("Tháng 1 13, 2021", "2021-01-13"),
    ("13 Tháng Một 2021", "2021-01-13"),
    ("2 tháng Giêng năm 2021", "2021-01-02"),
    ("20 tháng Chạp năm 2020", "2020-12-20"),
    ("5 tháng mười một năm 2020", "2020-11-05"),
    ("5 THÁNG MƯỜI HAI 2020", "2020-12-05"),
    ("13 tháng năm 2020", "2020-05-13"),
    ("13 tháng Tư năm 2020", "2020-04-13"),
    ("13 thg 1, 2021", "2021-01-13"),
    ("January 13, 2021", "2021-01-13"),
    ("13 Jan 2021 8:15 am", "2021-01-13T08:15:00+07:00"),
    # --- ISO from meta tags / JSON-LD
    ("2021-01-13", "2021-01-13"),
    ("2021-01-13T08:15:00+07:00", "2021-01-13T08:15:00+07:00"),
    ("2021-01-13T01:15:00Z", "2021-01-13T08:15:00+07:00"),
    ("2021-01-13T08:15:00", "2021-01-13T08:15:00+07:00"),
    ("2021-01-13 08:15:00", "2021-01-13T08:15:00+07:00"),
    ("2021-01-13T08:15:00.123456+07:00", "2021-01-13T08:15:00+07:00"),
    ("2021-01-13T08:15:00.000-05:00", "2021-01-13T20:15:00+07:00"),
    ("2021-01-13T08:15:00+0700", "2021-01-13T08:15:00+07:00"),
    ("2021/01/13", "2021-01-13"),
    # --- relative to now (2021-01-15 10:00)
    ("5 phút trước", "2021-01-15T09:55:00+07:00"),
    ("2 giờ trước", "2021-01-15T08:00:00+07:00"),
    ("1 tiếng trước", "2021-01-15T09:00:00+07:00"),
    ("30 giây trước", "2021-01-15T09:59:30+07:00"),
    ("3 ngày trước", "2021-01-12"),
    ("1 tuần trước", "2021-01-08"),
    ("2 tháng trước", "2020-11-15"),
    ("1 giờ 30 phút trước", "2021-01-15T08:30:00+07:00"),
    ("1 ngày 2 giờ trước", "2021-01-14T08:00:00+07:00"),
    ("1 tháng 2 ngày trước", "2020-12-13"),
    ("hôm qua", "2021-01-14"),
    ("Hôm qua lúc 08:15", "2021-01-14T08:15:00+07:00"),
    ("08:15 hôm qua", "2021-01-14T08:15:00+07:00"),
    ("hôm kia", "2021-01-13"),
    ("hôm nay", "2021-01-15"),
    ("Hôm nay, 08:15", "2021-01-15T08:15:00+07:00"),
    ("vừa xong", "2021-01-15T10:00:00+07:00"),
    ("Vừa mới", "2021-01-15T10:00:00+07:00"),
    ("5 minutes ago", "2021-01-15T09:55:00+07:00"),
    # --- no year (listing pages): the most recent occurrence not after now
    ("08:15 13/01", "2021-01-13T08:15:00+07:00"),
    ("13/01", "2021-01-13"),
    ("15/01", "2021-01-15"),
    ("09:30 15/01", "2021-01-15T09:30:00+07:00"),
    ("10:30 15/01", "2021-01-15T10:30:00+07:00"),  # 30 min ahead of now: clock skew, still today
    ("11:30 15/01", "2020-01-15T11:30:00+07:00"),  # more than an hour ahead: last year's
    ("16/01", "2020-01-16"),
    ("Sáng 17-2", "2020-02-17"),
    ("Chiều 17/2", "2020-02-17"),
    ("Tối 14/1", "2021-01-14"),
    ("29/02", "2020-02-29"),
    ("ngày 13 tháng 1", "2021-01-13"),
    # --- dirty input: counters, authors, categories, invisible characters, entities, broken encodings
    ("Thứ Tư, 13/01/2021 | 1234 lượt xem", "2021-01-13"),
    ("Thứ Tư, 13/01/2021 | 08:15 | 1234 lượt xem", "2021-01-13T08:15:00+07:00"),
    ("Diệu Linh13/01/2021", "2021-01-13"),
    ("Thời sự - 13/01/2021 08:15", "2021-01-13T08:15:00+07:00"),
    ("13/01/2021 08:15 | Tác giả: X", "2021-01-13T08:15:00+07:00"),
    ("(13/01/2021)", "2021-01-13"),
    ("\u00a0Thứ\u00a0Tư,\u00a013/01/2021\u00a0-\u00a008:15", "2021-01-13T08:15:00+07:00"),
    ("\ufeffThứ\u200b Tư, 13/01/\u200b2021", "2021-01-13"),
    (unicodedata.normalize("NFD", "Thứ Tư, 13/01/2021"), "2021-01-13"),
    (unicodedata.normalize("NFD", "hôm qua"), "2021-01-14"),
    ("Th&#7913; T&#432;, 13/01/2021", "2021-01-13"),
    ("13/01/2021&nbsp;08:15", "2021-01-13T08:15:00+07:00"),
    ("Thá»© TÆ°, 13/01/2021", "2021-01-13"),
    ("hÃ´m qua lÃºc 08:15", "2021-01-14T08:15:00+07:00"),
    ("Thø T\xad, 13/01/2021", "2021-01-13"),
    ("h«m qua", "2021-01-14"),
    ("Phú Thọ 24h ngày 04/01/2021", "2021-01-04"),
    ("main.css?v=1.9.27 | 13/01/2021", "2021-01-13"),
    ("ngày 13, tháng 1, năm 2021", "2021-01-13"),
    ("tháng 1 ngày 13 năm 2021", "2021-01-13"),
    # --- month first after the word "tháng" (it cannot be swapped): once dateparser leftovers, now parsed here
    ("Tháng 1, 13, 2021", "2021-01-13"),
    ("tháng 01/2021 ngày 13", "2021-01-13"),
    ("thg 1, 13, 2021", "2021-01-13"),
    ("tháng 1 năm 2021, ngày 13", "2021-01-13"),
    ("Tháng Giêng năm 2021 ngày 13", "2021-01-13"),
    ("tháng 01/2021 ngày 13 lúc 08:15", "2021-01-13T08:15:00+07:00"),
    ("tháng 12/2020 ngày 13/01/2021", "2021-01-13"),  # "ngày 13/01/2021" is a date of its own
    # --- whole lines of the common shape (the fast path), labels and tails included
    ("(13/01/2021 08:15)", "2021-01-13T08:15:00+07:00"),
    ("Ngày: 13/01/2021 08:15:30 (GMT+7)", "2021-01-13T08:15:30+07:00"),
    ("Thứ Tư, ngày 13/01/2021, 08:15 [GMT+7]", "2021-01-13T08:15:00+07:00"),
    ("Cập nhật: 11:25, 12/01/2021 (GMT+7)", "2021-01-12T11:25:00+07:00"),
    # --- rejected: impossible, out of range, not a date
    ("31/02/2021", REJECT),
    ("29/02/2021", REJECT),
    ("00/00/0000", REJECT),
    ("00/01/2021", REJECT),
    ("13/13/2021", REJECT),
    ("01/13/2021", REJECT),  # month-first: never swapped
    ("01 - 13 - 2021", REJECT),
    ("01 13 2021", REJECT),  # all-numeric leftover: dateparser would swap it
    ("ngày 1, tháng 13, năm 2021", REJECT),
    ("Tháng 2, 30, 2021", REJECT),  # impossible: rejected, not handed to dateparser
    ("tháng 13/2021 ngày 1", REJECT),
    ("Ngày đăng: 13/01/2021 25:61", REJECT),
    ("Ngày đăng: 17/01/2021 08:15", REJECT),
    ("(31/02/2021)", REJECT),
    ("13/01/2021 25:61", REJECT),
    ("13/01/2021 24:00", REJECT),
    ("25:61", REJECT),
    ("08:15", REJECT),  # a time alone is not a date
    ("13/01/2021 13:15 SA", REJECT),
    ("2021-01-13T25:00:00", REJECT),
    ("2021-02-30", REJECT),
    ("17/01/2021", REJECT),  # beyond now + 1 day
    ("2021-01-17T08:00:00+07:00", REJECT),
    ("31/12/1994", REJECT),  # before 1995
    ("13/01/1234", REJECT),
    ("30 năm trước", REJECT),
    ("1234 lượt xem", REJECT),
    ("2021", REJECT),
    ("Năm 2021", REJECT),
    ("", REJECT),
    (None, REJECT),
    ("   ", REJECT),
    ("asdf qwer zxcv", REJECT),
    ("Tác giả: Diệu Linh", REJECT),
    ("Số 12/2021/NĐ-CP", REJECT),
    ("1.9.21", REJECT),  # a version number, not a date
    ("\x00\x01\ufffd", REJECT),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_date(text: str | None, expected: str | None) -> None:
    assert parse_date_iso(text, NOW) == expected
    parsed = parse_date(text, NOW)
    if expected is None:
        assert parsed is None
        return
    assert parsed is not None
    assert parsed.raw == text
    assert parsed.has_time == ("T" in expected)
    if parsed.has_time:
        assert isinstance(parsed.value, datetime.datetime)
        assert parsed.value.tzinfo is not None
        assert parsed.value.utcoffset() == datetime.timedelta(hours=7)
    else:
        assert type(parsed.value) is datetime.date


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 60
    assert sum(1 for _, e in CASES if e is None) >= 20


# Real date lines from the fixture sites (fetched later, so `now` is after them).
REAL_LINES = [
    ("Thứ Bảy, 18/12/2021, 21:07 [GMT+7]", "2021-12-18T21:07:00+07:00"),
    ("08/01/2026 - 18:21", "2026-01-08T18:21:00+07:00"),
    ("Thứ Ba, 03/12/2019 | 15:42", "2019-12-03T15:42:00+07:00"),
    ("Thứ Năm, 12/06/2014", "2014-06-12"),
    ("04/11/2025 15:20 GMT+7", "2025-11-04T15:20:00+07:00"),
    ("Thứ Ba, 04/11/2025 | 09:30", "2025-11-04T09:30:00+07:00"),
    ("Cập nhật: 11:25, 02/11/2025", "2025-11-02T11:25:00+07:00"),
    ("Thứ Tư, 13/01/2021", "2021-01-13"),
    ("Thứ Hai, 14/10/2024 08:30", "2024-10-14T08:30:00+07:00"),
    ("Cập nhật: 18/10/2024 09:10", "2024-10-18T09:10:00+07:00"),
    ("Ngày đăng: 12/06/2025 16:45", "2025-06-12T16:45:00+07:00"),
    ("| Cập nhật: 09/06/2025 08:10", "2025-06-09T08:10:00+07:00"),
    ("2025-06-12T16:45:10", "2025-06-12T16:45:10+07:00"),
    ("(14/01/2021)", "2021-01-14"),
]


@pytest.mark.parametrize(("text", "expected"), REAL_LINES)
def test_real_fixture_date_lines(text: str, expected: str) -> None:
    now = datetime.datetime(2026, 1, 20, 12, 0, tzinfo=ZONE)
    assert parse_date_iso(text, now) == expected


# ------------------------------------------------------------------------------------ around New Year


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("30/12", datetime.datetime(2021, 1, 2, 9, 0, tzinfo=ZONE), "2020-12-30"),
        ("23:50 31/12", datetime.datetime(2021, 1, 1, 0, 10, tzinfo=ZONE), "2020-12-31T23:50:00+07:00"),
        ("01/01", datetime.datetime(2021, 1, 1, 0, 10, tzinfo=ZONE), "2021-01-01"),
        ("02/01", datetime.datetime(2021, 1, 1, 0, 10, tzinfo=ZONE), "2020-01-02"),
        ("hôm qua", datetime.datetime(2021, 1, 1, 8, 0, tzinfo=ZONE), "2020-12-31"),
        # the fetch time is converted to Vietnam time first: 2020-12-31 18:00 UTC is already 1 January there
        ("hôm nay", datetime.datetime(2020, 12, 31, 18, 0, tzinfo=datetime.UTC), "2021-01-01"),
        ("31/12", datetime.datetime(2020, 12, 31, 18, 0, tzinfo=datetime.UTC), "2020-12-31"),
        (
            "5 phút trước",
            datetime.datetime(2020, 12, 31, 17, 2, tzinfo=datetime.UTC),
            "2020-12-31T23:57:00+07:00",
        ),
        # naive fetch times are Vietnam time
        ("hôm qua", datetime.datetime(2021, 1, 1, 8, 0), "2020-12-31"),
        ("02/01/2021", datetime.datetime(2021, 1, 1, 8, 0, tzinfo=ZONE), "2021-01-02"),  # now + 1 day is fine
        ("03/01/2021", datetime.datetime(2021, 1, 1, 8, 0, tzinfo=ZONE), None),
    ],
)
def test_relative_to_now(text: str, now: datetime.datetime, expected: str | None) -> None:
    assert parse_date_iso(text, now) == expected


def test_year_hint_false_refuses_yearless_dates() -> None:
    assert parse_date("13/01", NOW, year_hint=False) is None
    assert parse_date("ngày 13 tháng 1", NOW, year_hint=False) is None
    assert parse_date("13/01/2021", NOW, year_hint=False) == ParsedDate(
        datetime.date(2021, 1, 13), "13/01/2021"
    )


def test_default_now_is_the_current_time() -> None:
    today = datetime.datetime.now(ZONE).date()
    assert parse_date_iso("hôm nay") == today.isoformat()
    assert parse_date_iso("13/01/2021") == "2021-01-13"
    assert parse_date_iso(f"{today.day:02d}/{today.month:02d}/{today.year + 1}") is None


def test_isoformat_converts_any_zone_to_vietnam_time() -> None:
    value = datetime.datetime(2021, 1, 13, 1, 15, tzinfo=datetime.UTC)
    assert ParsedDate(value, "x").isoformat() == "2021-01-13T08:15:00+07:00"
    assert ParsedDate(datetime.date(2021, 1, 13), "x").isoformat() == "2021-01-13"
    assert not ParsedDate(datetime.date(2021, 1, 13), "x").has_time


# -------------------------------------------------------------------------------- find_dates / labels


def test_find_dates_returns_every_date_in_order() -> None:
    found = find_dates("08:15 13/01/2021 - 09:00 14/01/2021", NOW)
    assert [d.isoformat() for d in found] == ["2021-01-13T08:15:00+07:00", "2021-01-14T09:00:00+07:00"]
    found = find_dates("13/01/2021 08:15 - 14/01/2021 09:00", NOW)
    assert [d.isoformat() for d in found] == ["2021-01-13T08:15:00+07:00", "2021-01-14T09:00:00+07:00"]
    found = find_dates("Ngày đăng: 13/01/2021 | Cập nhật: 31/02/2021 | Sửa: Hôm qua lúc 08:15", NOW)
    assert [d.isoformat() for d in found] == ["2021-01-13", "2021-01-14T08:15:00+07:00"]
    assert found[1].raw == "Hôm qua lúc 08:15"
    assert find_dates("", NOW) == []
    assert find_dates(None, NOW) == []
    assert find_dates("1234 lượt xem", NOW) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Thứ Ba, 04/11/2025 | 09:30 Cập nhật: 11:25, 02/11/2025",
            {"": "Thứ Ba, 04/11/2025 | 09:30", "updated": "11:25, 02/11/2025"},
        ),
        (
            "Ngày đăng: 12/06/2025 16:45 | Cập nhật: 09/06/2025 08:10",
            {"published": "12/06/2025 16:45", "updated": "09/06/2025 08:10"},
        ),
        ("Cập nhật lúc 08:15 ngày 13/01/2021", {"updated": "08:15 ngày 13/01/2021"}),
        (
            "Đăng ngày 13/01/2021 - Ngày cập nhật: 14/01/2021",
            {"published": "13/01/2021", "updated": "14/01/2021"},
        ),
        ("Thời gian: 08:15 13/01/2021", {"date": "08:15 13/01/2021"}),
        ("Posted: 13/01/2021 | Updated: 14/01/2021", {"published": "13/01/2021", "updated": "14/01/2021"}),
        ("Thứ Bảy, ngày 19/10/2024", {"": "Thứ Bảy, ngày 19/10/2024"}),
        ("Cáº\xadp nháº\xadt: 11:25, 02/11/2025", {"updated": "11:25, 02/11/2025"}),
        ("", {}),
        (None, {}),
    ],
)
def test_split_labeled(line: str | None, expected: dict[str, str]) -> None:
    assert split_labeled(line) == expected


def test_split_then_parse_gives_published_and_updated() -> None:
    parts = split_labeled("Ngày đăng: 13/01/2021 08:15 | Cập nhật: 11:25, 14/01/2021")
    assert parse_date_iso(parts["published"], NOW) == "2021-01-13T08:15:00+07:00"
    assert parse_date_iso(parts["updated"], NOW) == "2021-01-14T11:25:00+07:00"


# ------------------------------------------------------------------------------------------- laziness


def test_dateparser_is_imported_only_for_leftovers() -> None:
    code = (
        "import sys; import newsbot.dates as d; "
        "d.parse_date('Thứ Tư, 13/01/2021 | 08:15'); d.parse_date('5 phút trước'); d.parse_date('garbage'); "
        "d.parse_date('01 13 2021'); d.parse_date('ngày 13, tháng 1, năm 2021'); "
        "d.parse_date('tháng 1 ngày 13 năm 2021'); d.parse_date('Sáng 17-2'); d.parse_date('hôm qua'); "
        "d.parse_date('Tháng 1, 13, 2021'); d.parse_date('tháng 01/2021 ngày 13'); "
        "print('dateparser' in sys.modules); "
        "print(d.parse_date_iso('tháng 1 13 2021')); print('dateparser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "2021-01-13", "True"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # leftovers (no form of ours matches) with a month word and a year: dateparser, guarded
        ("tháng 1 13 2021", "2021-01-13"),
        ("Tháng Một 13 2021 08:15", "2021-01-13T08:15:00+07:00"),
        ("tháng 2 30 2021", REJECT),
    ],
)
def test_leftovers_go_to_the_guarded_dateparser_fallback(text: str, expected: str | None) -> None:
    assert parse_date_iso(text, NOW) == expected


# ----------------------------------------------------------------------------------------- properties

LOW = datetime.datetime(1995, 1, 1, tzinfo=ZONE)


def _in_range(parsed: ParsedDate, now: datetime.datetime) -> bool:
    v = parsed.value
    if isinstance(v, datetime.datetime):
        return v.tzinfo is not None and LOW <= v <= now + datetime.timedelta(days=1)
    return datetime.date(1995, 1, 1) <= v <= (now + datetime.timedelta(days=1)).date()


@given(st.text())
@settings(max_examples=500, deadline=None)
def test_property_never_raises_on_arbitrary_text(text: str) -> None:
    parsed = parse_date(text, NOW)
    assert parsed is None or _in_range(parsed, NOW)
    for found in find_dates(text, NOW):
        assert _in_range(found, NOW)


DATE_ALPHABET = "0123456789/-.:, |hgHG" + "ThứTưngàyCập nhật SA CH GMT+7 lượt xem hôm qua tháng năm"


@given(st.text(alphabet=DATE_ALPHABET, max_size=40))
@settings(max_examples=500, deadline=None)
def test_property_date_like_noise_stays_in_range(text: str) -> None:
    parsed = parse_date(text, NOW)
    assert parsed is None or _in_range(parsed, NOW)


@given(
    day=st.dates(min_value=datetime.date(1995, 1, 1), max_value=datetime.date(2021, 1, 16)),
    sep=st.sampled_from(["/", "-", "."]),
    pad=st.booleans(),
    prefix=st.sampled_from(["", "Thứ Tư, ", "Ngày đăng: ", "Cập nhật: ", "Diệu Linh", "(", "Thời sự - "]),
    suffix=st.sampled_from(["", " | 1234 lượt xem", ")", " | Tác giả: X", ", 08:15", " 23:59:59 [GMT+7]"]),
)
@settings(max_examples=400, deadline=None)
def test_property_day_first_round_trip(
    day: datetime.date, sep: str, pad: bool, prefix: str, suffix: str
) -> None:
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if pad else (str(day.day), str(day.month))
    text = f"{prefix}{d}{sep}{m}{sep}{day.year}{suffix}"
    parsed = parse_date(text, NOW)
    if suffix.startswith((", ", " 2")) and day == datetime.date(2021, 1, 16):
        # 16 January 23:59 is later than now + 1 day (16 January 10:00): rejected, never clipped
        assert parsed is None or (parsed.value.hour, parsed.value.minute) <= (10, 0)
        return
    assert parsed is not None, text
    value = parsed.value
    assert (value.year, value.month, value.day) == (day.year, day.month, day.day)
    assert parsed.has_time == suffix.startswith((", ", " 2"))


@given(day=st.dates(min_value=datetime.date(1995, 1, 1), max_value=datetime.date(2021, 1, 15)))
@settings(max_examples=300, deadline=None)
def test_property_month_first_is_never_swapped(day: datetime.date) -> None:
    text = f"{day.month:02d}/{day.day:02d}/{day.year}"
    parsed = parse_date(text, NOW)
    if day.day > 12:
        assert parsed is None  # "01/13/2021" has no month 13: rejected, not read month-first
    elif parsed is not None:
        assert (parsed.value.month, parsed.value.day) == (day.day, day.month)


@given(
    prefix=st.sampled_from(["", "Thứ Tư, ", "Ngày đăng: ", "Ngày:", "ngày ", "(", "Cập nhật:", "x.", "- "]),
    before=st.sampled_from(["", "08:15 ", "23:59, ", "8:05 - ", "24:00 ", "08:15-", "08:15:30 "]),
    day=st.integers(0, 32),
    month=st.integers(0, 13),
    year=st.sampled_from(["1994", "1995", "2020", "2021", "2022", "0000"]),
    sep=st.sampled_from(["/", "-", "."]),
    after=st.sampled_from(["", ", 08:15", " | 23:59", " - 24:00", " 08:15:30", " 8:61", ",10:01", " 09:00"]),
    tail=st.sampled_from(["", ")", " GMT+7", " [GMT+7]", " (GMT+7)", " ", " GMT+9", " PM"]),
)
@settings(max_examples=500, deadline=None)
def test_property_fast_path_agrees_with_the_full_scan(
    prefix: str, before: str, day: int, month: int, year: str, sep: str, after: str, tail: str
) -> None:
    """parse_date's shortcut for whole common lines returns exactly what scanning with _MASTER returns."""
    from newsbot import dates

    text = f"{prefix}{before}{day:02d}{sep}{month}{sep}{year}{after}{tail}"
    found, _ = dates._scan(dates._normalise(text).lower(), dates._Ctx(NOW), True, text, True)
    assert parse_date(text, NOW) == (found[0] if found else None)
