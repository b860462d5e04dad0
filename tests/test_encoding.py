"""Tests for newsbot.encoding: repairs must undo real misreadings and never touch correct Vietnamese."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from newsbot.encoding import (
    TCVN3_TO_UNICODE,
    fix_mojibake,
    looks_like_tcvn3,
    repair_text,
    tcvn3_to_unicode,
)
from newsbot.text import clean_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VIET_LOWER = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
VIET_LETTERS = VIET_LOWER + VIET_LOWER.upper()
VIET_SPECIFIC = "".join(c for c in VIET_LETTERS if ord(c) > 0xFF)
UNICODE_TO_TCVN3 = {v: k for k, v in TCVN3_TO_UNICODE.items()}


def _real_texts() -> list[str]:
    """Real Vietnamese sentences: the seed article and the gold texts of every fixture article."""
    texts = []
    for path in sorted((FIXTURES / "seed").glob("*.txt")):
        texts += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in sorted(FIXTURES.glob("*/expected/*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        texts += [gold.get("title") or "", gold.get("lead") or "", gold.get("section") or ""]
        texts += gold.get("body_paragraphs") or []
        texts += [c.get("text") or "" for c in gold.get("captions") or []]
        texts += gold.get("authors") or []
    return [t for t in dict.fromkeys(texts) if t]


REAL = _real_texts()


def misread(text: str, codec: str) -> str:
    """What a browser shows for UTF-8 bytes declared as ``codec`` (cp1252 holes become C1 controls)."""
    raw = text.encode("utf-8")
    if codec == "latin-1":
        return raw.decode("latin-1")
    return "".join(bytes([b]).decode("cp1252") if b not in b"\x81\x8d\x8f\x90\x9d" else chr(b) for b in raw)


def to_tcvn3(text: str) -> str | None:
    """``text`` as TCVN3 bytes read as Latin-1; None when it holds a character TCVN3 cannot express."""
    out = []
    for ch in text:
        if ch in UNICODE_TO_TCVN3:
            out.append(UNICODE_TO_TCVN3[ch])
        elif ch.isascii() or (ord(ch) > 0xFF and ch not in VIET_LETTERS):
            out.append(ch)  # ASCII and punctuation such as "–" or "“" survive as they are
        else:
            return None  # upper-case toned letters or Latin-1 symbols: not expressible / ambiguous
    return "".join(out)


def test_corpus_is_real() -> None:
    assert len(REAL) > 300
    assert any("Khối thi đua" in t for t in REAL)


# -------------------------------------------------------------------------------- correct text passes


def test_correct_vietnamese_is_never_changed() -> None:
    damaged = [t for t in REAL if fix_mojibake(t) != t]
    tcvn = [t for t in REAL if looks_like_tcvn3(t)]
    repaired = [t for t in REAL if repair_text(t) != clean_text(t)]
    assert damaged == []
    assert tcvn == []
    assert repaired == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ASCII, 13/01/2021",
        "Cà Mau",
        "NGÃ\xa0BA HUẾ",
        "Ê… thế à",
        "Microsoft® Windows 10",
        "© 2021 Báo Vĩnh Phúc",
        "Søren Kierkegaard",
        "Noël à Paris",
        "Giá 1½ kg",
        "café crème",
        "Thứ Tư, 13/01/2021",
        "Hà Nội – “Thủ đô” …",
    ],
)
def test_non_broken_text_is_left_alone(text: str) -> None:
    assert fix_mojibake(text) == text
    assert not looks_like_tcvn3(text)
    assert repair_text(text) == clean_text(text)


ASCII_AND_PUNCTUATION = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.;:!?-()'\"“”‘’–—…"
VIET_TEXT = st.text(alphabet=VIET_LETTERS + ASCII_AND_PUNCTUATION)


@given(VIET_TEXT)
@settings(max_examples=300)
def test_property_correct_text_survives(text: str) -> None:
    assert fix_mojibake(text) == text
    if any(c in VIET_SPECIFIC for c in text):
        assert not looks_like_tcvn3(text)


# ------------------------------------------------------------------------------------------- mojibake


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("Thá»© TÆ°, 13/01/2021", "Thứ Tư, 13/01/2021"),
        ("HÃ\xa0 Ná»™i", "Hà Nội"),  # "à" is C3 A0: its second byte is an NBSP
        ("Ä‘Ã£ Ä‘Æ°á»£c", "đã được"),
        ("Cáº\xadp nháº\xadt: 11:25", "Cập nhật: 11:25"),
        ("Diá»‡u Linh", "Diệu Linh"),
        ("hÃ´m qua", "hôm qua"),
        ("Tin má»›i: Khá»‘i thi Ä‘ua", "Tin mới: Khối thi đua"),
        # a correct title glued to a misread byline: only the misread part changes
        ("Vĩnh Phúc | Tác giả: Diá»‡u Linh", "Vĩnh Phúc | Tác giả: Diệu Linh"),
    ],
)
def test_fix_mojibake_examples(broken: str, expected: str) -> None:
    assert fix_mojibake(broken) == expected
    assert repair_text(broken) == expected


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_mojibake_round_trip_on_real_text(codec: str) -> None:
    failures = []
    for text in REAL:
        if not any(c in VIET_SPECIFIC for c in text):
            continue
        broken = misread(text, codec)
        assert broken != text
        if fix_mojibake(broken) != text:
            failures.append(text)
    assert failures == []


def test_double_misreading_is_undone() -> None:
    text = "Thứ Tư, ngày 13 tháng 1"
    twice = misread(misread(text, "cp1252"), "cp1252")
    assert fix_mojibake(twice) == text


def test_nfd_mojibake_is_repaired_and_composed() -> None:
    nfd = unicodedata.normalize("NFD", "Thứ Tư")
    assert repair_text(misread(nfd, "cp1252")) == "Thứ Tư"


@given(VIET_TEXT)
@settings(max_examples=300)
def test_property_mojibake_round_trip(text: str) -> None:
    assume(any(c in VIET_SPECIFIC for c in text))
    assert fix_mojibake(misread(text, "cp1252")) == text
    assert fix_mojibake(misread(text, "latin-1")) == text


# ---------------------------------------------------------------------------------------------- TCVN3


def test_tcvn3_table_is_complete_and_one_to_one() -> None:
    assert len(TCVN3_TO_UNICODE) == 74  # 67 lower-case letters + Ă Â Ê Ô Ơ Ư Đ
    assert len(set(TCVN3_TO_UNICODE.values())) == 74
    assert set(VIET_LOWER) - set("aeiouy") <= set(TCVN3_TO_UNICODE.values())
    assert set("ĂÂÊÔƠƯĐ") <= set(TCVN3_TO_UNICODE.values())
    assert all(0xA1 <= ord(k) <= 0xFE for k in TCVN3_TO_UNICODE)
    # spot checks against the TCVN 5712 code chart
    assert TCVN3_TO_UNICODE["\xb8"] == "á"
    assert TCVN3_TO_UNICODE["\xad"] == "ư"
    assert TCVN3_TO_UNICODE["\xae"] == "đ"
    assert TCVN3_TO_UNICODE["\xf8"] == "ứ"
    assert TCVN3_TO_UNICODE["\xe9"] == "ộ"
    assert TCVN3_TO_UNICODE["\xa7"] == "Đ"


@pytest.mark.parametrize(
    ("tcvn3", "expected"),
    [
        ("Thø T\xad, 13/01/2021", "Thứ Tư, 13/01/2021"),
        ("Thø hai, 11/01/2021", "Thứ hai, 11/01/2021"),
        ("Chñ nhËt, 17/01/2021", "Chủ nhật, 17/01/2021"),
        ("h«m qua", "hôm qua"),
        ("Hµ Néi", "Hà Nội"),
        ("§¶ng bé tØnh VÜnh Phóc", "Đảng bộ tỉnh Vĩnh Phúc"),
        ("Ngµy ®¨ng: 13/01/2021", "Ngày đăng: 13/01/2021"),
        ("C\xadêng ®é", "Cường độ"),
    ],
)
def test_tcvn3_examples(tcvn3: str, expected: str) -> None:
    assert looks_like_tcvn3(tcvn3)
    assert tcvn3_to_unicode(tcvn3).replace("\xad", "") != tcvn3
    assert repair_text(tcvn3) == expected


def test_tcvn3_round_trip_on_real_text() -> None:
    checked = 0
    for text in REAL:
        low = text.lower()
        encoded = to_tcvn3(low)
        if encoded is None or encoded == low:
            continue
        checked += 1
        assert tcvn3_to_unicode(encoded) == low
        if len(low.split()) >= 5:
            assert looks_like_tcvn3(encoded), low
            assert repair_text(encoded) == clean_text(low)
    assert checked > 300


def test_tcvn3_entity_soft_hyphen_is_kept_for_conversion() -> None:
    # "&shy;" is how a TCVN3 "ư" (0xAD) looks in HTML; cleaning would delete it if conversion came later
    assert repair_text("Thø T&shy;, 13/01/2021") == "Thứ Tư, 13/01/2021"


# ---------------------------------------------------------------------------------------- repair_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("Th&#7913; T&#432;, 13/01/2021", "Thứ Tư, 13/01/2021"),
        ("13/01/2021&nbsp;08:15", "13/01/2021 08:15"),
        ("\ufeffThứ\u200b Tư,\u00a0 13/01/2021 ", "Thứ Tư, 13/01/2021"),
        (unicodedata.normalize("NFD", "Thứ Tư"), "Thứ Tư"),
        ("Th&aacute;ng M&#x1ED9;t", "Tháng Một"),
    ],
)
def test_repair_text(raw: str | None, expected: str) -> None:
    assert repair_text(raw) == expected
