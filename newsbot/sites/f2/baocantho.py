"""Báo Cần Thơ (baocantho.com.vn), January 2026 template."""

from newsbot.sites.base import Section, SiteProfile
from newsbot.sites.f2 import F2Article, F2Listing


class BaoCanThoArticle(F2Article):
    lead_prefix = r"^\((?:CTO|CT)\)\s*[-–]"


class BaoCanTho(SiteProfile):
    key = "baocantho.com.vn"
    name = "Báo Cần Thơ"
    spider_name = "baocantho"
    domains = ("baocantho.com.vn",)
    family = "F2"
    sections = (
        Section("THỜI SỰ", "https://baocantho.com.vn/thoi-su/"),
        Section("KINH TẾ", "https://baocantho.com.vn/kinh-te/"),
    )
    article_url_regex = r"^https://baocantho\.com\.vn/[a-z0-9-]+-a\d+\.html$"
    listing = F2Listing
    layouts = (BaoCanThoArticle,)
