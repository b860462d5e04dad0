"""Repair Vietnamese text that reached us in the wrong encoding.

Provincial sites are old and inconsistent: a page declared ``charset=windows-1252`` that really holds UTF-8
shows "Thá»© TÆ°" instead of "Thứ Tư"; archives typed in the 1990s "ABC" fonts (TCVN3) show "Thø T" and a
soft hyphen, even in valid UTF-8 pages, because the bytes were never converted, only displayed through a
.VnTime font. Both are reversible, but only when we are sure: a wrong "repair" destroys correct text, so every
helper here leaves its input untouched unless the evidence is unambiguous. Correct Unicode Vietnamese must
always pass through unchanged (the tests check this against the real article texts in ``fixtures/``).
"""

from __future__ import annotations

import html
import re

from newsbot.text import clean_text

__all__ = ["fix_mojibake", "looks_like_tcvn3", "repair_text", "tcvn3_to_unicode"]

# ----------------------------------------------------------------------------------------------------
# Letters that only exist in Unicode Vietnamese (outside Latin-1). Their presence proves the text was decoded
# correctly at least once, so it can be neither TCVN3-read-as-Latin-1 nor a whole-page mojibake.
_VIET_SPECIFIC = "ĂăĐđĨĩŨũƠơƯư" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # combining grave, acute, tilde, hook above, dot below
# Vietnamese letters that Latin-1 already has: correct text uses them, so on their own they prove nothing.
_VIET_LATIN1 = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý"
_VIET_LETTERS = frozenset(_VIET_SPECIFIC + _VIET_LATIN1 + _TONE_MARKS)
_HAS_VIET_SPECIFIC = re.compile(f"[{_VIET_SPECIFIC}{_TONE_MARKS}]")

# ----------------------------------------------------------------------------------------------------
# Mojibake: UTF-8 bytes decoded as windows-1252 (or ISO-8859-1, which differs only in 0x80-0x9F).
#
# Every character such a misreading produces stands for exactly one byte, so the byte string can be rebuilt
# and decoded again. windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; browsers and Latin-1
# decoders turn those into the C1 controls U+0081..., which map back to the same byte, so both readings work.
_CP1252_TO_BYTE: dict[int, str] = {}
for _b in range(0x80, 0xA0):
    try:
        _CP1252_TO_BYTE[ord(bytes([_b]).decode("cp1252"))] = chr(_b)
    except UnicodeDecodeError:  # undefined in cp1252: the C1 control itself is already the right byte
        pass
del _b

_CONT = "\x80-\xbf" + "".join(chr(c) for c in _CP1252_TO_BYTE)  # characters standing for bytes 0x80-0xBF
# A lead byte followed by the right number of continuation bytes: one UTF-8 encoded character.
_UTF8_SEQ = re.compile(f"[\xc2-\xdf][{_CONT}]|[\xe0-\xef][{_CONT}]{{2}}|[\xf0-\xf4][{_CONT}]{{3}}")
# Continuation bytes that are ordinary punctuation in windows-1252 (NBSP, quotes, dashes, ellipsis). After a
# Vietnamese capital ("NGÃ" + NBSP, "Ê" + "…") they occur in correct text, so such a 2-byte sequence is no
# evidence of mojibake; it is repaired only next to unambiguous sequences ("Ä‘" for "đ" is unambiguous: Ä is
# not a Vietnamese letter).
_WEAK_CONT = frozenset("\xa0\u2026\u2018\u2019\u201c\u201d\u2013\u2014")


def _seq_bytes(seq: str) -> bytes:
    return seq.translate(_CP1252_TO_BYTE).encode("latin-1")


def _decode_seq(seq: str) -> str | None:
    try:
        ch = _seq_bytes(seq).decode("utf-8")
    except UnicodeDecodeError:  # overlong or surrogate encodings: not something a UTF-8 encoder wrote
        return None
    if "\x80" <= ch <= "\x9f":
        return None
    return ch


def _is_evidence(seq: str, ch: str) -> bool:
    """A misread sequence that decodes to a Vietnamese letter and cannot be correct text itself."""
    return ch in _VIET_LETTERS and not (seq[0] in _VIET_LATIN1 and seq[1] in _WEAK_CONT)


