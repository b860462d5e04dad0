"""Vietnamese newsroom conventions: caption credits, signature lines, "Theo X" source lines.

These rules are the same on every provincial site (they are newsroom habits, not CMS markup), so they live
apart from the template families and are shared by the profiles and the generic extractor.
"""

from __future__ import annotations

import re

from newsbot.text import clean_text

# "... năm 2021. Ảnh: Kim Ly", "... Hà Nội. (Ảnh: Huy Hùng/TTXVN)", "(Ảnh minh họa: X)", "Ảnh: CTV"
_CREDIT = re.compile(
    r"""(?:^|(?<=[\s.,;:!?…"”)\]]))           # start, or after a sentence end / space
        [\(\[]?\s*
        (?:Ảnh|Ảnh|Anh|Nguồn\s+ảnh|Ảnh\s+minh\s+h[ọo]ạ?|Ảnh\s+minh\s+họa|Photo)\s*[:：]\s*
        (?P<credit>[^()\[\]]{1,80}?)
        \s*[\)\]]?\s*\.?\s*$""",
    re.X | re.I,
)
_ILLUSTRATION = re.compile(r"^\(?\s*Ảnh\s+minh\s+(?:họa|hoạ|hoa)\s*\)?\.?$", re.I)

ROLE_PREFIX = re.compile(
    r"^(?:(?:Bài|Tin|Ảnh|Clip|Video|Đồ\s+họa|Thực\s+hiện|Nhóm\s+PV|Nhóm\s+phóng\s+viên|Tác\s+giả|"
    r"Bài\s+và\s+ảnh|Tin\s+và\s+ảnh|Ghi\s+chép|Phóng\s+sự)"
    r"(?:\s*(?:,|và|\+|&)\s*(?:ảnh|clip|video|đồ\s+họa))*\s*[:：]\s*)",
    re.I,
)
_AUTHOR_SPLIT = re.compile(r"\s+[-–—]\s+|\s*;\s*")
_SOURCE = re.compile(r"^\(?\s*(?:Theo|Nguồn)\s*[:：]?\s+(?P<src>[^,;]{2,80}?)\s*\)?\s*\.?$", re.I)
_SENTENCE_END = re.compile(r"[.!?…:;]$")
_LABELLED_SOURCE = re.compile(r"^\(?\s*Nguồn\s*[:：]", re.I)  # "Nguồn: X": an explicit label, never prose


def split_caption(text: str | None) -> tuple[str | None, str | None]:
    """Split a caption into (text, credit).

    The credit is the name after a trailing "Ảnh:" (optionally in parentheses). A caption that is only
    "Ảnh minh họa" is caption text with no credit; a caption that is only a credit keeps no text.
    """
    text = clean_text(text)
    if not text:
        return None, None
    if _ILLUSTRATION.match(text):
        return text, None
    m = _CREDIT.search(text)
    if not m:
        return text, None
    credit = clean_text(m.group("credit")).rstrip(".").strip() or None
    head = clean_text(text[: m.start()])
    head = re.sub(r"[\(\[]\s*$", "", head).strip() or None
    return head, credit


def split_authors(line: str | None) -> list[str]:
    """Names credited on a signature line, role words dropped ("Bài, ảnh: A - B" -> ["A", "B"])."""
    line = clean_text(line)
    if not line:
        return []
    line = ROLE_PREFIX.sub("", line).strip()
    line = line.strip(" .;,")
    parts = [clean_text(p).strip(" .;,") for p in _AUTHOR_SPLIT.split(line)]
    return [p for p in parts if p]


def parse_source_line(line: str | None) -> str | None:
    """The origin named by a standalone "Theo X" / "Nguồn: X" line, else None.

    A sentence such as "Theo Sở Y tế, đến nay ..." is body: a comma, a sentence end or more than eight words
    after "Theo" means it is prose, not a credit line. "Nguồn:" with its colon is a label nobody writes in prose,
    so it may name a longer origin ("Nguồn: Trang thông tin điện tử thành phố Phúc Yên").
    """
    line = clean_text(line)
    if not line:
        return None
    m = _SOURCE.match(line)
    if not m:
        return None
    src = m.group("src").strip()
    max_words = 12 if _LABELLED_SOURCE.match(line) else 8
    if len(src.split()) > max_words or _SENTENCE_END.search(src):
        return None
    return src


def looks_like_signature(text: str, *, bold: bool, align: str | None, italic: bool = False) -> bool:
    """Whether a last body line is a byline.

    Provincial papers close an article with the reporter's name: right-aligned (bold or not), bold and short, or a
    plain short line (at most six words, no final full stop). Anything longer, or ending like a sentence, is body.
    """
    text = clean_text(text)
    if not text or len(text) > 80:
        return False
    stripped = ROLE_PREFIX.sub("", text)
    has_role = stripped != text
    words = stripped.split()
    if not words or len(words) > 12:
        return False
    if _SENTENCE_END.search(text) and not text.endswith("."):
        return False
    if text.endswith(".") and not re.search(r"\b[A-ZĐ]\.$", text):  # "N.T.H." initials may end with a dot
        return False
    if "," in stripped:
        return False
    if has_role:
        return True
    if align == "right":
        return len(words) <= 10
    if bold or italic:
        return len(words) <= 6 and _is_name_like(stripped)
    return len(words) <= 6 and _is_name_like(stripped)


def _is_name_like(text: str) -> bool:
    """Names are capitalised words (or initials) possibly joined by " - "."""
    for part in _AUTHOR_SPLIT.split(text):
        for word in part.split():
            head = word.lstrip("(\"“")[:1]
            if not head or not (head.isupper() or head.isdigit()):
                return False
    return True
