"""The local fixture server plays recorded sites byte for byte over real HTTP (127.0.0.1 only)."""

from __future__ import annotations

import hashlib
import http.client
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import scrapy

from newsbot.fixtures import FixtureFolder
from newsbot.testing import run_spider_in_subprocess
from newsbot.testing.fixture_server import HOSTMAP_PRIORITY, FaultAction, FixtureServer, HostMapMiddleware

REPO = Path(__file__).resolve().parent.parent
CANTHO = REPO / "fixtures" / "baocantho.com.vn"
VINHPHUC = REPO / "fixtures" / "vinhphuc.gov.vn"
PHUTHO = REPO / "fixtures" / "baophutho.vn"
TIMEOUT = 10


def _get(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return resp.status, resp.read(), dict(resp.headers.items())
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read(), dict(err.headers.items())


@pytest.fixture(scope="module")
def server():
    with FixtureServer([CANTHO, VINHPHUC, PHUTHO]) as srv:
        yield srv


def test_serves_section_and_article_byte_for_byte(server: FixtureServer) -> None:
    folder = FixtureFolder(CANTHO)
    section = next(e for e in folder.sections() if "?p=2" in e.url)
    article = folder.articles()[0]
    for entry in (section, article):
        status, body, headers = _get(server.url_for(entry.url))
        assert status == entry.status == 200
        assert body == entry.read_body()
        assert headers["Content-Type"] == entry.headers["Content-Type"]
        assert headers["Date"] == entry.headers["Date"]  # the recorded Date, not the server's clock
        assert int(headers["Content-Length"]) == len(body)


def test_fragment_ignored_extra_query_is_another_page(server: FixtureServer) -> None:
    folder = FixtureFolder(VINHPHUC)
    article = folder.articles()[0]  # ...View_Detail.aspx?ItemID=13832
    status, body, _ = _get(server.url_for(article.url) + "&x=1")
    assert status == 404
    status, body, _ = _get(server.url_for(article.url + "#comments"))
    assert status == 200 and body == article.read_body()


def test_unknown_path_is_404_with_empty_body(server: FixtureServer) -> None:
    status, body, _ = _get(server.base_url + "/khong-ton-tai-a1.html")
    assert (status, body) == (404, b"")
    assert server.request_log[-1] == ("GET", "/khong-ton-tai-a1.html", 404)


def test_robots_txt_from_fixture_or_404(server: FixtureServer) -> None:
    phutho_robots = next(e for e in FixtureFolder(PHUTHO).entries if e.url.endswith("/robots.txt"))
    status, body, _ = _get(server.base_url + "/robots.txt")
    assert status == 200 and body == phutho_robots.read_body()
    # With the origin known (as HostMapMiddleware sends it), a site without robots.txt gets a 404.
    status, body, _ = _get(
        server.base_url + "/robots.txt", headers={"X-Newsbot-Origin": "https://baocantho.com.vn"}
    )
    assert (status, body) == (404, b"")


def test_post_lookup_by_form_fields_in_any_order(server: FixtureServer) -> None:
    entry = next(e for e in FixtureFolder(VINHPHUC).entries if e.method == "POST")
    assert entry.form is not None
    shuffled = dict(reversed(list(entry.form.items())))
    data = urllib.parse.urlencode(shuffled).encode()
    status, body, headers = _get(
        server.url_for(entry.url), data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200
    assert body == entry.read_body()
    assert headers["Content-Type"].startswith("application/json")
    # Other field values are another request: not recorded.
    other = dict(entry.form, start="999")
    status, _, _ = _get(server.url_for(entry.url), data=urllib.parse.urlencode(other).encode())
    assert status == 404


def test_head_has_headers_only(server: FixtureServer) -> None:
    entry = FixtureFolder(CANTHO).articles()[1]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.request("HEAD", urllib.parse.urlsplit(server.url_for(entry.url)).path)
        resp = conn.getresponse()
        assert resp.status == 200
        assert int(resp.getheader("Content-Length")) == len(entry.read_body())
        assert resp.read() == b""
    finally:
        conn.close()


def test_host_map_and_url_for(server: FixtureServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.host_map["https://baocantho.com.vn"] == server.base_url
    assert server.host_map["https://vinhphuc.gov.vn"] == server.base_url
    assert server.url_for("https://baocantho.com.vn/thoi-su?p=2#top") == server.base_url + "/thoi-su?p=2"


def test_max_requests_and_shutdown() -> None:
    with FixtureServer(CANTHO, max_requests=2) as srv:
        url = srv.url_for("https://baocantho.com.vn/thoi-su/")
        assert _get(url)[0] == 200
        assert _get(url)[0] == 200
        assert _get(url)[0] == 503
        assert srv.request_count == 3
        port = srv.port
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/thoi-su/", timeout=2)


def test_fault_hook_status_and_drop() -> None:
    def faults(method: str, path: str) -> FaultAction | None:
        if path.startswith("/thoi-su/"):
            return FaultAction(status=503)
        if path.startswith("/kinh-te/"):
            return FaultAction(drop=True)
        return None

    with FixtureServer(CANTHO, faults=faults) as srv:
        assert _get(srv.url_for("https://baocantho.com.vn/thoi-su/"))[0] == 503
        with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(srv.url_for("https://baocantho.com.vn/kinh-te/"), timeout=TIMEOUT)
        assert _get(srv.url_for("https://baocantho.com.vn/thoi-su?p=2"))[0] == 200


def test_refuses_non_loopback_bind() -> None:
    with pytest.raises(ValueError):
        FixtureServer(CANTHO, host="0.0.0.0")


def test_host_map_middleware_rewrites_and_restores() -> None:
    from scrapy.http import HtmlResponse, Request

    mw = HostMapMiddleware({"https://baocantho.com.vn": "http://127.0.0.1:8999"})
    original = Request("https://baocantho.com.vn/thoi-su?p=2")
    local = mw.process_request(original)
    assert isinstance(local, Request)
    assert local.url == "http://127.0.0.1:8999/thoi-su?p=2"
    assert local.dont_filter and local.meta["dont_obey_robotstxt"]
    assert local.headers[b"X-Newsbot-Origin"] == b"https://baocantho.com.vn"
    assert mw.process_request(local) is None  # not rewritten twice
    response = HtmlResponse(local.url, body=b"<html></html>", request=local)
    restored = mw.process_response(local, response)
    assert restored.url == "https://baocantho.com.vn/thoi-su?p=2"
    # Other hosts pass through untouched.
    assert mw.process_request(Request("https://example.org/")) is None


class HostMapProbeSpider(scrapy.Spider):
    """Fetches original-site URLs; HostMapMiddleware sends them to the fixture server (child process)."""

    name = "hostmap_probe"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, meta={"asked": url})

    def parse(self, response):
        yield {
            "asked": response.meta["asked"],
            "url": response.url,
            "status": response.status,
            "sha256": hashlib.sha256(response.body).hexdigest(),
            "title": response.css("title::text").get(),
            "link": response.urljoin("/kinh-te"),
        }

    def failed(self, failure):
        yield {"asked": failure.request.meta["asked"], "error": failure.type.__name__}


def test_scrapy_crawl_through_host_map(tmp_path: Path) -> None:
    cantho, phutho = FixtureFolder(CANTHO), FixtureFolder(PHUTHO)
    section = cantho.sections()[0]
    article = phutho.articles()[0]
    forbidden = "https://baophutho.vn/tim-kiem?q=lua"
    with FixtureServer([CANTHO, PHUTHO]) as server:
        settings = {
            "NEWSBOT_HOST_MAP": server.host_map,
            "DOWNLOADER_MIDDLEWARES": {"newsbot.testing.fixture_server.HostMapMiddleware": HOSTMAP_PRIORITY},
            "ROBOTSTXT_OBEY": True,
        }
        result = run_spider_in_subprocess(
            f"{__file__}:HostMapProbeSpider",
            settings,
            spider_kwargs={"urls": [section.url, article.url, forbidden]},
            timeout=90,
        )
        log = list(server.request_log)
    assert result.ok, result.log_tail()
    got = {item["asked"]: item for item in result.items}
    for entry in (section, article):
        item = got[entry.url]
        assert item["url"] == entry.url  # the original URL, not 127.0.0.1
        assert item["status"] == 200
        assert item["sha256"] == hashlib.sha256(entry.read_body()).hexdigest()
        assert item["link"].startswith(entry.url.split("/", 3)[0] + "//" + entry.url.split("/", 3)[2])
    assert got[forbidden]["error"] == "IgnoreRequest"
    # robots.txt asked once per original host; tim-kiem never reached the server.
    assert sorted(status for (_, path, status) in log if path == "/robots.txt") == [200, 404]
    assert not any(path.startswith("/tim-kiem") for (_, path, _) in log)
    assert result.stats["hostmap/rewritten"] == 4