def _fix_once(s: str) -> str:
    for m in _UTF8_SEQ.finditer(s):
        ch = _decode_seq(m.group())
        if ch is not None and _is_evidence(m.group(), ch):
            break
    else:
        return s
    return _UTF8_SEQ.sub(lambda m: _decode_seq(m.group()) or m.group(), s)


def fix_mojibake(s: str) -> str:
    """Undo UTF-8 that was decoded as windows-1252/Latin-1 ("Thá»© TÆ°" -> "Thứ Tư").

    Repairs happen only when at least one misread sequence decodes to a Vietnamese letter and cannot be
    correct text on its own (e.g. "á»©", "Æ°", "Ã¡"); correct Vietnamese never contains such pairs, so it is
    returned unchanged. Mixed strings (a correct title glued to a misread author line) are repaired
    sequence by sequence. Two rounds cover text that went through the misreading twice.
    """
    if not s or s.isascii():
        return s
    for _ in range(2):
        fixed = _fix_once(s)
        if fixed == s:
            break
        s = fixed
    return s


# ----------------------------------------------------------------------------------------------------
# TCVN3 (TCVN 5712:1993 "VN3", the ABC fonts .VnTime/.VnArial): one byte per precomposed letter. VN3 has the
# 67 lower-case Vietnamese letters plus the seven upper-case base letters; upper-case toned letters were drawn
# with a second font (.VnTimeH) that reuses the lower-case codes, so they come back as lower case here.
# Each pair is (character the byte shows as in Latin-1/windows-1252, Unicode letter); bytes 0xA1-0xFE are
# identical in both code pages. Checked against the VN1 table of TCVN 5712 (XFree86/libiconv tcvn.h),
# whose 0xA0-0xFF lower-case positions VN3 shares.
# fmt: off
_TCVN3_PAIRS = (
    # base letters
    ("¡", "Ă"), ("¢", "Â"), ("£", "Ê"), ("¤", "Ô"), ("¥", "Ơ"), ("¦", "Ư"), ("§", "Đ"),
    ("¨", "ă"), ("©", "â"), ("ª", "ê"), ("«", "ô"), ("¬", "ơ"), ("\xad", "ư"), ("®", "đ"),
    # a
    ("µ", "à"), ("¶", "ả"), ("·", "ã"), ("¸", "á"), ("¹", "ạ"),
    # ă
    ("»", "ằ"), ("¼", "ẳ"), ("½", "ẵ"), ("¾", "ắ"), ("Æ", "ặ"),
    # â
    ("Ç", "ầ"), ("È", "ẩ"), ("É", "ẫ"), ("Ê", "ấ"), ("Ë", "ậ"),
    # e
    ("Ì", "è"), ("Î", "ẻ"), ("Ï", "ẽ"), ("Ð", "é"), ("Ñ", "ẹ"),
    # ê
    ("Ò", "ề"), ("Ó", "ể"), ("Ô", "ễ"), ("Õ", "ế"), ("Ö", "ệ"),
    # i
    ("×", "ì"), ("Ø", "ỉ"), ("Ü", "ĩ"), ("Ý", "í"), ("Þ", "ị"),
    # o
    ("ß", "ò"), ("á", "ỏ"), ("â", "õ"), ("ã", "ó"), ("ä", "ọ"),
    # ô
    ("å", "ồ"), ("æ", "ổ"), ("ç", "ỗ"), ("è", "ố"), ("é", "ộ"),
    # ơ
    ("ê", "ờ"), ("ë", "ở"), ("ì", "ỡ"), ("í", "ớ"), ("î", "ợ"),
    # u
    ("ï", "ù"), ("ñ", "ủ"), ("ò", "ũ"), ("ó", "ú"), ("ô", "ụ"),
    # ư
    ("õ", "ừ"), ("ö", "ử"), ("÷", "ữ"), ("ø", "ứ"), ("ù", "ự"),
    # y
    ("ú", "ỳ"), ("û", "ỷ"), ("ü", "ỹ"), ("ý", "ý"), ("þ", "ỵ"),
)
# fmt: on
TCVN3_TO_UNICODE: dict[str, str] = dict(_TCVN3_PAIRS)
_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)

