"""Báo Phú Thọ (baophutho.vn), the 2025 template of the merged Phú Thọ / Vĩnh Phúc / Hòa Bình outlet."""

from newsbot.sites.base import Section, SiteProfile
from newsbot.sites.f3 import F3Article, F3Listing


class BaoPhuTho(SiteProfile):
    key = "baophutho.vn"
    name = "Báo Phú Thọ"
    spider_name = "baophutho"
    domains = ("baophutho.vn",)
    family = "F3"
    sections = (
        Section("Kinh tế", "https://baophutho.vn/kinh-te"),
        Section("Xã hội", "https://baophutho.vn/xa-hoi"),
    )
    # One path segment ending "-{id}.htm": print views (/print/{hex}/{id}.htm) and AMP (/amp/...) do not match.
    article_url_regex = r"^https://baophutho\.vn/[a-z0-9-]+-\d+\.htm$"
    listing = F3Listing
    layouts = (F3Article,)
