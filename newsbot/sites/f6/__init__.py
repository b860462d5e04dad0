"""Family F6: the DotNetNuke "VPNews" skin of the 2019-2021 Báo Vĩnh Phúc archive.

Markers: ``div.content-about-baiviet`` body, ``div.articleimg`` + ``div.articleimg_caption`` images,
``h1.titleDetail``, ``/{section}/currentpage/{N}`` paging.
"""

from __future__ import annotations

from newsbot.extract.article import ArticleRules
from newsbot.extract.listing import ListingRules


class F6Article(ArticleRules):
    family = "F6"
    layout = "f6-v1"
    title = "h1.titleDetail"
    section = "div.main-detail div.cateDetail > a"
    published = "div.main-detail div.titleDdtail"
    body = "div.content-about-baiviet"
    lead_in_body = "bold_first"
    drop = ("div.toolDetail", "table.tbl-tinlienquan", "div.tinmoi", "div.binhluan")
    figure = "div.articleimg"
    figure_caption = "div.articleimg_caption"
    tags = "div.tagDetail a"


class F6Listing(ListingRules):
    section_name = "div.cateDetail > a"
    links = "div.listNews div.itemNews h3.titleNews > a::attr(href)"
    next_page = "div.paging a.pageNext::attr(href)"
    item = "div.listNews div.itemNews"
    item_link = "h3.titleNews > a::attr(href)"
    item_date = "div.gray"
