"""Báo Bà Rịa - Vũng Tàu (baobariavungtau.com.vn), December 2021 template (before the 2025 province merger)."""

from newsbot.sites.base import Section, SiteProfile
from newsbot.sites.f1 import F1Article, F1Listing


class BaoBaRiaVungTau(SiteProfile):
    key = "baobariavungtau.com.vn"
    name = "Báo Bà Rịa - Vũng Tàu"
    spider_name = "baobariavungtau"
    domains = ("baobariavungtau.com.vn",)
    family = "F1"
    sections = (
        Section("Xã hội", "https://baobariavungtau.com.vn/xa-hoi/"),
        Section("Chuyển đổi số", "https://baobariavungtau.com.vn/chuyen-doi-so/"),
    )
    article_url_regex = r"^https?://(www\.)?baobariavungtau\.com\.vn/[a-z0-9-]+/\d{6}/[a-z0-9-]+-\d{6,7}/?$"
    listing = F1Listing
    layouts = (F1Article,)
