"""Family F2: the "content-fck / newscontents" CMS (baocantho, baoangiang, baotayninh, baothuathienhue, ...).

Markers: ``/{slug}-a{id}.html`` articles, ``#newscontents div.content-fck`` body, ``span.pubdate``,
``?p=N`` paging, a bold "(CTO) -" style prefix opening the lead paragraph.
"""

from __future__ import annotations

from newsbot.extract.article import ArticleRules
from newsbot.extract.listing import ListingRules


class F2Article(ArticleRules):
    family = "F2"
    layout = "f2-2026"
    title = "h1.fw700"
    section = "div.titlecate > h1 > a"
    published = "span.pubdate"
    body = "#newscontents > div.content-fck"
    lead_in_body = "prefix_or_bold"
    lead_prefix = r"^\((?:[A-ZĐ]{1,5})\)\s*[-–]"  # "(CTO) -", "(CT) -"; each site may narrow it
    drop = ("div.tinlienquan", "#linkshare", "#comment", "#fcbcomment", ".detail-related")
    skip = ("div[class^='AMN_res']", "div[class*=' AMN_res']")
    caption_after_image_style = True
    tags = "div.block_tag a.tag_item"


class F2Listing(ListingRules):
    section_name = "div.titlecate > h1 > a"
    links = (
        "#topcate h2.h2cate > a::attr(href)",
        "div.boxtopcate div.top3 a.b-content::attr(href)",
        "div.boxtinmoi li.news-img a.b-title::attr(href)",
    )
    next_page = "//div[@id='page']//li/a[normalize-space(.)='>']/@href"
