"""Báo Vĩnh Phúc (baovinhphuc.com.vn), archive era 2019-2021; Vĩnh Phúc merged into Phú Thọ in July 2025."""

from newsbot.sites.base import Section, SiteProfile
from newsbot.sites.f6 import F6Article, F6Listing


class BaoVinhPhuc(SiteProfile):
    key = "baovinhphuc.com.vn"
    name = "Báo Vĩnh Phúc"
    spider_name = "baovinhphuc"
    domains = ("baovinhphuc.com.vn",)
    family = "F6"
    sections = (
        Section("Thời Sự", "http://baovinhphuc.com.vn/thoi-su"),
        Section("Kinh Tế", "http://baovinhphuc.com.vn/kinh-te"),
    )
    article_url_regex = r"^https?://baovinhphuc\.com\.vn/[a-z0-9-]+/\d+/[a-z0-9-]+\.html$"
    listing = F6Listing
    layouts = (F6Article,)
