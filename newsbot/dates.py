"""Parse every date form Vietnamese provincial news sites print.

Why a hand-written parser: the date line is parsed for every article and every listing item, and the forms
are few and regular ("Thứ Tư, 13/01/2021 | 08:15", "Cập nhật: 11:25, 02/11/2025", ISO meta tags).
``dateparser`` handles them too, but about a hundred times slower, and it guesses where we must not: it may
read "01/13/2021" month-first, invent midnight for a date-only line, or turn a view counter into a year. Here
numeric dates are always day-first, impossible dates are rejected instead of guessed, a date-only line stays
a ``date``, and every time is aware in Asia/Ho_Chi_Minh. ``dateparser`` is only a lazily built fallback for
leftovers that contain no recognisable date at all, with the same range checks.

Results outside [1995-01-01, now + 1 day] are rejected: nothing on these sites predates the web, and a date
in the future is a parse error or a template bug (the header's "today" is not a publication date anyway).
"""

from __future__ import annotations

import calendar
import datetime
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from newsbot.encoding import repair_text

__all__ = ["ZONE", "ParsedDate", "find_dates", "parse_date", "parse_date_iso", "split_labeled"]

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MIN_DATE = datetime.date(1995, 1, 1)
_MIN_DT = datetime.datetime(1995, 1, 1, tzinfo=ZONE)
_ONE_DAY = datetime.timedelta(days=1)
_CLOCK_SKEW = datetime.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date as printed: with a time only when the page printed one (no invented midnight)."""

    value: datetime.datetime | datetime.date  # aware datetime in ZONE when a time was printed, else a date
    raw: str  # the input string as given (for find_dates: the matched part of the cleaned text)

    @property
    def has_time(self) -> bool:
        """Whether the page printed a time; callers keep "YYYY-MM-DD" otherwise."""
        return isinstance(self.value, datetime.datetime)

    def isoformat(self) -> str:
        """The dataset form: "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SS+07:00" always expressed in Vietnam time."""
        v = self.value
        if isinstance(v, datetime.datetime):
            return v.astimezone(ZONE).isoformat(timespec="seconds")
        return v.isoformat()


_new_parsed = object.__new__
_set_value = ParsedDate.__dict__["value"].__set__  # the slots: no frozen __setattr__, no __init__ call
_set_raw = ParsedDate.__dict__["raw"].__set__


def _parsed(value: datetime.datetime | datetime.date, raw: str) -> ParsedDate:
    """ParsedDate(value, raw), built a little faster: parse_date returns one per call."""
    parsed = _new_parsed(ParsedDate)
    _set_value(parsed, value)
    _set_raw(parsed, raw)
    return parsed


# ------------------------------------------------------------------------------------------- patterns
# Patterns run on _normalise(text): NFC, lower case, no invisible characters. Whitespace is not collapsed
# (that costs more than the whole match), so they accept any run of \s, NBSP included. Digits are [0-9]: \d
# would also accept Arabic-Indic or fullwidth digits, which no Vietnamese site prints in a date.

_MONTH_WORDS = {
    "một": 1, "giêng": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "bẩy": 7,
    "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12, "chạp": 12,
}  # fmt: skip
_EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
# Longest first so "mười một" wins over "mười" and "một".
_MW = "|".join(w.replace(" ", r"\s+") for w in sorted(_MONTH_WORDS, key=len, reverse=True))
_EMW = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_UNITS = (
    r"giây|phút|giờ|tiếng|ngày|tuần|tháng|năm|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?"
    r"|months?|years?"
)
# AM/PM words: SA/CH are the Vietnamese locale's "sáng"/"chiều" abbreviations.
_AMPM = r"sa|ch|am|pm|a\.m\.?|p\.m\.?|sáng|trưa|chiều|tối"


def _time(p: str) -> str:
    """A clock time; ``p`` prefixes the group names so the pattern can appear before and after the date."""
    return (
        r"(?<![0-9:.])(?:"
        rf"(?P<{p}h>[0-9]{{1,2}}):(?P<{p}m>[0-9]{{2}})(?::(?P<{p}s>[0-9]{{2}})(?:[.,][0-9]{{1,6}})?)?(?![0-9:])"
        rf"|(?P<{p}h2>[01]?[0-9]|2[0-3])[hg](?P<{p}m2>[0-5][0-9])?(?:'|\s*phút)?(?!\w)"
        rf"|(?P<{p}h3>[01]?[0-9]|2[0-3])\s*giờ\s*(?P<{p}m3>[0-5]?[0-9])(?:\s*phút)?(?!\w)"
        rf")(?:\s*(?P<{p}ap>{_AMPM})(?!\w))?"
    )


# Between a date and its time: punctuation and the words "lúc" (at) / "ngày" (on), nothing else.
_GAP = r"[\s,|;\-–—(\[]{0,8}(?:(?:vào\s+)?(?:lúc|ngày)\s*:?\s*)?"

_DATE_ALTERNATIVES = (
    # ISO and other year-first forms (meta tags, JSON-LD, URLs): 2021-01-13[T08:15[:00[.123]]][Z|+07:00]
    r"(?<![0-9.])(?P<iy>(?:19|20)[0-9]{2})(?P<isep>[-/.])(?P<imo>[0-9]{1,2})(?P=isep)(?P<id>[0-9]{1,2})"
    r"(?:(?:t|\s+)(?P<ih>[0-9]{1,2}):(?P<imi>[0-9]{2})(?::(?P<is>[0-9]{2})(?:[.,][0-9]{1,9})?)?"
    r"\s*(?P<iz>z(?!\w)|[+-][0-9]{2}(?::?[0-9]{2})?)?)?(?![0-9])",
    # day-first numeric: 13/01/2021, 1-2-2021, 13.01.2021, 13/01/21, 13 / 01 / 2021
    r"(?<![0-9])(?<![0-9][/.\-])(?P<d>[0-9]{1,2})(?P<sep>\s*[/\-]\s*|\.)(?P<mo>[0-9]{1,2})(?P=sep)"
    r"(?P<y>[0-9]{4}|[0-9]{2})(?![0-9])",
    # 5 phút trước / 2 giờ trước / 1 giờ 30 phút trước / 3 ngày trước / 5 minutes ago
    # (before the long form, which would read the "1 tháng 2" of "1 tháng 2 ngày trước" as a date)
    rf"(?<![0-9])(?P<rn>[0-9]{{1,3}})\s*(?P<ru>{_UNITS})(?:\s*(?P<rn2>[0-9]{{1,3}})\s*(?P<ru2>{_UNITS}))?"
    r"\s+(?:trước|ago)(?!\w)",
    # ngày 13 tháng 1 năm 2021 / 13 tháng 01, 2021 / 13 Tháng Một 2021 / 13 thg 1 2021 (year optional)
    rf"(?:ngày\s*)?(?<![0-9])(?P<ld>[0-9]{{1,2}})\s*(?:tháng|thg|th)\.?\s*"
    rf"(?P<lm>(?:{_MW})(?!\w)|[0-9]{{1,2}}(?![0-9]))(?:\s*(?:,|năm|/)?\s*(?P<ly>[0-9]{{4}})(?![0-9]))?",
    # Tháng 1 13, 2021 / Tháng 1, 13, 2021 (month first only after the word "tháng": never for bare numbers)
    rf"(?:tháng|thg)\s*(?P<lm2>(?:{_MW})(?!\w)|[0-9]{{1,2}})(?:\s*,\s*|\s+)(?P<ld2>[0-9]{{1,2}})\s*,\s*"
    r"(?P<ly2>[0-9]{4})(?![0-9])",
    # ngày 13, tháng 1, năm 2021 (the comma is safe only after the word "ngày")
    rf"ngày\s*(?P<ld3>[0-9]{{1,2}})\s*,\s*tháng\s*(?P<lm3>(?:{_MW})(?!\w)|[0-9]{{1,2}}(?![0-9]))"
    r"(?:\s*,?\s*(?:năm\s*)?(?P<ly3>[0-9]{4})(?![0-9]))?",
    # tháng 1 ngày 13 năm 2021
    rf"tháng\s*(?P<lm4>(?:{_MW})(?!\w)|[0-9]{{1,2}})\s*,?\s*ngày\s*(?P<ld4>[0-9]{{1,2}})(?![0-9])"
    r"(?:\s*,?\s*(?:năm\s*)?(?P<ly4>[0-9]{4})(?![0-9]))?",
    # tháng 01/2021 ngày 13 / tháng 1 năm 2021, ngày 13 (month and year, then the labelled day)
    rf"tháng\s*(?P<lm5>(?:{_MW})(?!\w)|[0-9]{{1,2}}(?![0-9]))\s*(?:[/,\-]|năm)?\s*(?P<ly5>[0-9]{{4}})(?![0-9])"
    r"\s*,?\s*(?:vào\s+)?ngày\s*(?P<ld5>[0-9]{1,2})(?![0-9]|[/.\-:][0-9]|[hg](?:[0-9]|(?!\w))|\s*giờ(?!\w))",
    # 13 January 2021 / 13th Jan, 2021
    rf"(?<![0-9])(?P<ed>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?P<em>{_EMW})\.?,?\s+(?P<ey>[0-9]{{4}})(?![0-9])",
    # January 13, 2021
    rf"(?<![a-z])(?P<em2>{_EMW})\.?\s+(?P<ed2>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<ey2>[0-9]{{4}})(?![0-9])",
    r"(?<!\w)(?P<dw>hôm\s+nay|hôm\s+qua|hôm\s+kia|today|yesterday)(?!\w)",
    r"(?<!\w)(?P<jn>vừa\s+xong|vừa\s+mới|just\s+now)(?!\w)",
    # day and month only (listing pages): 13/01, Sáng 17-2
    r"(?<![0-9])(?<![0-9][/.\-])(?P<dd>[0-9]{1,2})[/\-](?P<dmo>[0-9]{1,2})(?![/.\-]?[0-9])",
)
_OFFSET = (
    r"(?:\s*[\[(]?\s*(?P<gmt>gmt|utc)\s*(?:(?P<os>[+-])\s*(?P<oh>[0-9]{1,2})(?::?(?P<om>[0-9]{2}))?)?(?![0-9])"
    r"|(?P<os2>[+-])(?P<oh2>[0-9]{2}):?(?P<om2>[0-9]{2})(?![0-9]))?"
)
# One search finds the leftmost date of any form with its time before ("08:15 13/01/2021") or, when there is
# none, after ("13/01/2021, 08:15"); the conditional stops a date from taking the next date's leading time.
_MASTER = re.compile(
    rf"(?:(?P<bt>{_time('b')}){_GAP})?(?:{'|'.join(_DATE_ALTERNATIVES)})"
    rf"(?(bt)|(?:{_GAP}(?P<at>{_time('a')}))?){_OFFSET}"
)
# Where a match can start: a digit or the first letters of a word form. Trying the big pattern at every
# position of "Thứ Bảy, " costs more than everything else, so the scan jumps here first.
_START = re.compile(
    r"(?=[0-9nhvtyjfmasod])"  # the first characters below: a cheap test before the alternation
    r"(?:[0-9]|ngày|hôm|vừa|tháng|thg|today|yesterday|just|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
)
_ANY_TIME = re.compile(_time("x"))
# Gates for the dateparser fallback: a plausible 4-digit year and a month written as a word must be printed.
# All-numeric leftovers ("01 13 2021") are refused: dateparser would silently swap day and month.
_FALLBACK_YEAR = re.compile(r"(?<![0-9])(?:199[5-9]|20[0-9]{2})(?![0-9])")
_FALLBACK_MONTH = re.compile(r"tháng|thg")
# When the text says which number is the day ("ngày 13") or the month ("tháng 1"), the result must agree.
_LABELED_DAY = re.compile(r"ngày\s*,?\s*([0-9]{1,2})(?![0-9])")
_LABELED_MONTH = re.compile(r"(?:tháng|thg)\s*,?\s*([0-9]{1,2})(?![0-9])")
_NEEDS_REPAIR = re.compile("[\x80-\xff]")
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f]")

# Group positions in m.groups(): one tuple and integer indexing is several times cheaper than m.group(name).
_GI = {name: i - 1 for name, i in _MASTER.groupindex.items()}
_TIME_B, _TIME_A = (tuple(_GI[p + k] for k in ("h", "m", "s", "h2", "m2", "h3", "m3", "ap")) for p in "ba")


# ----------------------------------------------------------------------------------------- resolution
class _Ctx:
    """Per-call values derived from ``now`` once, not per token."""

    __slots__ = ("local", "today", "max_dt", "max_date")

    def __init__(self, now: datetime.datetime | None) -> None:
        if now is None:
            local = datetime.datetime.now(ZONE)
        elif now.tzinfo is None:
            local = now.replace(tzinfo=ZONE)  # a naive fetch time is Vietnam time, like the pages
        else:
            local = now.astimezone(ZONE)
        self.local = local
        self.today = local.date()
        self.max_dt = local + _ONE_DAY
        self.max_date = self.max_dt.date()


_last_ctx: tuple[datetime.datetime, _Ctx] | None = None


def _ctx(now: datetime.datetime | None) -> _Ctx:
    """The _Ctx of ``now``, reused while calls share one fetch time (the items of a listing, one article's lines).

    Equal datetimes with the same fold name the same instant (aware) or the same wall time (naive; never equal
    to an aware one), so they give the same context. ``None`` (the current time) is never cached.
    """
    global _last_ctx
    if now is None:
        return _Ctx(None)
    last = _last_ctx
    if last is not None and last[0] == now and last[0].fold == now.fold:
        return last[1]
    ctx = _Ctx(now)
    _last_ctx = (now, ctx)
    return ctx


def _in_range(value: datetime.date, ctx: _Ctx) -> bool:
    if isinstance(value, datetime.datetime):
        return _MIN_DT <= value <= ctx.max_dt
    return MIN_DATE <= value <= ctx.max_date


def _hms(gs: tuple[str | None, ...], ix: tuple[int, ...]) -> tuple[int, int, int] | None:
    """Hour, minute, second of the time at group indices ``ix`` (_TIME_B or _TIME_A); None when impossible."""
    ih, im, isec, ih2, im2, ih3, im3, iap = ix
    if (h := gs[ih]) is not None:
        hour, minute, sec = int(h), int(gs[im] or 0), int(gs[isec] or 0)
    elif (h := gs[ih2]) is not None:
        hour, minute, sec = int(h), int(gs[im2] or 0), 0
    else:
        hour, minute, sec = int(gs[ih3] or 0), int(gs[im3] or 0), 0
    ap = gs[iap]
    if ap:
        if ap[0] in "sa":  # sa, sáng, am, a.m.: 12:05 SA is 00:05
            if hour > 12:
                return None
            if hour == 12:
                hour = 0
        elif ap == "trưa":  # noon: 11 giờ trưa = 11:00, 1 giờ trưa = 13:00
            if hour < 6:
                hour += 12
        elif hour < 12:  # ch, pm, chiều, tối
            hour += 12
    if hour > 23 or minute > 59 or sec > 59:
        return None
    return hour, minute, sec


def _tz(sign: str, hh: int, mm: int) -> datetime.tzinfo:
    if hh > 14 or mm > 59:
        raise ValueError("impossible UTC offset")
    if sign == "+" and hh == 7 and mm == 0:
        return ZONE
    delta = datetime.timedelta(hours=hh, minutes=mm)
    return datetime.timezone(-delta if sign == "-" else delta)


_GMT, _OS, _OH, _OM, _OS2, _OH2, _OM2 = (_GI[k] for k in ("gmt", "os", "oh", "om", "os2", "oh2", "om2"))


def _offset(gs: tuple[str | None, ...]) -> datetime.tzinfo | None:
    """The explicit UTC offset printed after the time ("GMT+7", "+07:00"); None means Vietnam time."""
    if gs[_GMT] is not None:
        if (sign := gs[_OS]) is None:
            return datetime.UTC  # "08:15 GMT"
        return _tz(sign, int(gs[_OH] or 0), int(gs[_OM] or 0))
    if (sign := gs[_OS2]) is not None:
        return _tz(sign, int(gs[_OH2] or 0), int(gs[_OM2] or 0))
    return None


def _year(text: str, ctx: _Ctx) -> int:
    """Four digits as printed; two digits are 20yy unless that lies beyond next year, then 19yy."""
    y = int(text)
    if len(text) == 2:
        y += 2000
        if y > ctx.local.year + 1:
            y -= 100
    return y


def _with_time(
    day: datetime.date, hms: tuple[int, int, int], tz: datetime.tzinfo | None
) -> datetime.datetime:
    value = datetime.datetime(day.year, day.month, day.day, *hms, tzinfo=tz or ZONE)
    return value if tz is None or tz is ZONE else value.astimezone(ZONE)


def _yearless(day: int, month: int, hms: tuple[int, int, int] | None, ctx: _Ctx) -> datetime.date | None:
    """The most recent occurrence of day/month not after now (a listing never shows a future item).

    The site's clock and ours differ a little, so a printed time up to an hour ahead of now is still today
    ("10:05 15/01" read at 10:00 on 15/01), not last year. A date without a time counts up to today. 29/02 goes
    back to the last leap year. Returns a date or an aware datetime.
    """
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    for year in range(ctx.local.year, ctx.local.year - 9, -1):
        try:
            d = datetime.date(year, month, day)
        except ValueError:
            continue
        if hms is None:
            if d <= ctx.today:
                return d
        else:
            dt = datetime.datetime(year, month, day, *hms, tzinfo=ZONE)
            if dt <= ctx.local + _CLOCK_SKEW:
                return dt
    return None


def _add_months(d: datetime.date, months: int) -> datetime.date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return datetime.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


# unit (English plural "s" stripped) -> (kind, amount): seconds get a time, days and months a date only
_REL_UNITS = {
    "giây": ("s", 1), "phút": ("s", 60), "giờ": ("s", 3600), "tiếng": ("s", 3600),
    "ngày": ("d", 1), "tuần": ("d", 7), "tháng": ("m", 1), "năm": ("m", 12),
    "second": ("s", 1), "sec": ("s", 1), "minute": ("s", 60), "min": ("s", 60), "hour": ("s", 3600),
    "hr": ("s", 3600), "day": ("d", 1), "week": ("d", 7), "month": ("m", 1), "year": ("m", 12),
}  # fmt: skip
_DAYS_BACK = {"hôm nay": 0, "today": 0, "hôm qua": 1, "yesterday": 1, "hôm kia": 2}

# group indices used by _resolve
_BT, _AT, _D, _Y, _SEP, _MO = (_GI[k] for k in ("bt", "at", "d", "y", "sep", "mo"))
_IY, _IMO, _ID, _IH, _IMI, _IS, _IZ = (_GI[k] for k in ("iy", "imo", "id", "ih", "imi", "is", "iz"))
_LONG = tuple((_GI[f"ld{i}"], _GI[f"lm{i}"], _GI[f"ly{i}"]) for i in ("", "2", "3", "4", "5"))
_ED, _ED2, _EM, _EM2, _EY, _EY2 = (_GI[k] for k in ("ed", "ed2", "em", "em2", "ey", "ey2"))
_DD, _DMO, _RN, _RU, _RN2, _RU2, _DW = (_GI[k] for k in ("dd", "dmo", "rn", "ru", "rn2", "ru2", "dw"))


_BACK_DAYS = tuple(datetime.timedelta(days=n) for n in range(3))


def _long_ix(gs: tuple[str | None, ...]) -> tuple[int, int, int] | None:
    """Day, month and year group indices of the "tháng" form that matched, if one did."""
    for ix in _LONG:
        if gs[ix[0]] is not None:
            return ix
    return None


def _resolve(gs: tuple[str | None, ...], ctx: _Ctx, year_hint: bool) -> datetime.date | None:
    """Turn the groups of one master-regex match into a date/datetime; None when it is impossible.

    Raises ValueError for impossible calendar dates (31/02, month 13); the caller treats both alike.
    """
    hms: tuple[int, int, int] | None = None
    if gs[_BT] is not None:
        if (hms := _hms(gs, _TIME_B)) is None:
            return None
    elif gs[_AT] is not None:
        if (hms := _hms(gs, _TIME_A)) is None:
            return None

    if (dd := gs[_D]) is not None:  # day-first numeric
        year_text = gs[_Y] or ""
        if len(year_text) == 2:
            if gs[_SEP] == ".":
                return None  # "1.9.21" is a version number far more often than a date
            year = _year(year_text, ctx)
        else:
            year = int(year_text)
        y, mo, d = year, int(gs[_MO] or 0), int(dd)
    elif (yy := gs[_IY]) is not None:  # ISO / year-first
        y, mo, d = int(yy), int(gs[_IMO] or 0), int(gs[_ID] or 0)
        if (ih := gs[_IH]) is not None:
            day = datetime.date(y, mo, d)
            hms = (int(ih), int(gs[_IMI] or 0), int(gs[_IS] or 0))
            if hms[0] > 23 or hms[1] > 59 or hms[2] > 59:
                return None
            iz = gs[_IZ]
            if iz is None:
                tz: datetime.tzinfo | None = None  # naive ISO: the site's local time
            elif iz == "z":
                tz = datetime.UTC
            else:
                tz = _tz(iz[0], int(iz[1:3]), int(iz[-2:]) if len(iz) > 3 else 0)
            return _with_time(day, hms, tz)
    elif (lix := _long_ix(gs)) is not None:  # "tháng" forms
        dd, lm, year_text = (gs[i] or "" for i in lix)
        lm = " ".join(lm.split())
        month = _MONTH_WORDS[lm] if lm in _MONTH_WORDS else int(lm)
        if not year_text:
            return _yearless(int(dd), month, hms, ctx) if year_hint else None
        y, mo, d = int(year_text), month, int(dd)
    elif (dd := gs[_ED] or gs[_ED2]) is not None:  # English month names
        month = _EN_MONTHS[(gs[_EM] or gs[_EM2] or "")[:3]]
        y, mo, d = int(gs[_EY] or gs[_EY2] or 0), month, int(dd)
    elif (dd := gs[_DD]) is not None:  # day/month without a year
        return _yearless(int(dd), int(gs[_DMO] or 0), hms, ctx) if year_hint else None
    elif (n := gs[_RN]) is not None:  # N units ago, or "1 giờ 30 phút" ago
        seconds = days = months = 0
        clock = False
        for count, unit in ((n, gs[_RU]), (gs[_RN2], gs[_RU2])):
            if count is None:
                continue
            kind, amount = _REL_UNITS[(unit or "").rstrip("s")]
            if kind == "s":
                seconds += int(count) * amount
                clock = True
            elif kind == "d":
                days += int(count) * amount
            else:
                months += int(count) * amount
        if clock:  # minutes and hours ago: a time, to the second
            back = ctx.local - datetime.timedelta(days=days, seconds=seconds)
            if months:  # "1 tháng 2 giờ trước": rare, but keep it exact
                day = _add_months(back.date(), -months)
                back = back.replace(year=day.year, month=day.month, day=day.day)
            return back.replace(microsecond=0)
        day = _add_months(ctx.today - datetime.timedelta(days=days), -months)
        if hms is None:
            return day
        y, mo, d = day.year, day.month, day.day
    elif (w := gs[_DW]) is not None:  # hôm nay / hôm qua / hôm kia
        back_days = _DAYS_BACK.get(w)
        day = ctx.today - _BACK_DAYS[_DAYS_BACK[" ".join(w.split())] if back_days is None else back_days]
        if hms is None:
            return day
        y, mo, d = day.year, day.month, day.day
    else:  # vừa xong / just now
        return ctx.local.replace(microsecond=0)

    if hms is None:
        return datetime.date(y, mo, d)
    tz = _offset(gs) if gs[_GMT] is not None or gs[_OS2] is not None else None
    value = datetime.datetime(y, mo, d, *hms, tzinfo=tz or ZONE)
    return value if tz is None or tz is ZONE else value.astimezone(ZONE)


def _normalise(text: str) -> str:
    """NFC, entities decoded, invisible characters dropped: what the patterns expect (after lower()).

    Cheaper than clean_text (no whitespace collapsing, which the patterns tolerate), since it runs per call.
    """
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        if _INVISIBLE_RE.search(text):
            text = _INVISIBLE_RE.sub("", text)
        text = unicodedata.normalize("NFC", text)
    return text


def _scan(
    s: str, ctx: _Ctx, year_hint: bool, raw: str, first_only: bool, src: str = ""
) -> tuple[list[ParsedDate], bool]:
    """All valid dates in lower-cased ``s`` (or only the first), and whether any date-shaped token was seen.

    ``raw`` becomes ParsedDate.raw; when empty, raw is the matched span cut from ``src`` (``s`` in its printed
    case, same length) or from ``s``.
    """
    found: list[ParsedDate] = []
    seen = False
    start = _START.search(s)
    if start is None:
        return found, seen
    for m in _MASTER.finditer(s, start.start()):
        seen = True
        try:
            value = _resolve(m.groups(), ctx, year_hint)
        except (ValueError, OverflowError):  # 31/02, month 13, day 0, year 0...
            continue
        if value is None or not _in_range(value, ctx):
            continue
        found.append(ParsedDate(value, raw or (src or s)[m.start() : m.end()].strip()))
        if first_only:
            break
    return found, seen


def _first(s: str, ctx: _Ctx, year_hint: bool, pos: int) -> tuple[datetime.date | None, bool]:
    """What _scan(s, ..., first_only=True) finds, as (value or None, seen), without building ParsedDates.

    ``pos`` is the first _START hit. The matches are _MASTER.finditer's, tried only where one can begin: every
    _MASTER match starts with a digit or with a word _START knows (ngày, tháng/thg, hôm, vừa, today,
    yesterday, just, an English month), so hopping from one _START hit to the next (overlaps included: the
    next search starts one character on) skips only positions where _MASTER fails. Trying the big pattern at
    every character of "Phú Thọ 24h ngày " costs more than the match itself.
    """
    match = _MASTER.match
    hop = _START.search
    seen = False
    while True:
        if (m := match(s, pos)) is None:
            nxt = hop(s, pos + 1)
        else:
            seen = True
            try:
                value = _resolve(m.groups(), ctx, year_hint)
            except (ValueError, OverflowError):  # 31/02, month 13, day 0, year 0...
                value = None
            if value is not None and _in_range(value, ctx):
                return value, True
            nxt = hop(s, m.end())  # like finditer: on from the end of the match (never empty)
        if nxt is None:
            return None, seen
        pos = nxt.start()


# ------------------------------------------------------------------------------------------ fast path
# The lines most pages print, as a whole: "[weekday, ]13/01/2021[ | 08:15[:30]][ [GMT+7]]", "(13/01/2021)",
# "08:15, 13/01/2021". parse_date tries it only where _MASTER would start (the first _START hit, a digit: the
# prefix holds no digit and no date word; only _START's words can begin a match without a digit), and only as
# a full match of the rest, so _MASTER's first match is the same date with the same time. A leading "ngày"
# label is skipped: _MASTER can start there only with "ngày" + day + "tháng"/"," (the long forms), and a
# _FAST line has "/", "-", "." or ":" after its first number. The lookbehinds are _MASTER's, the gaps are a
# subset of _GAP, a time is taken after the date only when none precedes it (the (?(bt)...) conditional),
# and the tail (")", "GMT+7") holds no AM/PM word, no other offset and no digit _MASTER could read. Anything
# else goes through _first. What _MASTER leaves after its match is at most ")", "]" and spaces, so it finds
# nothing else: a _FAST line whose date or time is impossible or out of range is None, as _first would say.
_FAST = re.compile(
    r"(?:(?<![0-9:.])(?P<bh>[0-9]{1,2}):(?P<bm>[0-9]{2})[\s,|\-]{1,8})?"
    r"(?<![0-9])(?<![0-9][/.\-])(?P<d>[0-9]{1,2})(?P<sep>[/\-.])(?P<mo>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})"
    r"(?(bh)|(?:[\s,|\-]{1,8}(?<![0-9:.])(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?)?)"
    r"(?:\)|\s*[\[(]?gmt\+7[\])]?)?\s*"
)


_TWO_DIGITS = {f"{i:0{width}d}": i for width in (1, 2) for i in range(10**width)}  # "7", "07", "59"


def _fast_value(m: re.Match[str]) -> datetime.date | None:
    """The date or aware datetime of a _FAST match; None when it is impossible."""
    bh, bm, d, _, mo, y, h, mi, sec = m.groups()
    if bh is not None:
        h, mi = bh, bm
    num = _TWO_DIGITS
    try:
        if h is None:
            return datetime.date(int(y), num[mo], num[d])
        hour, minute, second = num[h], num[mi], num[sec] if sec else 0
        if hour > 23 or minute > 59 or second > 59:
            return None
        return datetime.datetime(int(y), num[mo], num[d], hour, minute, second, tzinfo=ZONE)
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------- fallback
_DATEPARSER: Any = None


def _dateparser() -> Any:
    """Build the fallback parser once, on first use: importing dateparser costs ~0.5 s and lots of memory."""
    global _DATEPARSER
    if _DATEPARSER is None:
        from dateparser.date import DateDataParser

        _DATEPARSER = DateDataParser(
            languages=["vi"],
            settings={
                "DATE_ORDER": "DMY",
                "PREFER_DAY_OF_MONTH": "first",
                "PREFER_DATES_FROM": "past",
                "REQUIRE_PARTS": ["day", "month", "year"],
                "TIMEZONE": "Asia/Ho_Chi_Minh",
                "TO_TIMEZONE": "Asia/Ho_Chi_Minh",
                "RETURN_AS_TIMEZONE_AWARE": True,
                "PARSERS": ["custom-formats", "absolute-time"],  # no timestamps, no relative guesses
            },
        )
    return _DATEPARSER


def _fallback(s: str, raw: str, ctx: _Ctx) -> ParsedDate | None:
    """dateparser for leftovers, accepted only if the year and day it found are printed in the text."""
    if len(s) > 120 or not _FALLBACK_YEAR.search(s) or not _FALLBACK_MONTH.search(s):
        return None
    try:
        data = _dateparser().get_date_data(s)
    except Exception:  # dateparser raises assorted errors on odd input; a fallback must never crash a crawl
        return None
    dt = data["date_obj"] if data else None
    if dt is None:
        return None
    numbers = {int(x) for x in re.findall(r"[0-9]+", s)}
    if dt.year not in numbers or dt.day not in numbers:
        return None
    if (m := _LABELED_DAY.search(s)) and int(m.group(1)) != dt.day:
        return None
    if (m := _LABELED_MONTH.search(s)) and int(m.group(1)) != dt.month:
        return None
    value: datetime.date
    if _ANY_TIME.search(s):
        value = dt.astimezone(ZONE) if dt.tzinfo else dt.replace(tzinfo=ZONE)
    else:
        value = dt.date()
    return ParsedDate(value, raw) if _in_range(value, ctx) else None


# ------------------------------------------------------------------------------------------------ API
def parse_date(
    text: str | None, now: datetime.datetime | None = None, *, year_hint: bool = True
) -> ParsedDate | None:
    """Parse the first date in a date line, or None when there is none or it is impossible.

    ``now`` is the response's fetch time: relative ("2 giờ trước") and year-less ("13/01") dates are resolved
    against it and nothing later than now + 1 day is accepted. ``year_hint=False`` refuses year-less dates
    (article pages always print the year, so a year-less match there is not the publication date).
    Labels, weekdays, authors and counters around the date are ignored; to tell "Cập nhật" from "Ngày đăng"
    in one line, split it first with :func:`split_labeled`.
    """
    if not text or not isinstance(text, str):
        return None
    ctx = _ctx(now)
    s = text.lower() if text.isascii() and "&" not in text else _normalise(text).lower()
    if (start := _START.search(s)) is None:
        value, seen = None, False
    else:
        pos = fast = start.start()
        if start.group() == "ngày":  # a label ("Ngày đăng: 13/01/2021"): see _FAST
            fast = nxt.start() if (nxt := _START.search(s, start.end())) is not None else pos
        if s[fast] <= "9" and (m := _FAST.fullmatch(s, fast)) is not None:
            # _MASTER would find this one date and nothing after it: impossible or out of range means None
            value = _fast_value(m)
            return _parsed(value, text) if value is not None and _in_range(value, ctx) else None
        value, seen = _first(s, ctx, year_hint, pos)
    if value is not None:
        return _parsed(value, text)
    if not seen and _NEEDS_REPAIR.search(text):
        # mojibake or TCVN3 can hide the words ("hÃ´m qua", "h«m qua"): repair and try once more
        repaired = repair_text(text).lower()
        if repaired != s:
            s = repaired
            found, seen = _scan(s, ctx, year_hint, text, True)
            if found:
                return found[0]
    if seen:
        return None  # a date was printed but it is impossible or out of range: never guess another
    return _fallback(s, text, ctx)


def parse_date_iso(text: str | None, now: datetime.datetime | None = None) -> str | None:
    """parse_date(...).isoformat(), for item fields that store the string."""
    parsed = parse_date(text, now)
    return parsed.isoformat() if parsed else None


def find_dates(
    text: str | None, now: datetime.datetime | None = None, *, year_hint: bool = True
) -> list[ParsedDate]:
    """Every valid date in ``text``, in order (each ``raw`` is the matched part of the repaired text).

    For lines with several dates ("08:15 13/01/2021 - 09:00 14/01/2021"); impossible ones are skipped.
    """
    if not text or not isinstance(text, str):
        return []
    base = repair_text(text) if _NEEDS_REPAIR.search(text) else _normalise(text)
    s = base.lower()
    src = base if len(base) == len(s) else s  # raw in the printed case ("Hôm qua", "GMT+7") when possible
    return _scan(s, _ctx(now), year_hint, "", False, src)[0]


# Labels that say which date follows. Longest first within each group; generic labels need a colon.
_LABELS = re.compile(
    r"(?<!\w)(?:"
    r"(?P<updated>ngày cập nhật|cập nhật lần cuối|cập nhật|last updated|updated(?: on| at)?|modified)"
    r"|(?P<published>ngày đăng tải|ngày đăng|đăng ngày|đăng lúc|đăng tải|ngày xuất bản|xuất bản"
    r"|posted(?: on| at)?|published(?: on| at)?|date published)"
    r"|(?P<date>(?:ngày|thời gian|date|time)(?=\s?:))"
    r")(?!\w)\s?(?:(?:vào\s)?lúc(?!\w))?\s?:?\s?",
    re.IGNORECASE,
)
_STRIP = " |,;-–—:()[]"


def split_labeled(text: str | None) -> dict[str, str]:
    """Split a date line at its labels: {"published": ..., "updated": ..., "date": ..., "": unlabelled}.

    "Thứ Ba, 04/11/2025 | 09:30 Cập nhật: 11:25, 02/11/2025" gives
    {"": "Thứ Ba, 04/11/2025 | 09:30", "updated": "11:25, 02/11/2025"}. Keys: "published" (Ngày đăng, Đăng
    ngày, Xuất bản, Posted, Published), "updated" (Cập nhật, Ngày cập nhật, Updated), "date" (Ngày:, Thời
    gian:) and "" for text before the first label; the first occurrence of a key wins and empty parts are
    dropped. The caller decides what each key means for its site and passes the values to :func:`parse_date`.
    """
    s = repair_text(text)
    parts: dict[str, str] = {}
    key, start = "", 0
    for m in _LABELS.finditer(s):
        value = s[start : m.start()].strip(_STRIP)
        if value and key not in parts:
            parts[key] = value
        key = m.lastgroup or ""
        start = m.end()
    value = s[start:].strip(_STRIP)
    if value and key not in parts:
        parts[key] = value
    return parts
