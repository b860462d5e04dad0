"""Báo Ninh Thuận (baoninhthuan.com.vn), December 2019 template with its archive back to 2012."""

from newsbot.sites.base import Section, SiteProfile
from newsbot.sites.f5 import F5ArchiveArticle, F5Article, F5Listing


class BaoNinhThuan(SiteProfile):
    key = "baoninhthuan.com.vn"
    name = "Báo Ninh Thuận"
    spider_name = "baoninhthuan"
    domains = ("baoninhthuan.com.vn",)
    family = "F5"
    sections = (
        Section("Xây dựng nông thôn mới", "https://www.baoninhthuan.com.vn/news/p24c161/xay-dung-nong-thon-moi.htm"),
        Section("Giảm nghèo bền vững", "https://www.baoninhthuan.com.vn/news/p24c163/giam-ngheo-ben-vung.htm"),
    )
    article_url_regex = r"^https?://(www\.)?baoninhthuan\.com\.vn/(news|diendan)/\d+p\d+c\d+/[^/?#]+\.htm$"
    listing = F5Listing
    # Newest first; a page whose date line is missing falls back to the current layout.
    layouts = (F5Article, F5ArchiveArticle)
