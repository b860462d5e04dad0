"""Cổng thông tin điện tử tỉnh Vĩnh Phúc (vinhphuc.gov.vn), SharePoint 2013 portal, snapshot of June 2025.

Vĩnh Phúc merged into Phú Thọ on 1 July 2025. The list paths and the listing API are known from third-party
crawlers; the page markup is not, so the selectors in the G1 family need a live check.
"""

from newsbot.sites.base import Section
from newsbot.sites.g1 import G1Article, G1Listing, G1Site


class VinhPhucGov(G1Site):
    key = "vinhphuc.gov.vn"
    name = "Cổng thông tin điện tử tỉnh Vĩnh Phúc"
    spider_name = "vinhphuc_gov"
    domains = ("vinhphuc.gov.vn",)
    family = "G1"
    sections = (
        Section("Thời sự chính trị", "https://vinhphuc.gov.vn/ct/cms/tintuc/Lists/ThoiSuChinhTri/AllItems.aspx"),
        Section("Kinh tế", "https://vinhphuc.gov.vn/ct/cms/tintuc/Lists/KinhTe/AllItems.aspx"),
    )
    # Item ids are per list, so the list path is part of an article's identity.
    article_url_regex = r"^https://vinhphuc\.gov\.vn/ct/cms/[A-Za-z]+/Lists/[A-Za-z]+/View_Detail\.aspx\?ItemID=\d+$"
    listing = G1Listing
    layouts = (G1Article,)
    # The portal's IIS 8.5 only negotiates legacy ciphers (third-party crawlers needed SECLEVEL=1); live only.
    custom_settings = {"DOWNLOADER_CLIENT_TLS_CIPHERS": "DEFAULT:@SECLEVEL=1"}
