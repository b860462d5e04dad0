"""Family F1 (baobariavungtau.com.vn): template quirks the fixture pages do not all exercise, and the crawl path.

The snippets follow the site brief (fixtures/baobariavungtau.com.vn/README.md): a lead split over two ``<strong>``
runs, the lead photo's table before the bold text in the same first block, pull quotes and related boxes inside
``#content``, ``<br>`` pairs, a "Theo TTXVN" closing line.
"""

from __future__ import annotations

from newsbot.extract.article import Page
from newsbot.sites import get_profile

SITE = "baobariavungtau.com.vn"
URL = "https://baobariavungtau.com.vn/xa-hoi/202112/thu-nghiem-940000/"


def _page(content: str) -> Page:
    return Page(url=URL, text=f"""<html><body>
<div class="breadcrumb"><a href="/">Trang chủ</a> <span class="sep">›</span> <a href="/xa-hoi/">Xã hội</a></div>
<div class="detail"><h1 class="title">Tiêu đề</h1>
<div class="info-detail"><div class="date">Thứ Bảy, 18/12/2021, 21:07 [GMT+7]</div>
<div class="print"><a href="javascript:void(0);">In bài này</a></div><div class="clear">.</div></div>
<div id="content" class="content-detail">{content}</div><div class="tag-detail"><span class="tag-title">Từ khóa:</span>
<a href="/tag/a/">a</a>, <a href="/tag/b/">b</a></div></div></body></html>""")


def test_split_lead_after_photo_table_and_body_furniture() -> None:
    got = get_profile("baobariavungtau").extract_article(_page(
        '<div style="text-align: justify;"><table class="image center"><tbody>'
        '<tr><td><img alt="Chú thích. Ảnh: QUANG VINH" title="Chú thích. Ảnh: QUANG VINH"'
        ' src="/dataimages/1.jpg"></td></tr>'
        '<tr><td class="image_desc">Chú thích. Ảnh: QUANG VINH</td></tr></tbody></table>'
        "<strong>Sa pô phần một,</strong> <strong>phần hai.</strong></div>"
        "<p>Đoạn một.</p>"
        '<table class="quote rightside"><tbody><tr><td><p>“Trích dẫn.”</p></td></tr></tbody></table>'
        '<div style="text-align: center;"><table class="rl center"><tbody><tr><td><p><strong>Tin liên quan</strong></p>'
        '<ul><li><a href="/xa-hoi/202111/x-937104/">Tin cũ</a> (12/11/2021)</li></ul></td></tr></tbody></table></div>'
        '<div class="adv-inread"><script>brvtAds.push({});</script></div>'
        "<p>Đoạn hai.<br /><br />Đoạn ba.</p>"
        '<p style="text-align: right;"><strong><em>Theo TTXVN</em></strong></p>'
    )).fields
    assert got["lead"] == "Sa pô phần một, phần hai."
    assert got["body_paragraphs"] == ["Đoạn một.", "Đoạn hai.", "Đoạn ba."]
    assert got["captions"] == [{"text": "Chú thích.", "credit": "QUANG VINH",
                                "image_url": "https://baobariavungtau.com.vn/dataimages/1.jpg"}]
    assert (got["authors"], got["source"]) == ([], "TTXVN")
    assert got["published_at_raw"] == "Thứ Bảy, 18/12/2021, 21:07 [GMT+7]"
    assert got["section"] == "Xã hội" and got["tags"] == ["a", "b"]


def test_plain_first_paragraph_is_body() -> None:
    got = get_profile("baobariavungtau").extract_article(_page(
        '<p style="text-align: justify;">Đoạn một.</p><p style="text-align: justify;">Đoạn hai.</p>'
        '<p style="text-align: right;"><strong>Bài, ảnh: A - B</strong></p>'
    )).fields
    assert got["lead"] is None
    assert got["body_paragraphs"] == ["Đoạn một.", "Đoạn hai."]
    assert got["authors"] == ["A", "B"]
