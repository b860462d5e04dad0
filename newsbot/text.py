"""Text normalisation shared by every extractor, the date parser and the dedup keys.

Pages come with NBSP between words, zero-width spaces pasted from Word, decomposed (NFD) Vietnamese and stray
entities. Every text field leaves newsbot in one canonical form (NFC, single spaces, no invisible characters)
so that equal text compares equal across sites and runs.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Invisible characters that carry no text: zero-width space/joiners, word joiner, BOM, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\ufffe\uffff"), None)
# C0 control characters (Word pastes, broken encoders) separate words at most: they become spaces. C1 controls are
# left alone: they are the evidence newsbot.encoding needs to undo UTF-8 read as latin-1.
_INVISIBLE.update(dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F], " "))
# Most text has none of them: one regex scan is much cheaper than a per-character dict translate. (All of them are
# non-printable, so printable text needs neither.)
_HAS_INVISIBLE = re.compile("[" + "".join(re.escape(chr(c)) for c in _INVISIBLE) + "]")
_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is str.isalnum() plus "_": what is left is punctuation, symbols, spaces


def clean_text(value: str | None, *, unescape: bool = False) -> str:
    """Return ``value`` as NFC with invisible characters removed and whitespace collapsed.

    ``unescape`` decodes entities left in text (double-encoded CMS output). It is off by default because parsel
    already decoded the markup once, and a second pass would turn a literal "&lt;script&gt;" into markup.
    """
    if not value:
        return ""
    if unescape and "&" in value:
        value = html.unescape(value)
    # Printable text (the common case) holds no control, invisible or whitespace character other than " ".
    printable = value.isprintable()
    if not printable and _HAS_INVISIBLE.search(value):
        value = value.translate(_INVISIBLE)
    value = unicodedata.normalize("NFC", value)
    if printable and "  " not in value and value[0] != " " and value[-1] != " ":
        return value  # already collapsed
    return " ".join(value.split())  # str.split() covers NBSP, thin spaces, ideographic space, etc.


def fold_for_key(value: str) -> str:
    """Fold text for dedup keys: NFC, lower case, punctuation dropped, spaces collapsed.

    Tone marks are kept: they change meaning in Vietnamese, so "ma" and "má" must not share a key.
    """
    return _NOT_ALNUM.sub(" ", clean_text(value).casefold()).strip(" ")
