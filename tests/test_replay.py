"""Replay mode: crawls answered from fixture folders, byte for byte, with no network."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.http import FormRequest, HtmlResponse, Request, Response, TextResponse
from scrapy.utils.test import get_crawler

from newsbot.fixtures import FixtureFolder
from newsbot.replay import (
    REPLAY_PRIORITY,
    ReplayMiddleware,
    is_replayed,
    replay_headers,
    replay_settings,
    response_fetch_time,
)
from newsbot.testing import run_spider_in_subprocess

REPO = Path(__file__).resolve().parent.parent
CANTHO = REPO / "fixtures" / "baocantho.com.vn"
VINHPHUC = REPO / "fixtures" / "vinhphuc.gov.vn"
PHUTHO = REPO / "fixtures" / "baophutho.vn"


class ProbeSpider(scrapy.Spider):
    """Requests what it is told and reports, per request, what came back (run in a child process)."""

    name = "probe"

    def __init__(self, probes: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.probes = probes

    async def start(self):
        for probe in self.probes:
            meta = {"handle_httpstatus_all": True, "label": probe["label"]}
            if probe.get("form") is not None:
                yield FormRequest(
                    probe["url"], formdata=probe["form"], meta=meta, callback=self.parse, errback=self.failed
                )
            else:
                yield Request(
                    probe["url"], meta=meta, callback=self.parse, errback=self.failed, dont_filter=True
                )

    def parse(self, response: Response):
        yield {
            "label": response.meta["label"],
            "url": response.url,
            "status": response.status,
            "length": len(response.body),
            "sha256": hashlib.sha256(response.body).hexdigest(),
            "flags": response.flags,
            "class": type(response).__name__,
            "encoding": getattr(response, "encoding", None),
            "fetched_at": response_fetch_time(response).isoformat(),
            "replay_file": response.meta.get("replay_file"),
            "content_encoding": (response.headers.get(b"Content-Encoding") or b"").decode(),
        }

    def failed(self, failure: Any):
        yield {"label": failure.request.meta["label"], "error": failure.type.__name__}


def _sha(entry) -> str:
    return hashlib.sha256(entry.read_body()).hexdigest()


def test_replay_crawl_end_to_end() -> None:
    cantho, vinhphuc, phutho = FixtureFolder(CANTHO), FixtureFolder(VINHPHUC), FixtureFolder(PHUTHO)
    section = next(e for e in cantho.sections() if e.url.endswith("?p=2"))
    article = cantho.articles()[0]
    post = next(e for e in vinhphuc.entries if e.method == "POST")
    assert post.form is not None
    phutho_article = phutho.articles()[0]
    probes = [
        {"label": "section", "url": section.url},
        {"label": "article", "url": article.url},
        {"label": "unknown", "url": "https://baocantho.com.vn/khong-co-bai-nay-a1.html"},
        # Same fields, reversed order: matched by parsed form, not by raw body.
        {"label": "post", "url": post.url.split("#")[0], "form": dict(reversed(list(post.form.items())))},
        {"label": "phutho", "url": phutho_article.url},
        # baophutho.vn's recorded robots.txt disallows /tim-kiem: replayed robots must be obeyed.
        {"label": "forbidden", "url": "https://baophutho.vn/tim-kiem?q=lua"},
    ]
    settings = replay_settings([str(CANTHO), str(VINHPHUC), str(PHUTHO)], {"ROBOTSTXT_OBEY": True})
    # No network at all: a request that got past replay would fail with "unsupported scheme".
    settings["DOWNLOAD_HANDLERS"] = {"http": None, "https": None}
    result = run_spider_in_subprocess(
        f"{__file__}:ProbeSpider", settings, spider_kwargs={"probes": probes}, timeout=90
    )
    assert result.ok, result.log_tail()
    got = {item["label"]: item for item in result.items}
    assert set(got) == {p["label"] for p in probes}

    for label, entry in (("section", section), ("article", article), ("phutho", phutho_article)):
        item = got[label]
        assert item["status"] == 200, label
        assert item["sha256"] == _sha(entry), label
        assert item["length"] == len(entry.read_body())
        assert item["class"] == "HtmlResponse"
        assert item["encoding"] == "utf-8"
        assert "replay" in item["flags"]
        assert item["replay_file"] == entry.file
        assert item["content_encoding"] == ""
    # Relative dates resolve against the recording time, not today.
    recorded_date = parsedate_to_datetime(article.headers["Date"])
    assert datetime.fromisoformat(got["article"]["fetched_at"]) == recorded_date
    assert got["article"]["fetched_at"].startswith("2026-01-14T")

    assert got["post"]["status"] == 200
    assert got["post"]["sha256"] == _sha(post)
    assert got["post"]["class"] == "JsonResponse"  # a TextResponse subclass, as live

    assert got["unknown"]["status"] == 404
    assert got["unknown"]["length"] == 0
    assert "replay-miss" in got["unknown"]["flags"]

    assert got["forbidden"] == {"label": "forbidden", "error": "IgnoreRequest"}

    stats = result.stats
    assert stats["replay/hit"] == 4
    assert stats["replay/miss"] == 1
    assert stats["replay/robots_hit"] == 1  # baophutho.vn
    assert stats["replay/robots_miss"] == 2  # baocantho.com.vn, vinhphuc.gov.vn: 404 = allow all
    assert stats["robotstxt/forbidden"] == 1
    # The only download "exception" is the robots.txt refusal: nothing tried to reach the network.
    assert stats.get("downloader/exception_count", 0) == 1
    assert stats.get("downloader/exception_type_count/scrapy.exceptions.IgnoreRequest") == 1


# -- in-process unit tests of the middleware (no reactor needed)


def _mw(*folders: Path) -> ReplayMiddleware:
    crawler = get_crawler(settings_dict={"NEWSBOT_REPLAY_DIR": [str(f) for f in folders]})
    return ReplayMiddleware.from_crawler(crawler)


def test_not_configured_without_setting() -> None:
    with pytest.raises(NotConfigured):
        ReplayMiddleware.from_crawler(get_crawler())


def test_setting_accepts_domain_keys_and_comma_string() -> None:
    mw = ReplayMiddleware.from_crawler(
        get_crawler(settings_dict={"NEWSBOT_REPLAY_DIR": "baocantho.com.vn,vinhphuc.gov.vn"})
    )
    assert [f.name for f in mw.folders] == ["baocantho.com.vn", "vinhphuc.gov.vn"]


def test_setting_accepts_folder_of_fixture_folders() -> None:
    mw = ReplayMiddleware.from_crawler(
        get_crawler(settings_dict={"NEWSBOT_REPLAY_DIR": str(REPO / "fixtures")})
    )
    expected = sorted(p.name for p in (REPO / "fixtures").iterdir() if (p / "manifest.json").is_file())
    assert [f.name for f in mw.folders] == expected
    assert len(expected) >= 3


def test_process_request_hit_and_miss() -> None:
    mw = _mw(CANTHO)
    entry = FixtureFolder(CANTHO).articles()[2]
    request = Request(entry.url)
    response = mw.process_request(request)
    assert isinstance(response, HtmlResponse)
    assert response.body == entry.read_body()
    assert response.status == entry.status
    assert is_replayed(response)
    assert request.meta["replay_file"] == entry.file
    assert request.meta["fetched_at"].startswith("2026-01-14T")

    head = mw.process_request(Request(entry.url, method="HEAD"))
    assert head is not None and head.status == 200 and head.body == b""

    miss = mw.process_request(Request("https://baocantho.com.vn/nope"))
    assert miss is not None and miss.status == 404 and miss.body == b""
    assert mw.process_request(Request("data:,hello")) is None  # not a site page: left to its handler


def test_replay_headers_drop_encoding_and_wrong_length() -> None:
    headers = {"Content-Encoding": "gzip", "Content-Length": "10", "Content-Type": "text/html", "Date": "x"}
    assert replay_headers(headers, 5) == {"Content-Type": "text/html", "Date": "x"}
    assert replay_headers({"Content-Length": "5"}, 5) == {"Content-Length": "5"}


def test_response_fetch_time() -> None:
    resp = TextResponse("https://x/", headers={"Date": "Wed, 22 Dec 2021 01:40:07 GMT"}, body=b"")
    assert response_fetch_time(resp) == datetime(2021, 12, 22, 1, 40, 7, tzinfo=UTC)
    bad = TextResponse("https://x/", headers={"Date": "not a date"}, body=b"")
    before = datetime.now(UTC)
    assert before <= response_fetch_time(bad) <= datetime.now(UTC)
    with_meta = TextResponse(
        "https://x/",
        body=b"",
        request=Request("https://x/", meta={"fetched_at": "2020-05-01T10:00:00+07:00"}),
    )
    assert response_fetch_time(with_meta) == datetime(2020, 5, 1, 3, 0, tzinfo=UTC)


def test_replay_settings_merges() -> None:
    settings = replay_settings("baocantho.com.vn", {"DOWNLOADER_MIDDLEWARES": {"x.Y": 10}, "FOO": 1})
    assert settings["DOWNLOADER_MIDDLEWARES"] == {
        "x.Y": 10,
        "newsbot.replay.ReplayMiddleware": REPLAY_PRIORITY,
    }
    assert settings["NEWSBOT_REPLAY_DIR"] == ["baocantho.com.vn"]
    assert settings["HTTPCACHE_ENABLED"] is False and settings["FOO"] == 1
