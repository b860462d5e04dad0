"""Validation, dedup and the crash-safe JSON Lines writer, each on its own."""

from __future__ import annotations

import json

import pytest
from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector

from newsbot.items import ArticleItem, content_fingerprint
from newsbot.pipelines import DedupPipeline, JsonLinesWriterPipeline, ValidationPipeline
from newsbot.pipelines.jsonl import repair_tail


def _stats() -> MemoryStatsCollector:
    from scrapy.utils.test import get_crawler

    return MemoryStatsCollector(get_crawler())


def _item(url: str = "https://baocantho.com.vn/a-a1.html", title: str = "Tiêu đề", body: str = "Nội dung bài.",
          published_at: str | None = "2026-01-08T18:21:00+07:00") -> ArticleItem:
    return ArticleItem(url=url, title=title, body=body, published_at=published_at,
                       fingerprint=content_fingerprint(title, body))


def test_validation_drops_and_counts_missing_fields() -> None:
    stats = _stats()
    pipe = ValidationPipeline(stats)
    assert pipe.process_item(_item()) is not None
    with pytest.raises(DropItem, match="published_at"):
        pipe.process_item(_item(published_at=None))
    with pytest.raises(DropItem, match="body"):
        pipe.process_item(_item(body=""))
    assert stats.get_value("newsbot/dropped") == 2
    assert stats.get_value("newsbot/dropped/missing_published_at") == 1
    assert stats.get_value("newsbot/dropped/missing_body") == 1


def test_dedup_by_url_variants_and_by_content() -> None:
    stats = _stats()
    pipe = DedupPipeline(stats)
    pipe.process_item(_item())
    with pytest.raises(DropItem):
        pipe.process_item(_item(url="http://www.baocantho.com.vn/a-a1.html?utm_source=x#top", body="khác"))
    # Same story under another URL, with whitespace / case noise: content fingerprint catches it.
    with pytest.raises(DropItem):
        pipe.process_item(_item(url="https://baocantho.com.vn/other-a2.html", title="TIÊU  ĐỀ",
                                body="Nội dung  bài."))
    assert pipe.process_item(_item(url="https://baocantho.com.vn/b-a3.html", body="Bài khác hẳn.")) is not None
    assert stats.get_value("newsbot/duplicates/url") == 1
    assert stats.get_value("newsbot/duplicates/content") == 1


def test_writer_appends_complete_utf8_lines(tmp_path) -> None:
    out = tmp_path / "out.jsonl"
    stats = _stats()
    for run in range(2):
        w = JsonLinesWriterPipeline(str(out), stats)
        w.open_spider()
        w.process_item(_item(url=f"https://baocantho.com.vn/x-a{run}.html"))
        w.close_spider()
    raw = out.read_bytes()
    assert raw.endswith(b"\n")
    assert "Tiêu đề".encode() in raw  # not ASCII-escaped
    lines = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    assert [x["url"] for x in lines] == ["https://baocantho.com.vn/x-a0.html", "https://baocantho.com.vn/x-a1.html"]


def test_torn_last_line_is_cut_on_open(tmp_path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"a": 1}\n{"a": 2}\n{"a": 3, "tor')
    stats = _stats()
    w = JsonLinesWriterPipeline(str(out), stats)
    w.open_spider()
    w.process_item(_item())
    w.close_spider()
    lines = out.read_text("utf-8").splitlines()
    assert [json.loads(x).get("a") for x in lines[:2]] == [1, 2]
    assert json.loads(lines[2])["title"] == "Tiêu đề"
    assert len(lines) == 3
    assert stats.get_value("newsbot/output/torn_bytes_repaired") == len(b'{"a": 3, "tor')


def test_repair_tail_without_any_newline(tmp_path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"half')
    assert repair_tail(p) == 6
    assert p.read_bytes() == b""
