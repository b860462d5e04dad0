"""Security: site spiders stay on their domain, live crawls refuse non-public addresses, text carries no markup.

(``record`` writing outside its fixture folder is covered by tests/test_record.py.)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request

from newsbot.fixtures import FixtureFolder
from newsbot.replay import REPLAY_PRIORITY
from newsbot.security import GUARD_PRIORITY, PrivateAddressGuard, address_problem, host_problem
from newsbot.sites import all_profiles
from newsbot.spiders.sites import SPIDERS
from newsbot.testing.fixture_server import HOSTMAP_PRIORITY, FixtureServer

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
EVIL = "evil.example.net"


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsbot.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def stat(log: str, name: str) -> int:
    m = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(m.group(1)) if m else 0


# -- off-domain requests --------------------------------------------------------------------------------------
def test_every_site_spider_is_bound_to_its_domains() -> None:
    for profile in all_profiles():
        spider = SPIDERS[profile.spider_name]
        assert spider.allowed_domains == list(profile.domains), profile.key
        for section in profile.sections:
            host = urlsplit(section.url).hostname or ""
            assert any(host == d or host.endswith("." + d) for d in spider.allowed_domains), section.url


@pytest.fixture(scope="module")
def offsite_crawl(tmp_path_factory: pytest.TempPathFactory):
    """A replay crawl of a copy of baocantho whose pages point off-domain three ways."""
    root = tmp_path_factory.mktemp("offsite")
    folder = root / "baocantho.com.vn"
    shutil.copytree(FIXTURES / "baocantho.com.vn", folder, ignore=shutil.ignore_patterns("expected"))
    pages = folder / "pages"
    # 1. the last listing page's "next" arrow leads off-domain; 2. a protocol-relative look-alike host
    p3 = (pages / "thoi-su_p3.html").read_text("utf-8")
    p3 = p3.replace('<li><a href="javascript:void(0)">&gt;</a></li>',
                    f'<li><a href="https://{EVIL}/thoi-su?p=4">&gt;</a></li>', 1)
    (pages / "thoi-su_p3.html").write_text(p3, "utf-8")
    kt = (pages / "kinh-te_p1.html").read_text("utf-8")
    assert 'id="page"' in kt
    kt = kt.replace('<div class="fright" id="page">',
                    f'<div class="fright" id="page"><ul><li><a href="//baocantho.com.vn.{EVIL}/kinh-te?p=2">&gt;'
                    "</a></li></ul>", 1)
    (pages / "kinh-te_p1.html").write_text(kt, "utf-8")
    # 3. an article answers with a redirect off-domain
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    redirected = next(e for e in manifest if e["kind"] == "article")
    redirected["status"] = 302
    redirected["headers"]["Location"] = f"https://{EVIL}/steal?from=baocantho"
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    proc = run_cli("crawl", "baocantho", "--replay", str(folder), "--data-dir", str(root / "data"),
                   "--log-level", "DEBUG")
    return redirected, proc


def test_offsite_links_and_redirects_are_never_requested(offsite_crawl) -> None:
    redirected, proc = offsite_crawl
    log = proc.stderr
    assert "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware" in log  # enabled for the site spiders
    assert stat(log, "offsite/filtered") == 3 and stat(log, "offsite/domains") == 2, log[-3000:]
    # Every request that reaches the downloader is answered by replay (a miss is logged with its URL): none
    # may name the evil host, and no response was built for it.
    replayed = [line for line in log.splitlines() if "Crawled (" in line or "Replay miss" in line]
    assert replayed and not [line for line in replayed if EVIL in line]
    assert f"Filtered offsite request to '{EVIL}'" in log
    assert f"Filtered offsite request to 'baocantho.com.vn.{EVIL}'" in log
    assert redirected["url"] in log  # the redirecting article was fetched (and its redirect dropped)


# -- private addresses ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("addr", ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.5.4", "192.168.1.1",
                                  "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1",
                                  "fe80::1", "fc00::1", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::",
                                  "192.0.2.1", "198.18.0.1"])
def test_non_public_addresses_are_refused(addr: str) -> None:
    assert address_problem(addr) is not None


@pytest.mark.parametrize("addr", ["8.8.8.8", "14.225.10.1", "203.162.4.190", "2001:4860:4860::8888"])
def test_public_addresses_pass(addr: str) -> None:
    assert address_problem(addr) is None


def test_host_problem_names_and_resolutions() -> None:
    assert host_problem("localhost") == "loopback"
    assert host_problem("api.localhost.") == "loopback"
    assert host_problem("[::1]") == "loopback"
    assert host_problem("intranet.example", ["93.184.216.34", "10.0.0.7"]) == "private"  # any bad address
    assert host_problem("baocantho.com.vn", ["103.1.2.3"]) is None
    assert host_problem("nxdomain.example", []) is None  # left to the downloader, which fails it


def drive(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never suspends (no reactor needed); fail if it does."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise AssertionError("coroutine suspended")


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count


class _StubGuard(PrivateAddressGuard):
    """The guard with a fake resolver: tests never send DNS queries."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        super().__init__(_Stats())
        self.answers = answers
        self.lookups: list[str] = []

    async def lookup(self, host: str) -> list[str]:
        self.lookups.append(host)
        return self.answers.get(host, [])


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/admin", "http://10.0.0.1/", "http://192.168.0.1/login",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://localhost/",
                                 "https://0.0.0.0/", "http://intranet.example/", "http://[::ffff:127.0.0.1]:80/"])
