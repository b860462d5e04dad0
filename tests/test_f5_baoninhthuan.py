"""Family F5 (baoninhthuan.com.vn): template quirks beyond the fixture pages, layout choice and the crawl path.

The snippets follow the site brief (fixtures/baoninhthuan.com.vn/README.md): the lead photo inside ``.sapo`` after
the text, Word-pasted paragraphs, the pre-2015 archive (date without time, ``<br>`` pairs, entities, the closing
credit as the last ``<br>`` line, an empty ``.sapo``).
"""

from __future__ import annotations

import json

from conftest import FIXTURES

from newsbot.extract.article import Page
from newsbot.pages import page_from_bytes
from newsbot.sites import get_profile

SITE = "baoninhthuan.com.vn"
URL = "https://www.baoninhthuan.com.vn/news/1p24c161/thu-nghiem.htm"


def _page(date: str, sapo: str, content: str) -> Page:
    return Page(url=URL, text=f"""<html><body><form method="post" id="form1">
<div class="cate-bar"><h2><a href="/news/p24c161/xay-dung-nong-thon-moi.htm">Xây dựng nông thôn mới</a></h2></div>
<div id="details"><h1 class="title">Tiêu đề</h1><label>{date}</label>
<div class="tools">Cỡ chữ: <a>A-</a> <a>A+</a> <span class="view">Lượt xem: 1.254</span></div>
<div class="sapo">{sapo}</div><div class="content" id="divContent">{content}</div><div class="clear"></div>
<div class="tool-bottom"><a>Bản in</a> | <a>Gửi email</a></div>
<div class="keyword"><b>Từ khóa:</b> <a href="/tag/a.htm">a</a></div></div></form></body></html>""")


def test_sapo_photo_after_text_and_word_paste() -> None:
    result = get_profile("baoninhthuan").extract_article(_page(
        "Thứ Ba, 03/12/2019 | 15:42",
        '(NTO) Sa pô.<p style="text-align: center;">'
        '<img src="https://images1.baoninhthuan.com.vn/CMSImage/a.jpg" /></p>'
        '<div style="text-align: center;"><em>Chú thích. (Ảnh: Nguyễn Chinh/TTXVN)</em></div>',
        '<p class="MsoNormal"><span>Đoạn một.<o:p></o:p></span></p><p>Đoạn hai.</p>'
        '<p style="text-align: right;"><strong>Thanh Hải – Phương Nam</strong></p>',
    ))
    got = result.fields
    assert result.layout == "f5-2015"
    assert got["lead"] == "(NTO) Sa pô."
    assert got["body_paragraphs"] == ["Đoạn một.", "Đoạn hai."]
    assert got["captions"] == [{"text": "Chú thích.", "credit": "Nguyễn Chinh/TTXVN",
                                "image_url": "https://images1.baoninhthuan.com.vn/CMSImage/a.jpg"}]
    assert got["authors"] == ["Thanh Hải", "Phương Nam"] and got["tags"] == ["a"]


def test_archive_empty_sapo_and_source_as_last_br_line() -> None:
    result = get_profile("baoninhthuan").extract_article(_page(
        "Thứ Năm, 12/06/2014",
        "",
        "<p>(NTO) Đoạn một.<br />\n<br />Theo &ocirc;ng A, đoạn hai.<br />\n<br /><em>Theo TTXVN</em></p>"
        '<p align="center"><img src="http://images1.baoninhthuan.com.vn/CMSImage/b.jpg" /></p>'
        '<div align="center"><i>Ảnh minh hoạ</i></div>',
    ))
    got = result.fields
    assert result.layout == "f5-archive"
    assert got["lead"] is None
    assert got["body_paragraphs"] == ["(NTO) Đoạn một.", "Theo ông A, đoạn hai."]
    assert (got["authors"], got["source"]) == ([], "TTXVN")
    assert got["captions"] == [{"text": "Ảnh minh hoạ", "credit": None,
                                "image_url": "http://images1.baoninhthuan.com.vn/CMSImage/b.jpg"}]


def test_fixture_layouts_follow_the_date_line() -> None:
    profile = get_profile("baoninhthuan")
    for entry in json.loads((FIXTURES / SITE / "manifest.json").read_text("utf-8")):
        if entry["kind"] != "article":
            continue
        page = page_from_bytes(entry["url"], (FIXTURES / SITE / "pages" / entry["file"]).read_bytes(), entry["headers"])
        archive = "|" not in page.selector.css("#details > label::text").get("")
        assert profile.choose_layout(page).layout == ("f5-archive" if archive else "f5-2015"), entry["file"]
