"""Read every run's JSON Lines, plain or gzip, and report bad lines instead of failing on them.

A crawl that was killed, a disk that filled up or a hand-edited file can leave a torn or garbled line in one part
file among hundreds. Refusing the whole export for that would make the dataset hostage to its worst file, and
silently dropping the line would hide data loss. So each unusable line is reported with its file and line number,
counted, and skipped; the export goes on.

"Unusable" is decided here once, before any typing: a line must be UTF-8 JSON holding an object with the fields
the dataset is keyed and typed on (url, site, title, body, published_at, crawled_at), with list / object fields of
the right shape. Anything else the schema allows is passed through untouched; fields this code does not know
(``record_type`` from crawl state, future additions) are ignored rather than rejected.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GZIP_MAGIC = b"\x1f\x8b"
INPUT_SUFFIXES = (".jsonl", ".jsonl.gz")
PUBLISHED_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}\+07:00)?$")
CRAWLED_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
MAX_STORED_ISSUES = 1000


@dataclass(frozen=True)
class Issue:
    """One line (or file) that could not be used: where it is and why, so it can be found and fixed."""

    path: str
    line: int | None  # None: the problem is the file itself (unreadable, truncated gzip)
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass
class ReadReport:
    """Counts of what was read, so the dataset card and the command can say what went in and what was lost."""

    files: list[str] = field(default_factory=list)
    lines: int = 0
    blank_lines: int = 0
    records: int = 0
    malformed: int = 0
    file_errors: int = 0
    issues: list[Issue] = field(default_factory=list)

    def add_issue(self, issue: Issue) -> None:
        if issue.line is None:
            self.file_errors += 1
        else:
            self.malformed += 1
        if len(self.issues) < MAX_STORED_ISSUES:
            self.issues.append(issue)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": len(self.files),
            "lines": self.lines,
            "blank_lines": self.blank_lines,
            "records": self.records,
            "malformed_lines": self.malformed,
            "file_errors": self.file_errors,
        }


@dataclass(frozen=True)
class Record:
    """One usable input line with its provenance; ``seq`` orders lines across files for tie-breaking."""

    data: dict[str, Any]
    path: str
    line: int
    seq: int


# Folders of a data directory that hold crawl bookkeeping, not articles (newsbot.run: reports/runs.jsonl).
NOT_DATA_DIRS = frozenset({"reports"})


def is_input_file(path: Path) -> bool:
    """True for run output (``*.jsonl``, ``*.jsonl.gz``); manifests, state files and temp files are not data."""
    name = path.name
    return not name.startswith(".") and name.endswith(INPUT_SUFFIXES)


def find_input_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand the command's inputs into data files, in a stable order.

    A directory is searched recursively and its files are taken in sorted path order (run part files are named
    so that this is also run order); files named explicitly keep the order given. The order only matters for
    tie-breaking two versions with the same ``crawled_at``, where the later file wins.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                (f for f in p.rglob("*") if f.is_file() and is_input_file(f)
                 and not any(part.startswith(".") or part in NOT_DATA_DIRS for part in f.relative_to(p).parts)),
                key=lambda f: f.as_posix(),
            )
        elif p.exists():
            found = [p]
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")
        for f in found:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def parse_crawled_at(value: str) -> datetime:
    """``...Z`` (with optional fraction of any length) -> aware UTC datetime.

    Compared as datetimes, not strings: "…00.5Z" sorts before "…00Z" as text although it is later.
    """
    base, _, frac = value[:-1].partition(".")
    dt = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    if frac:
        dt = dt.replace(microsecond=int(frac[:6].ljust(6, "0")))
    return dt


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def check_record(obj: Any) -> str | None:
    """Return why ``obj`` cannot become a dataset row, or None when it can.

    Deliberately narrower than the JSON Schema: only what keying, filtering and typing rely on is enforced, so an
    old run written before a schema addition still exports.
    """
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    problems = []
    for name in ("url", "site", "title"):
        if not isinstance(obj.get(name), str) or not obj[name].strip():
            problems.append(f"{name} missing or empty")
    if not isinstance(obj.get("body"), str):
        problems.append("body missing")
    if isinstance(obj.get("url"), str) and not obj["url"].startswith(("http://", "https://")):
        problems.append("url is not http(s)")
    pub = obj.get("published_at")
    if not isinstance(pub, str) or not PUBLISHED_RE.match(pub):
        problems.append(f"published_at not YYYY-MM-DD[THH:MM:SS+07:00]: {pub!r}")
    upd = obj.get("updated_at")
    if upd is not None and (not isinstance(upd, str) or not PUBLISHED_RE.match(upd)):
        problems.append(f"updated_at not YYYY-MM-DD[THH:MM:SS+07:00]: {upd!r}")
    crawled = obj.get("crawled_at")
    if not isinstance(crawled, str) or not CRAWLED_RE.match(crawled):
        problems.append(f"crawled_at not UTC ISO ...Z: {crawled!r}")
    for name in ("authors", "tags"):
        if obj.get(name) is not None and not _is_str_list(obj[name]):
            problems.append(f"{name} is not a list of strings")
    caps = obj.get("captions")
    if caps is not None and not (isinstance(caps, list) and all(isinstance(c, dict) for c in caps)):
        problems.append("captions is not a list of objects")
    ext = obj.get("extractor")
    if ext is not None and not isinstance(ext, dict):
        problems.append("extractor is not an object")
    for name in ("canonical_url", "section", "lead", "source", "published_at_raw", "updated_at_raw", "fingerprint"):
        if obj.get(name) is not None and not isinstance(obj[name], str):
            problems.append(f"{name} is not a string")
    if problems:
        return "; ".join(problems)
    try:
        parse_crawled_at(crawled)
        datetime.strptime(pub[:10], "%Y-%m-%d")
        if upd:
            datetime.strptime(upd[:10], "%Y-%m-%d")
    except ValueError as exc:  # 2026-02-30 matches the pattern but is no date
        return f"invalid date: {exc}"
    return None


def _open_binary(path: Path):
    raw = path.open("rb")
    head = raw.read(2)
    raw.seek(0)
    if head == GZIP_MAGIC:  # by content, not name: a renamed or half-renamed part file still reads
        return raw, gzip.GzipFile(fileobj=raw, mode="rb")
    return raw, raw


def read_records(
    files: Iterable[Path],
    report: ReadReport,
    *,
    on_issue: Callable[[Issue], None] | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[Record]:
    """Yield each usable line of ``files`` as a :class:`Record`; report the rest and go on.

    ``on_issue`` sees every issue as it happens (the command prints them); ``on_bytes`` gets the on-disk bytes
    consumed, for a progress bar sized by total file size.
    """

    def issue(path: Path, line: int | None, reason: str) -> None:
        item = Issue(str(path), line, reason)
        report.add_issue(item)
        if on_issue:
            on_issue(item)

    seq = 0
    for path in files:
        report.files.append(str(path))
        try:
            raw, stream = _open_binary(path)
        except OSError as exc:
            issue(path, None, f"cannot open: {exc}")
            continue
        lineno = 0
        last_pos = 0
        try:
            with raw:
                while True:
                    try:
                        line = stream.readline()
                    except (EOFError, OSError, zlib.error) as exc:  # truncated / corrupt gzip stream
                        issue(path, None, f"unreadable after line {lineno}: {exc or type(exc).__name__}")
                        break
                    if on_bytes:
                        pos = raw.tell()
                        on_bytes(pos - last_pos)
                        last_pos = pos
                    if not line:
                        break
                    lineno += 1
                    report.lines += 1
                    if not line.strip():
                        report.blank_lines += 1
                        continue
                    try:
                        obj = json.loads(line.decode("utf-8"))
                    except UnicodeDecodeError as exc:
                        issue(path, lineno, f"not UTF-8: {exc.reason} at byte {exc.start}")
                        continue
                    except json.JSONDecodeError as exc:
                        issue(path, lineno, f"invalid JSON at column {exc.colno}: {exc.msg.removesuffix(' at')}")
                        continue
                    reason = check_record(obj)
                    if reason:
                        issue(path, lineno, reason)
                        continue
                    seq += 1
                    report.records += 1
                    yield Record(obj, str(path), lineno, seq)
        finally:
            if stream is not raw:
                stream.close()