def test_guard_refuses_before_download(url: str) -> None:
    guard = _StubGuard({"intranet.example": ["10.9.8.7"]})
    with pytest.raises(IgnoreRequest):
        drive(guard.process_request(Request(url)))
    assert guard.stats.values["newsbot/security/refused"] == 1


def test_guard_passes_public_hosts_and_caches_lookups() -> None:
    guard = _StubGuard({"baocantho.com.vn": ["103.97.125.10"]})
    for path in ("/", "/thoi-su/", "/robots.txt"):
        assert drive(guard.process_request(Request("https://baocantho.com.vn" + path))) is None
    assert guard.lookups == ["baocantho.com.vn"]  # resolved once per host
    assert drive(guard.process_request(Request("http://14.225.10.1/"))) is None  # a public literal: no lookup
    assert drive(guard.process_request(Request("data:,hello"))) is None  # not a network request
    assert guard.lookups == ["baocantho.com.vn"]


GUARD_IN_A_REACTOR = """
from twisted.internet import asyncioreactor
asyncioreactor.install()
from twisted.internet import reactor
from scrapy.http import Request
from scrapy.utils.defer import deferred_from_coro
import newsbot.security as security

calls = []
def fake_resolve(host):  # no DNS query ever leaves the machine in tests
    calls.append(host)
    return ["10.1.2.3"] if host == "intranet.example" else ["93.184.216.34"]
security._resolve = fake_resolve
guard = security.PrivateAddressGuard()
out = []
async def main():
    for url in ("http://intranet.example/x", "http://intranet.example/y", "http://news.example/"):
        try:
            out.append(await guard.process_request(Request(url)))
        except Exception as exc:
            out.append(type(exc).__name__)
d = deferred_from_coro(main())
d.addErrback(lambda f: out.append(f.getTraceback()))
d.addBoth(lambda _: reactor.stop())
reactor.run()
print(out, sorted(calls))
"""


