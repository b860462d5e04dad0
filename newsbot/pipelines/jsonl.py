"""The JSON Lines writer: one article per line, UTF-8, never a torn line.

Scrapy's FEEDS exporter buffers and appends in place, so a killed process can leave half a line. Here each item
is serialised first and written with a single ``write`` of the whole line on a file opened with ``O_APPEND``,
then flushed (and fsync'ed every ``NEWSBOT_FSYNC_EVERY`` items and at close). On open, a torn last line left by a
previous crash (no final newline) is cut off, so a rerun appends to a valid file.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from itemadapter import ItemAdapter

logger = logging.getLogger(__name__)


def repair_tail(path: Path) -> int:
    """Truncate ``path`` after its last newline; return how many bytes were cut."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as fh:
        pos = size
        chunk = 65536
        while pos > 0:
            start = max(0, pos - chunk)
            fh.seek(start)
            data = fh.read(pos - start)
            idx = data.rfind(b"\n")
            if idx != -1:
                keep = start + idx + 1
                break
            pos = start
        else:
            keep = 0
        if keep != size:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
        return size - keep


def dumps_line(item) -> bytes:
    return (json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, separators=(",", ":"), sort_keys=False)
            + "\n").encode("utf-8")


class JsonLinesWriterPipeline:
    """Append items to ``NEWSBOT_OUTPUT``, or to this run's part file under ``NEWSBOT_DATA_DIR``.

    With crawl state on, each line and its ``written`` status (plus the file offset it reaches) are recorded
    together, so a rerun after a kill knows exactly which lines exist (see ``newsbot.state``).
    """

    def __init__(self, path: str | None, stats, fsync_every: int = 50, run=None) -> None:
        self.path = Path(path) if path else None
        self.stats = stats
        self.fsync_every = max(1, fsync_every)
        self.run = run
        self.part_mode = False
        self.fd: int | None = None
        self.size = 0
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler):
        from newsbot.run import get_run

        return cls(crawler.settings.get("NEWSBOT_OUTPUT"), crawler.stats,
                   crawler.settings.getint("NEWSBOT_FSYNC_EVERY", 50), run=get_run(crawler))

    @property
    def state(self):
        return self.run.state if self.run is not None else None

    def open_spider(self, spider=None):
        if self.path is None and self.run is not None:
            self.path = self.run.part_tmp_path()
            self.part_mode = True
        if self.path is None:
            logger.warning("no NEWSBOT_OUTPUT and no NEWSBOT_DATA_DIR: items are not written to a file")
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        cut = repair_tail(self.path)
        if cut:
            logger.warning("cut a torn last line (%d bytes) from %s", cut, self.path)
            self.stats.inc_value("newsbot/output/torn_bytes_repaired", cut)
        if self.state is not None and not self.part_mode:
            recovered = self.state.recover_output(self.path)
            if recovered:
                self.stats.inc_value("newsbot/output/recovered_lines", recovered)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.size = os.fstat(self.fd).st_size

    def process_item(self, item, spider=None):
        if self.fd is None:
            return item
        line = dumps_line(item)
        written = os.write(self.fd, line)
        if written != len(line):  # never expected on a regular file; finish the line rather than tear it
            os.write(self.fd, line[written:])
        self.size += len(line)
        self.count += 1
        if self.state is not None:
            with self.state.transaction():
                self.state.mark_written(ItemAdapter(item).asdict())
                self.state.set_committed_size(self.path, self.size)
        self.stats.inc_value("newsbot/items_written")
        if ItemAdapter(item).get("record_type") == "update":
            self.stats.inc_value("newsbot/items_written/update")
        if self.count % self.fsync_every == 0:
            os.fsync(self.fd)
        return item

    def close_spider(self, spider=None):
        if self.fd is None:
            return
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = None
        if not self.part_mode:
            return
        if self.count == 0:
            self.path.unlink(missing_ok=True)
        else:
            final = self.path.with_name(self.path.name[: -len(".tmp")])
            self.run.publish(self.path, final)
        if self.state is not None:
            self.state.forget_output(self.path)
