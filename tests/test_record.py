"""Recording pages into a fixture folder: a real crawl against the local fixture server, and path safety."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from newsbot.fixtures import FixtureFolder, UnsafePathError
from newsbot.record import file_name_for, flatten_headers, guess_kind, record, write_entry
from newsbot.testing.fixture_server import FixtureServer

REPO = Path(__file__).resolve().parent.parent
CANTHO = REPO / "fixtures" / "baocantho.com.vn"
PHUTHO = REPO / "fixtures" / "baophutho.vn"
FAST = {"DOWNLOAD_DELAY": 0, "DOWNLOAD_TIMEOUT": 10, "RETRY_ENABLED": False}


def _manifest(folder: Path) -> list[dict]:
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def _inside(path: Path, root: Path) -> bool:
    return root.resolve() in path.resolve().parents


# -- end to end: record from the local fixture server


def test_record_three_pages_then_rerecord(tmp_path: Path) -> None:
    source = FixtureFolder(CANTHO)
    originals = [next(e for e in source.sections() if e.url.endswith("?p=2")), *source.articles()[:2]]
    out = tmp_path / "rec"
    with FixtureServer(CANTHO) as server:
        urls = [server.url_for(e.url) for e in originals]
        result = record(urls, out, settings=FAST, timeout=90)
        assert result.failures == []
        assert sorted(e.url for e in result) == sorted(urls)

        rows = _manifest(out)
        assert len(rows) == 3
        folder = FixtureFolder(out)
        for url, original in zip(urls, originals, strict=True):
            entry = folder.lookup("GET", url)
            assert entry is not None, url
            assert entry.status == 200
            assert entry.kind == "article"  # the default kind
            assert entry.read_body() == original.read_body()
            assert _inside(entry.body_path, out / "pages")
            assert entry.headers["Date"] == original.headers["Date"]
            assert entry.headers["Content-Type"] == original.headers["Content-Type"]
            assert int(entry.headers["Content-Length"]) == len(original.read_body())
            assert "Content-Encoding" not in entry.headers
        files_before = {r["url"]: r["file"] for r in rows}

        # Re-recording replaces (same file, same position), never duplicates; an explicit kind wins.
        again = record([urls[0]], out, kind="section", settings=FAST, timeout=90)
        assert len(again) == 1 and again[0].kind == "section"
        rows = _manifest(out)
        assert len(rows) == 3
        assert {r["url"]: r["file"] for r in rows} == files_before
        assert next(r for r in rows if r["url"] == urls[0])["kind"] == "section"
        assert sorted(p.name for p in (out / "pages").iterdir()) == sorted(files_before.values())


def test_record_obeys_robots_and_stores_robots_txt(tmp_path: Path) -> None:
    out = tmp_path / "phutho"
    article = FixtureFolder(PHUTHO).articles()[0]
    with FixtureServer(PHUTHO) as server:
        forbidden = server.base_url + "/tim-kiem?q=lua"
        result = record(
            [server.url_for(article.url), forbidden], out, settings=FAST, include_robots=True, timeout=90
        )
        paths = [path for (_, path, _) in server.request_log]
    assert [u for u, _ in result.failures] == [forbidden]
    assert "/tim-kiem?q=lua" not in paths  # never requested
    kinds = {e.url.rsplit("/", 1)[-1]: e.kind for e in result}
    assert kinds["robots.txt"] == "other"
    folder = FixtureFolder(out)
    robots = next(e for e in folder.entries if e.url.endswith("/robots.txt"))
    assert (
        robots.read_body() == next(e for e in FixtureFolder(PHUTHO).entries if e.kind == "other").read_body()
    )
    assert robots.file.endswith(".txt")
    assert len(folder.entries) == 2


def test_record_stores_each_redirect_hop(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_entry(site, "https://example.test/old", 301, {"Location": "/new", "Content-Type": "text/html"}, b"")
    write_entry(site, "https://example.test/new", 200, {"Content-Type": "text/html"}, b"<html>new</html>")
    out = tmp_path / "rec"
    with FixtureServer(site) as server:
        result = record([server.base_url + "/old"], out, settings=FAST, timeout=90)
    assert [(e.url.rsplit("/", 1)[-1], e.status, e.kind) for e in result] == [
        ("old", 301, "other"),
        ("new", 200, "article"),
    ]
    assert result[1].read_body() == b"<html>new</html>"


def test_record_validates_arguments_before_crawling(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        record(["file:///etc/passwd"], tmp_path)
    with pytest.raises(ValueError):
        record(["https://example.test/"], tmp_path, kind="bogus")
    assert not (tmp_path / "manifest.json").exists()


# -- write_entry: the Scrapy-free core


def test_write_entry_writes_page_and_manifest(tmp_path: Path) -> None:
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "Content-Length": "3"}
    entry = write_entry(
        tmp_path, "https://baocantho.com.vn/thoi-su?p=2", 200, headers, b"<p>x</p>", "section"
    )
    assert entry.file.endswith(".html") and entry.file.startswith("thoi-su-p-2_")
    assert (tmp_path / "pages" / entry.file).read_bytes() == b"<p>x</p>"
    assert "Content-Encoding" not in entry.headers  # the body is stored decoded
    assert entry.headers["Content-Length"] == "8"
    assert "Date" in entry.headers  # replay needs a recording time
    rows = _manifest(tmp_path)
    assert rows == [entry.to_dict()]
    assert "method" not in rows[0]  # GET rows keep the existing manifest shape

    second = write_entry(tmp_path, "https://baocantho.com.vn/thoi-su?p=2#frag", 200, headers, b"<p>y</p>")
    assert second.file == entry.file and second.kind == "section"  # same page: replaced, kind kept
    assert len(_manifest(tmp_path)) == 1
    assert (tmp_path / "pages" / entry.file).read_bytes() == b"<p>y</p>"


@pytest.mark.parametrize(
    "url",
    [
        "http://x/../../etc/passwd",
        "http://x/%2e%2e/%2e%2e/etc/passwd",
        "http://x/..%2f..%2fetc%2fpasswd",
        "http://x/a/b/../../../../../tmp/evil.html",
        "http://x/" + "a" * 5000,
        "http://x/C:\\Windows\\win.ini",
    ],
)
def test_write_entry_url_cannot_escape(tmp_path: Path, url: str) -> None:
    out = tmp_path / "out"
    entry = write_entry(out, url, 200, {"Content-Type": "text/plain"}, b"data")
    assert entry.body_path.parent.resolve() == (out / "pages").resolve()
    assert "/" not in entry.file and ".." not in entry.file and len(entry.file) < 100
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert sorted(p.name for p in written) == sorted(["manifest.json", entry.file])


@pytest.mark.parametrize(
    "name",
    [
        "../evil.html",
        "/etc/passwd",
        "a/b.html",
        "..",
        ".",
        ".hidden",
        "x\x00y.html",
        "a\\b.html",
        "",
        "~root",
    ],
)
def test_write_entry_rejects_unsafe_file_names(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(UnsafePathError):
        write_entry(out, "https://example.test/a", 200, {}, b"data", file=name)
    assert not (tmp_path / "evil.html").exists()
    assert not (out / "manifest.json").exists()


def test_write_entry_refuses_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    (out / "pages").mkdir(parents=True)
    (out / "pages" / "link.html").symlink_to(outside / "target.html")
    with pytest.raises(UnsafePathError):
        write_entry(out, "https://example.test/a", 200, {}, b"data", file="link.html")
    assert not (outside / "target.html").exists()

    # A pages/ directory that is itself a symlink out of the folder.
    out2 = tmp_path / "out2"
    out2.mkdir()
    os.symlink(outside, out2 / "pages")
    with pytest.raises(UnsafePathError):
        write_entry(out2, "https://example.test/a", 200, {}, b"data")
    assert list(outside.iterdir()) == []


def test_hostile_manifest_cannot_read_or_redirect_writes(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    folder = tmp_path / "site"
    (folder / "pages").mkdir(parents=True)
    row = {
        "url": "https://example.test/a",
        "file": "../../secret.txt",
        "status": 200,
        "headers": {},
        "kind": "article",
    }
    (folder / "manifest.json").write_text(json.dumps([row]))
    entry = FixtureFolder(folder).entries[0]
    with pytest.raises(UnsafePathError):
        entry.read_body()
    # Re-recording that URL picks a fresh safe name instead of writing to ../../secret.txt.
    new = write_entry(folder, "https://example.test/a", 200, {}, b"new")
    assert new.file != row["file"] and new.body_path.parent.resolve() == (folder / "pages").resolve()
    assert secret.read_text() == "top secret"
    assert len(_manifest(folder)) == 1


def test_write_entry_rejects_non_http_and_bad_kind(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_entry(tmp_path, "file:///etc/passwd", 200, {}, b"x")
    with pytest.raises(ValueError):
        write_entry(tmp_path, "https://example.test/", 200, {}, b"x", kind="bogus")


def test_post_entries_keep_form_and_match_any_field_order(tmp_path: Path) -> None:
    form = {"do": "QUERYDATA", "start": "0", "length": "5"}
    entry = write_entry(
        tmp_path,
        "https://vinhphuc.gov.vn/APIVP/api/X",
        200,
        {"Content-Type": "application/json"},
        b"{}",
        "api",
        method="POST",
        form=form,
    )
    assert entry.file.endswith(".json")
    row = _manifest(tmp_path)[0]
    assert row["method"] == "POST" and row["form"] == form
    folder = FixtureFolder(tmp_path)
    assert folder.lookup("POST", "https://vinhphuc.gov.vn/APIVP/api/X", b"length=5&start=0&do=QUERYDATA")
    assert (
        folder.lookup("POST", "https://vinhphuc.gov.vn/APIVP/api/X", b"length=5&start=5&do=QUERYDATA") is None
    )
    assert folder.lookup("GET", "https://vinhphuc.gov.vn/APIVP/api/X") is None


# -- naming helpers


def test_file_name_for() -> None:
    name = file_name_for("https://baocantho.com.vn/tin-tức/Hà-Nội-a123.html", "text/html; charset=UTF-8")
    assert name.startswith("tin-tuc-ha-noi-a123_") and name.endswith(".html")
    assert file_name_for("https://x/api", "application/json; charset=utf-8").endswith(".json")
    assert file_name_for("https://x/robots.txt", "text/plain").startswith("robots_")
    assert file_name_for("https://x/robots.txt", "text/plain").endswith(".txt")
    assert file_name_for("https://x/?b=1&a=2") == file_name_for("https://x/?a=2&b=1")
    assert file_name_for("https://x/a?p=1") != file_name_for("https://x/a?p=2")
    assert file_name_for("https://x/").startswith("index_")


def test_guess_kind_and_flatten_headers() -> None:
    assert guess_kind("https://x/robots.txt") == "other"
    assert guess_kind("https://x/a-1.html") == "article"
    assert guess_kind("https://x/a", 301) == "other"
    assert flatten_headers({b"Set-Cookie": [b"a=1", b"b=2"], b"Content-Type": [b"text/html"]}) == {
        "Set-Cookie": "a=1, b=2",
        "Content-Type": "text/html",
    }
