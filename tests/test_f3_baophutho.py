"""F3 (baophutho.vn) rules the fixture pages do not all exercise: the lead photo block and the encrypted body."""

from __future__ import annotations

from newsbot.extract.article import Page
from newsbot.sites import get_profile

URL = "https://baophutho.vn/vi-du-bai-viet-242999.htm"

BLOB = "T2VHN3NUUGh1NUV1NGJxencuTGh1NUV5TGpJM05lRzdrUzdodTYzaHVyc3VlT0c2dU9HN2tTN2h1cW5odTVBdktDZ3U0" * 8

PAGE = f"""<html><body>
<ul class="breadcrumb"><li><a href="/">Trang chủ</a></li><li><a href="/xa-hoi">Xã hội</a></li></ul>
<article class="detail">
<h1 class="pTitle">Tiêu đề</h1>
<div class="pInfo"><span class="pdate">04/11/2025 15:20 GMT+7</span><span class="pview">12 lượt xem</span></div>
<p class="pHead">PTO- Đoạn mở đầu.</p>
<div class="pAvatar"><img src="https://media.baophutho.vn/dataimages/2025/11/04/anh-dai-dien.jpg" alt="">
<p class="pCaption"><em>Ảnh đại diện. Ảnh: Thu Hà</em></p></div>
<div id="dcontent" class="dcontent">
<div class="print-template" style="display:none"><div>{{title}}</div><div>{{publish}}</div><div>{{head}}</div></div>
<p style="text-align: justify;">Đoạn một.</p>
<div class="pImage"><img src="/dataimages/2025/11/04/anh-than-bai.jpg" alt=""></div>
<p class="pCaption"><em>Ảnh trong bài</em></p>
<div class="drelated"><div class="drelated-title">Tin liên quan</div>
<ul><li><a href="/a-1.htm">Bài khác</a></li></ul></div>
<p style="text-align: center;">Đoạn hai căn giữa.</p>
<div class="dcontent-enc" id="dcontent_enc_242999">{BLOB}</div>
<p style="text-align: right;"><strong>Tin, ảnh: Minh Hương - Đức Thắng</strong></p>
</div>
<div class="ptags"><span class="lbl">Từ khóa:</span>
<a href="/tag/a.htm">thẻ một</a> <a href="/tag/b.htm">thẻ hai</a></div>
</article></body></html>"""


def test_lead_photo_caption_comes_first_and_encrypted_block_is_dropped() -> None:
    fields = get_profile("baophutho").extract_article(Page(url=URL, text=PAGE)).fields
    assert fields["section"] == "Xã hội"
    assert fields["lead"] == "PTO- Đoạn mở đầu."
    assert fields["body_paragraphs"] == ["Đoạn một.", "Đoạn hai căn giữa."]
    assert fields["captions"] == [
        {"text": "Ảnh đại diện.", "credit": "Thu Hà",
         "image_url": "https://media.baophutho.vn/dataimages/2025/11/04/anh-dai-dien.jpg"},
        {"text": "Ảnh trong bài", "credit": None, "image_url": "https://baophutho.vn/dataimages/2025/11/04/anh-than-bai.jpg"},
    ]
    assert fields["authors"] == ["Minh Hương", "Đức Thắng"]
    assert fields["tags"] == ["thẻ một", "thẻ hai"]
    assert fields["published_at_raw"] == "04/11/2025 15:20 GMT+7"


def test_without_phead_a_bold_first_paragraph_stays_body() -> None:
    page = PAGE.replace('<p class="pHead">PTO- Đoạn mở đầu.</p>', "").replace(
        "<p style=\"text-align: justify;\">Đoạn một.</p>", "<p><strong>Tiêu đề phụ</strong></p><p>Đoạn một.</p>")
    fields = get_profile("baophutho").extract_article(Page(url=URL, text=page)).fields
    assert fields["lead"] is None
    assert fields["body_paragraphs"][:2] == ["Tiêu đề phụ", "Đoạn một."]


def test_print_and_amp_urls_are_not_articles() -> None:
    profile = get_profile("baophutho.vn")
    assert profile.is_article_url(URL)
    assert not profile.is_article_url("https://baophutho.vn/print/30fb87e943cd30124e7a11553a7da/242198.htm")
    assert not profile.is_article_url("https://baophutho.vn/amp/vi-du-bai-viet-242999.htm")
