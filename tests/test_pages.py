"""Decoding stored bytes the way the crawl does."""

from newsbot.pages import page_from_bytes

URL = "https://baocantho.com.vn/x-a1.html"
HTML = "<html><body><h1>Thứ Tư, 13/01/2021</h1></body></html>"


def test_utf8_page_labelled_latin1_is_read_as_utf8() -> None:
    page = page_from_bytes(URL, HTML.encode("utf-8"), {"Content-Type": "text/html; charset=iso-8859-1"})
    assert "Thứ Tư" in page.text


def test_a_real_latin1_page_keeps_its_label() -> None:
    body = "<html><body><p>Caf\xe9 cr\xe8me</p></body></html>".encode("latin-1")  # not valid UTF-8
    page = page_from_bytes(URL, body, {"Content-Type": "text/html; charset=iso-8859-1"})
    assert "Café crème" in page.text


def test_header_charset_wins_over_a_late_meta_tag() -> None:
    body = ("<html><head><title>Hòa Bình</title><meta charset='iso-8859-1'></head><body>Hòa Bình</body></html>"
            ).encode()
    page = page_from_bytes(URL, body, {"Content-Type": "text/html; charset=UTF-8"})
    assert page.text.count("Hòa Bình") == 2
