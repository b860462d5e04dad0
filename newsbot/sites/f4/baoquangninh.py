"""Báo Quảng Ninh (baoquangninh.vn), the template in use since 2022 (the old baoquangninh.com.vn was family F1)."""

from newsbot.sites.base import Section, SiteProfile
from newsbot.sites.f4 import F4Article, F4Listing


class BaoQuangNinh(SiteProfile):
    key = "baoquangninh.vn"
    name = "Báo Quảng Ninh"
    spider_name = "baoquangninh"
    domains = ("baoquangninh.vn",)
    family = "F4"
    sections = (
        Section("Xã hội", "https://baoquangninh.vn/xa-hoi"),
        Section("Du lịch", "https://baoquangninh.vn/du-lich"),
    )
    article_url_regex = r"^https://baoquangninh\.vn/[a-z0-9-]+-\d{7}\.html$"
    listing = F4Listing
    layouts = (F4Article,)