def test_guard_resolves_names_off_the_reactor_thread() -> None:
    """The real lookup path (getaddrinfo in Twisted's thread pool, awaited from the asyncio reactor)."""
    proc = subprocess.run([sys.executable, "-c", GUARD_IN_A_REACTOR], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['IgnoreRequest', 'IgnoreRequest', None] ['intranet.example', 'news.example']"
    assert "refused GET http://intranet.example/x: host intranet.example is private" in proc.stderr


def test_guard_checks_the_connected_address() -> None:
    """DNS may change between the check and the connection (rebinding): the peer address is checked too."""
    import ipaddress

    from scrapy.http import HtmlResponse

    guard = _StubGuard({})
    request = Request("https://baocantho.com.vn/")
    ok = HtmlResponse(request.url, body=b"<html></html>", request=request,
                      ip_address=ipaddress.ip_address("103.97.125.10"))
    assert guard.process_response(request, ok) is ok
    bad = HtmlResponse(request.url, body=b"<html></html>", request=request, ip_address=ipaddress.ip_address("10.0.0.2"))
    with pytest.raises(IgnoreRequest):
        guard.process_response(request, bad)


def test_guard_is_off_when_private_addresses_are_allowed() -> None:
    from scrapy.utils.test import get_crawler

    with pytest.raises(NotConfigured):
        PrivateAddressGuard.from_crawler(get_crawler(settings_dict={"NEWSBOT_ALLOW_PRIVATE": True}))
    assert isinstance(PrivateAddressGuard.from_crawler(get_crawler()), PrivateAddressGuard)
    # After HostMap (which aims requests at 127.0.0.1) and Replay (which answers before any network).
    assert GUARD_PRIORITY > REPLAY_PRIORITY > HOSTMAP_PRIORITY


def test_live_crawl_of_a_loopback_server_is_refused(tmp_path: Path) -> None:
    """Without NEWSBOT_ALLOW_PRIVATE, a crawl mapped onto 127.0.0.1 sends it nothing at all."""
    mws = {"newsbot.testing.fixture_server.HostMapMiddleware": HOSTMAP_PRIORITY,
           "newsbot.security.PrivateAddressGuard": GUARD_PRIORITY}
    with FixtureServer(FIXTURES / "baocantho.com.vn") as server:
        proc = run_cli("crawl", "baocantho", "--data-dir", str(tmp_path / "data"), "--log-level", "INFO",
                       "-s", "NEWSBOT_HOST_MAP=" + json.dumps(server.host_map),
                       "-s", "DOWNLOADER_MIDDLEWARES=" + json.dumps(mws),
                       "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_ENABLED=False")
        log = list(server.request_log)
    assert log == []
    assert stat(proc.stderr, "newsbot/security/refused") >= 2  # robots.txt and the section pages
    assert stat(proc.stderr, "newsbot/security/refused/loopback") >= 2
    assert "refused GET http://127.0.0.1:" in proc.stderr
    summary = json.loads(next(line for line in proc.stderr.splitlines() if line.startswith('{"site"')))
    assert summary["items_written"] == 0


# -- no markup in text fields ---------------------------------------------------------------------------------
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?]|script", re.I)


def text_values(item: dict) -> list[tuple[str, str]]:
    """Every (field, string) an item carries as text (URLs excluded: they are not text)."""
    out = []
    for key in ("section", "title", "lead", "body", "source", "published_at_raw", "updated_at_raw"):
        if item.get(key):
            out.append((key, item[key]))
    for key in ("authors", "tags"):
        out.extend((key, v) for v in item.get(key) or [])
    for cap in item.get("captions") or []:
        out.extend((f"captions.{k}", cap[k]) for k in ("text", "credit") if cap.get(k))
    return out


def fixture_articles() -> list[tuple[str, Any]]:
    out = []
    for folder in sorted(p for p in FIXTURES.iterdir() if (p / "manifest.json").exists()):
        out.extend((folder.name, e) for e in FixtureFolder(folder).articles())
    return out


def test_fixture_output_text_carries_no_markup() -> None:
    from newsbot.cli import extract_page_item

    articles = fixture_articles()
    assert len(articles) >= 50
    for _site, entry in articles:
        item = extract_page_item(entry.url, entry.read_body(), entry.headers)
        for key, value in text_values(item):
            assert not MARKUP.search(value), f"{entry.url} {key}: {value[:200]!r}"


HOSTILE_MARKUP = (
    "<script>alert('x')</script><style>p{color:red}</style><noscript><img src=x></noscript>"
    "<!-- <b>comment</b> --><iframe src='javascript:alert(1)'></iframe><svg><script>alert(2)</script></svg>"
    "<template><p>hidden</p></template><object data='x.swf'></object>"
)


@pytest.mark.parametrize(("site", "entry"), [a for a in fixture_articles() if a[1].file][::4],
                         ids=lambda v: v if isinstance(v, str) else Path(v.file).stem)
def test_injected_script_never_reaches_text(site: str, entry) -> None:
    """Scripts, styles, comments and frames planted in every block of a real page never leak into any field."""
    from newsbot.cli import extract_page_item

    html = entry.read_body().decode("utf-8", "replace")
    planted = re.sub(r"(<(?:h1|p|div|span|td|li|a)\b[^>]*>)", lambda m: m.group(1) + HOSTILE_MARKUP, html)
    item = extract_page_item(entry.url, planted.encode("utf-8"), entry.headers)
    for key, value in text_values(item):
        assert not MARKUP.search(value), f"{entry.url} {key}: {value[:200]!r}"
        assert "alert" not in value and "color:red" not in value, f"{entry.url} {key}: {value[:200]!r}"
