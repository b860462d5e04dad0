"""Family F1: the "YYYYMM/dataimages" CMS (baobariavungtau, baoquangbinh, baoquangngai, baodaklak, ...).

Markers: ``/{sec}/{YYYYMM}/{slug}-{id}/`` articles, ``div#content`` body, ``table.image`` photos with
``td.image_desc`` captions, ``table.rl`` related boxes and ``table.quote`` pull quotes inside the body,
``div.info-detail > div.date`` date line, ``div.paging a.next`` pager.
"""

from __future__ import annotations

from newsbot.extract.article import ArticleRules
from newsbot.extract.listing import ListingRules


class F1Article(ArticleRules):
    family = "F1"
    layout = "f1-v1"
    title = "div.detail > h1.title"
    section = "div.breadcrumb > a:last-of-type"
    published = "div.detail div.info-detail > div.date"
    body = "div#content"
    # The lead is the bold text of the body's first node; it may share that node with the lead photo's table,
    # which the flattener emits as its own figure block, so the bold line stays the first text block.
    lead_in_body = "bold_first"
    # Related-links boxes and pull quotes (which repeat a body sentence) sit inside #content; ad slots too.
    drop = ("div#content table.rl", "div#content table.quote", "div#content div.adv-inread")
    # The caption is read from td.image_desc only: the img alt/title repeat it verbatim and must not double it.
    figure = "table.image"
    figure_caption = "td.image_desc"
    tags = "div.tag-detail a"


class F1Listing(ListingRules):
    section_name = "div.title-cate h1"
    # The thumbnail and the title link to the same article; the title link alone keeps the order clean.
    links = "div.box-list-news div.list-news-item .title a::attr(href)"
    next_page = "div.paging a.next::attr(href)"
    item = "div.box-list-news div.list-news-item"
    item_link = ".title a::attr(href)"
    item_date = "div.date"
