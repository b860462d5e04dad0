"""One crawl run of one site: its id, data directory, crawl state, lock and output parts.

Scheduled crawls (cron, scrapyd) write under ``NEWSBOT_DATA_DIR`` (``./data``)::

    data/state.sqlite                       crawl state shared by all sites (newsbot.state)
    data/<site>/<run-id>.jsonl              one part per run; appears only complete (temp + fsync + rename)
    data/<site>/<run-id>.jsonl.tmp          the part being written (readers ignore *.tmp)
    data/<site>/<run-id>.manifest.json      counts by outcome, time window, sha256 of the part, versions, health
    data/<site>/reports/runs.jsonl          one summary line per run: the history that drift checks read
    data/<site>/.lock                       held while a run of the site is going on

A run killed with SIGKILL leaves its ``.tmp`` part; the next run of the site (holding the lock) cuts a torn last
line, reads the part's lines into the crawl state and publishes it with a manifest marked ``recovered``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsbot import __version__
from newsbot.pipelines.jsonl import repair_tail
from newsbot.state import CrawlState, open_state, release_state

logger = logging.getLogger(__name__)


class SiteLocked(RuntimeError):
    pass


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_json_atomic(path: Path, obj) -> None:
    """Readers see the old file or the new one, never half of it."""
    tmp = path.with_name(path.name + ".tmp")
    data = json.dumps(obj, ensure_ascii=False, indent=2).encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def versions() -> dict[str, str]:
    import scrapy

    return {"newsbot": __version__, "scrapy": scrapy.__version__, "python": platform.python_version()}


@dataclass
class RunContext:
    site: str
    data_dir: Path
    run_id: str = field(default_factory=new_run_id)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    state: CrawlState | None = None
    lock_fd: int | None = None
    parts: list[dict] = field(default_factory=list)
    recovered_parts: list[str] = field(default_factory=list)

    @property
    def site_dir(self) -> Path:
        return self.data_dir / self.site

    def open(self, use_state: bool = True) -> None:
        self.site_dir.mkdir(parents=True, exist_ok=True)
        self._lock()
        if use_state:
            self.state = open_state(self.data_dir / "state.sqlite")
        self.recover_parts()

    def close(self) -> None:
        if self.state is not None:
            release_state(self.state)
            self.state = None
        if self.lock_fd is not None:
            fcntl.flock(self.lock_fd, fcntl.LOCK_UN)
            os.close(self.lock_fd)
            self.lock_fd = None

    def _lock(self) -> None:
        fd = os.open(self.site_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SiteLocked(f"another newsbot run of {self.site} holds {self.site_dir / '.lock'}") from None
        self.lock_fd = fd

    # -- parts ----------------------------------------------------------------------------------------------
    def part_tmp_path(self) -> Path:
        return self.site_dir / f"{self.run_id}.jsonl.tmp"

    def recover_parts(self) -> None:
        """Publish the parts of killed runs, after reading their lines into the state."""
        for tmp in sorted(self.site_dir.glob("*.jsonl.tmp")):
            cut = repair_tail(tmp)
            recovered = self.state.recover_output(tmp) if self.state else 0
            if tmp.stat().st_size == 0:
                tmp.unlink()
                if self.state:
                    self.state.forget_output(tmp)
                continue
            final = tmp.with_name(tmp.name[: -len(".tmp")])
            info = self.publish(tmp, final, recovered=True)
            if self.state:
                self.state.forget_output(tmp)
            run_id = final.name[: -len(".jsonl")]
            write_json_atomic(self.site_dir / f"{run_id}.manifest.json", {
                "run_id": run_id, "site": self.site, "recovered": True, "recovered_by": self.run_id,
                "torn_bytes_cut": cut, "items_recovered_into_state": recovered, "parts": [info],
                "versions": versions(),
            })
            self.recovered_parts.append(final.name)
            logger.warning("recovered part %s of a killed run (%d lines, %d torn bytes cut)", final.name,
                           info["lines"], cut)

    def publish(self, tmp: Path, final: Path, *, recovered: bool = False) -> dict:
        """fsync the finished part and rename it into place: readers see it whole or not at all."""
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        lines = 0
        with tmp.open("rb") as fh:
            for _ in fh:
                lines += 1
        info = {"file": final.name, "lines": lines, "bytes": tmp.stat().st_size, "sha256": sha256_file(tmp)}
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        if not recovered:
            self.parts.append(info)
        return info


def get_run(crawler) -> RunContext | None:
    """The run context of a crawler, created on first use when ``NEWSBOT_DATA_DIR`` is set."""
    run = getattr(crawler, "_newsbot_run", None)
    if run is not None or getattr(crawler, "_newsbot_run_checked", False):
        return run
    crawler._newsbot_run_checked = True
    data_dir = crawler.settings.get("NEWSBOT_DATA_DIR")
    spider_cls = getattr(crawler, "spidercls", None)
    profile = getattr(spider_cls, "profile", None)
    if not data_dir or profile is None:
        return None
    run = RunContext(site=profile.key, data_dir=Path(data_dir))
    run.open(use_state=crawler.settings.getbool("NEWSBOT_STATE", True))
    crawler._newsbot_run = run
    return run