# TCVN3 bytes whose Latin-1 face is not a Vietnamese letter: seeing them glued to letters is the evidence.
_TCVN3_MARKERS = "".join(k for k in TCVN3_TO_UNICODE if k not in _VIET_LATIN1)
# Of those, the ones that are also common symbols after a word ("Microsoft®", "1ª", "©", "·", "«quote»")
# count only when a letter follows (in TCVN3 they start or sit inside syllables: "®i" = "đi", "h«m" = "hôm").
_SYMBOLIC = "©®«ª·¨"
_MARKER_IN_WORD = re.compile(
    f"(?:(?<=[A-Za-z{_TCVN3_MARKERS}])[{_TCVN3_MARKERS.translate(str.maketrans('', '', _SYMBOLIC))}])"
    f"|(?:[{_TCVN3_MARKERS}](?=[A-Za-z{_TCVN3_MARKERS}{_VIET_LATIN1}]))"
)
# Latin-1 Vietnamese letters that VN3 never uses (0xC0-0xC3, 0xCD, 0xD9, 0xDA, 0xE0): inside a word they
# show the text is Unicode ("và", "là", "Ánh"), not TCVN3.
_NOT_TCVN3_LETTER = re.compile("[A-Za-z][ÀÁÂÃÍÙÚà]|[ÀÁÂÃÍÙÚà][A-Za-z]")

# One Vietnamese syllable: onset, one to three vowels (any tone), coda. Converted words must look like this,
# which keeps foreign names with Latin-1 letters ("Søren", "Noël") from being "converted" to nonsense.
_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_SYLLABLE = re.compile(
    f"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[{_VOWELS}]{{1,3}}(?:ng|nh|ch|[cmnpt])?"
)
_WORD = re.compile(r"[^\W\d_]+")


def _plausible_vietnamese(converted: str) -> bool:
    """True when at least 80% of the words holding a non-ASCII letter are Vietnamese syllables."""
    words = [w for w in _WORD.findall(converted.lower()) if not w.isascii()]
    if not words:
        return False
    good = sum(1 for w in words if _SYLLABLE.fullmatch(w))
    return good * 5 >= len(words) * 4


def tcvn3_to_unicode(s: str) -> str:
    """Map TCVN3 (ABC) bytes, as they appear when read as windows-1252/Latin-1, to Unicode letters.

    Unconditional: call it only on text known (or detected by :func:`looks_like_tcvn3`) to be TCVN3, since
    it would turn the "á" of correct text into "ỏ". Upper-case toned letters are not representable in VN3
    and come back lower case.
    """
    return s.translate(_TCVN3_TABLE)


def looks_like_tcvn3(s: str) -> bool:
    """True when ``s`` is confidently TCVN3 text read as Latin-1/windows-1252 ("Thø T\\xad" = "Thứ Tư").

    Required: no letter that only Unicode has (ơ, ư, ạ...), no Latin-1 Vietnamese letter that VN3 never
    uses ("và"), at least one TCVN3 marker character glued to a letter ("®i" = "đi"; a "®" or "©" after a
    word does not count), and after conversion at least 80% of the non-ASCII words must be Vietnamese
    syllables, which rejects foreign names such as "Søren" or "Noël".
    """
    if not s or s.isascii() or _HAS_VIET_SPECIFIC.search(s):
        return False
    if _NOT_TCVN3_LETTER.search(s):
        return False
    if not _MARKER_IN_WORD.search(s):
        return False
    return _plausible_vietnamese(tcvn3_to_unicode(s))


def repair_text(s: str | None) -> str:
    """Return ``s`` decoded, de-mojibaked, converted from TCVN3 when detected, and cleaned (NFC, spaces).

    The order matters: entities first (a "&#7913;" hides the letter the detectors need to see), then
    mojibake, then TCVN3 (its soft-hyphen "ư" would be deleted by cleaning), then :func:`clean_text`.
    """
    if not s:
        return ""
    if "&" in s:
        s = html.unescape(s)
    s = fix_mojibake(s)
    if looks_like_tcvn3(s):
        s = tcvn3_to_unicode(s)
    return clean_text(s)
