"""Selector helpers: one declarative string can be CSS or XPath.

Profiles are read at a glance when each field is one selector string. XPath is needed now and then (the last
breadcrumb link, text following a label), so a string that starts with "/" or "(" is taken as XPath.
"""

from __future__ import annotations

from collections.abc import Sequence

from cssselect.parser import Class, CombinedSelector, Element, Hash
from cssselect.parser import Selector as ParsedSelector
from cssselect.xpath import is_safe_name
from lxml.cssselect import LxmlTranslator
from parsel import Selector, SelectorList
from parsel.csstranslator import HTMLTranslator

Sel = str | Sequence[str] | None


def as_list(spec: Sel) -> list[str]:
    if not spec:
        return []
    if isinstance(spec, str):
        return [spec]
    return list(spec)


class AnchoredTranslatorMixin:
    """CSS to XPath that reaches the first compound of a selector through its id or class attribute.

    cssselect turns ``#main p`` into ``descendant-or-self::*[@id = 'main']/descendant::p``: libxml2 evaluates that
    predicate on every element of the page, which costs about as much as a walk over the tree in Python. Walking the
    attribute nodes instead, and testing only those (``descendant-or-self::*/@id[. = 'main']/parent::*[@id =
    'main']/descendant::p``), is several times cheaper, and it selects the same nodes in the same order: the anchor
    only narrows the candidates, the original step still tests each of them. Selectors whose translation depends on
    a node's position in its axis (``:scope``, ``+``) are left alone.
    """

    def selector_to_xpath(self, selector: ParsedSelector, prefix: str = "descendant-or-self::",
                          translate_pseudo_elements: bool = False) -> str:
        xpath = super().selector_to_xpath(selector, prefix, translate_pseudo_elements)  # type: ignore[misc]
        if prefix != "descendant-or-self::" or "position()" in xpath or "last()" in xpath:
            return xpath
        anchor = self._anchor(selector.parsed_tree)
        return anchor + xpath[len(prefix):] if anchor else xpath

    def _anchor(self, tree: object) -> str | None:
        """A path to the parents of the id (else class) attribute that the selector's first compound requires."""
        while isinstance(tree, CombinedSelector):  # down to the leftmost compound selector
            tree = tree.selector
        ids, classes = [], []
        while not isinstance(tree, Element):  # e.g. Class(Hash(Element)): every link of the chain is required
            if isinstance(tree, Hash):
                ids.append(tree.id)
            elif isinstance(tree, Class) and tree.class_name and not any(c.isspace() for c in tree.class_name):
                classes.append(tree.class_name)
            tree = tree.selector  # type: ignore[attr-defined]
        element = tree.element or "*"
        if tree.namespace or not is_safe_name(element):
            element = "*"
        elif self.lower_case_element_names:  # type: ignore[attr-defined]
            element = element.lower()
        literal = self.xpath_literal  # type: ignore[attr-defined]
        if ids:
            return f"descendant-or-self::{element}/@id[. = {literal(ids[-1])}]/parent::"
        if classes:
            return f"descendant-or-self::{element}/@class[contains(., {literal(classes[-1])})]/parent::"
        return None


class FastHTMLTranslator(AnchoredTranslatorMixin, HTMLTranslator):
    """parsel's translator (``::text``, ``::attr()``), anchored: what ``Selector.css`` would run, only faster."""


class FastLxmlTranslator(AnchoredTranslatorMixin, LxmlTranslator):
    """lxml's ``CSSSelector`` default translator, anchored."""


_HTML_TRANSLATOR = FastHTMLTranslator()


def select(sel: Selector, spec: str) -> SelectorList:
    """Run one selector string, CSS or XPath."""
    if spec.startswith(("/", "(", "./")):
        return sel.xpath(spec)
    return sel.xpath(_HTML_TRANSLATOR.css_to_xpath(spec))


def first_match(sel: Selector, spec: Sel) -> SelectorList:
    """Results of the first selector (in order) that finds something: later ones are fallbacks."""
    for one in as_list(spec):
        found = select(sel, one)
        if found:
            return found
    return SelectorList([])
