"""Cổng thông tin điện tử tỉnh Hòa Bình (hoabinh.gov.vn), Liferay 7.2 snapshot of October 2024.

Hòa Bình merged into Phú Thọ on 1 July 2025; the selectors follow the portal's JSP sources and need a live check.
"""

from newsbot.sites.base import Section, SiteProfile
from newsbot.sites.g2 import G2Article, G2Listing


class HoaBinhGov(SiteProfile):
    key = "hoabinh.gov.vn"
    name = "Cổng thông tin điện tử tỉnh Hòa Bình"
    spider_name = "hoabinh_gov"
    domains = ("hoabinh.gov.vn",)
    family = "G2"
    sections = (
        Section("Văn hóa - Xã hội", "https://hoabinh.gov.vn/van-hoa"),
        Section("Kinh tế", "https://hoabinh.gov.vn/kinh-te"),
    )
    article_url_regex = r"^https://hoabinh\.gov\.vn/[a-z0-9-]+/-/view-content/\d+-[a-z0-9-]+$"
    listing = G2Listing
    layouts = (G2Article,)
