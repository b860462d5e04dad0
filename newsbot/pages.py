"""Turning stored bytes into a :class:`Page`, the same way a crawl would.

Decoding goes through Scrapy's response classes so that a saved file, a fixture and a live response all pick the
charset the same way (HTTP header, then BOM, then ``<meta>``), and the fetch time comes from the recorded
``Date`` header so relative dates ("2 giờ trước") resolve as they did when the page was saved.
"""

from __future__ import annotations

from datetime import datetime

from scrapy.http import HtmlResponse, TextResponse

from newsbot.extract.article import Page
from newsbot.replay import response_fetch_time


def decoded_text(response: TextResponse) -> str:
    """The page text, trusting valid UTF-8 over a charset label that says otherwise.

    Servers behind misconfigured proxies label UTF-8 pages ``iso-8859-1`` or ``windows-1252``, which turns every
    Vietnamese letter into mojibake ("Thá»© TÆ°"). Non-ASCII bytes that decode as strict UTF-8 are, in practice,
    UTF-8 (legacy single-byte Vietnamese encodings such as TCVN3 almost never form valid UTF-8 sequences).
    """
    text = response.text
    encoding = (response.encoding or "").lower().replace("_", "-")
    if encoding in ("utf-8", "utf8") or response.body.isascii():
        return text
    try:
        return response.body.decode("utf-8")
    except UnicodeDecodeError:
        return text


def page_from_bytes(url: str, body: bytes, headers: dict[str, str] | None = None,
                    fetched_at: datetime | None = None, status: int = 200) -> Page:
    """Decode ``body`` like a Scrapy response would and wrap it as a Page."""
    response = HtmlResponse(url=url, body=body, headers=headers or {}, status=status)
    when = fetched_at or response_fetch_time(response)
    return Page(url=url, text=decoded_text(response), fetched_at=when, status=status)
