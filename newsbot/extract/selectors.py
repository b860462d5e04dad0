"""Selector helpers: one declarative string can be CSS or XPath.

Profiles are read at a glance when each field is one selector string. XPath is needed now and then (the last
breadcrumb link, text following a label), so a string that starts with "/" or "(" is taken as XPath.
"""

from __future__ import annotations

from collections.abc import Sequence

from parsel import Selector, SelectorList

Sel = str | Sequence[str] | None


def as_list(spec: Sel) -> list[str]:
    if not spec:
        return []
    if isinstance(spec, str):
        return [spec]
    return list(spec)


def select(sel: Selector, spec: str) -> SelectorList:
    """Run one selector string, CSS or XPath."""
    if spec.startswith(("/", "(", "./")):
        return sel.xpath(spec)
    return sel.css(spec)


def first_match(sel: Selector, spec: Sel) -> SelectorList:
    """Results of the first selector (in order) that finds something: later ones are fallbacks."""
    for one in as_list(spec):
        found = select(sel, one)
        if found:
            return found
    return SelectorList([])
