"""F4 (baoquangninh.vn) rules beyond the fixture pages: byline homes, the inline related box, the update time."""

from __future__ import annotations

from newsbot.extract.article import Page
from newsbot.sites import get_profile

URL = "https://baoquangninh.vn/vi-du-bai-viet-3372999.html"


def _page(body: str, pseudonym: str = "") -> str:
    return f"""<html><body>
<div class="breadcrumbs"><ol class="breadcrumb"><li><a href="/">Trang chủ</a></li>
<li><a href="/du-lich">Du lịch</a></li></ol></div>
<h1 class="name font1">Tiêu đề</h1>
<div class="box-date"><div class="date font5"><span class="post-date">Chủ Nhật, 02/11/2025 | 08:10</span>
<span class="post-update">Cập nhật: 11:25, 02/11/2025</span></div>
<div class="tools font5"><span class="views">3247 lượt xem</span></div></div>
<div class="content-article"><div id="content-detail" class="detail font5">{body}</div>
<div class="pseudonym font5">{pseudonym}</div><div class="topics"><h3>Từ khóa</h3><ul class="list-topics">
<li><a href="/tags/a">thẻ một</a></li></ul></div>
<div class="relates"><h3>Tin liên quan</h3><ul><li><a href="/b-3372111.html">Bài khác</a></li></ul></div></div>
</body></html>"""


def _fields(body: str, pseudonym: str = "") -> dict:
    return get_profile("baoquangninh").extract_article(Page(url=URL, text=_page(body, pseudonym))).fields


def test_figure_before_bold_lead_and_inline_related_box_after_signature() -> None:
    body = """<figure class="image"><img src="https://media.baoquangninh.vn/upload/image/202511/medium/1_a.jpg">
<figcaption>Ảnh đầu bài. (Ảnh: Thanh Tùng/TTXVN)</figcaption></figure>
<p><strong>Đoạn mở đầu in đậm.</strong></p><p>Đoạn một.<br><br>Đoạn hai.</p><h3><strong>Tiêu đề phụ</strong></h3>
<p>Theo Sở Du lịch, lượng khách tăng.</p><p style="text-align: right;"><strong>Hải Ninh - Thu Hà</strong></p>
<div class="relates relates-inline"><div class="title">Tin liên quan</div>
<ul><li><a href="/c-3372112.html">Bài c</a></li></ul></div>"""
    fields = _fields(body)
    assert fields["section"] == "Du lịch"
    assert fields["lead"] == "Đoạn mở đầu in đậm."
    assert fields["body_paragraphs"] == ["Đoạn một.", "Đoạn hai.", "Tiêu đề phụ", "Theo Sở Du lịch, lượng khách tăng."]
    assert fields["authors"] == ["Hải Ninh", "Thu Hà"]
    assert fields["source"] is None
    assert fields["captions"] == [{"text": "Ảnh đầu bài.", "credit": "Thanh Tùng/TTXVN",
                                   "image_url": "https://media.baoquangninh.vn/upload/image/202511/medium/1_a.jpg"}]
    assert fields["tags"] == ["thẻ một"]
    assert fields["published_at_raw"] == "Chủ Nhật, 02/11/2025 | 08:10"
    assert fields["updated_at_raw"] == "Cập nhật: 11:25, 02/11/2025"


def test_pseudonym_box_wins_and_a_plain_first_paragraph_is_body() -> None:
    fields = _fields("<p>Đoạn một.</p><p>Đoạn hai.</p>", "<strong>Quang Minh - Thu Hương</strong>")
    assert fields["lead"] is None
    assert fields["body_paragraphs"] == ["Đoạn một.", "Đoạn hai."]
    assert fields["authors"] == ["Quang Minh", "Thu Hương"]


def test_source_line() -> None:
    fields = _fields('<p><strong>Mở đầu.</strong></p><p>Đoạn một.</p>'
                     '<p style="text-align: right;"><strong>Theo TTXVN</strong></p>')
    assert fields["source"] == "TTXVN"
    assert fields["authors"] == []
    assert fields["body_paragraphs"] == ["Đoạn một."]
