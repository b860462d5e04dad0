"""From many runs' lines to one row per article: latest version, filters, exact duplicates removed.

The crawl writes a line every time it fetches an article, and re-fetches write ``record_type: "update"`` lines
when the content changed. Analysts want the article as it stands now, once:

1. **latest version** — for each canonical URL (computed from ``url`` when an old line lacks it) the line with
   the greatest ``crawled_at`` wins; on a tie the later file / line wins (a re-run appended it later);
2. **filters** — site, section (case- and spacing-insensitive, sites print "KINH TẾ" and "Kinh tế"), publication
   date range. Filters run *before* content dedup, so ``--site A`` keeps A's copy of a story that B also ran;
3. **exact duplicates** — the same fingerprint (folded title + body) under two URLs is one article; the copy
   published first is kept (it is the likeliest original), then the first crawled.

Rows are plain dicts in a fixed shape (:func:`make_row`); the writers type them per format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from newsbot.export.reader import Record, parse_crawled_at
from newsbot.text import fold_for_key

EXTRACTOR_KEYS = ("name", "version", "profile", "family", "layout", "fallback_fields")


@dataclass(frozen=True)
class Filters:
    """Which articles the export keeps; empty sets and None mean "no restriction"."""

    sites: frozenset[str] = frozenset()
    sections: frozenset[str] = frozenset()  # folded with fold_for_key
    since: date | None = None
    until: date | None = None

    @classmethod
    def build(
        cls,
        sites: Iterable[str] = (),
        sections: Iterable[str] = (),
        since: date | str | None = None,
        until: date | str | None = None,
    ) -> Filters:
        """Normalise user input (comma lists, case, ISO strings) once, so matching is a set lookup."""
        site_set = {s.strip().lower() for v in sites for s in v.split(",") if s.strip()}
        section_set = {fold_for_key(s) for v in sections for s in v.split(",") if s.strip()}
        return cls(frozenset(site_set), frozenset(section_set), _as_date(since), _as_date(until))

    def match(self, row: dict[str, Any]) -> bool:
        if self.sites and row["site"].lower() not in self.sites:
            return False
        if self.sections and fold_for_key(row.get("section") or "") not in self.sections:
            return False
        day = row["published_date"]
        if self.since and day < self.since.isoformat():
            return False
        if self.until and day > self.until.isoformat():
            return False
        return True

    def describe(self) -> dict[str, Any]:
        return {
            "sites": sorted(self.sites),
            "sections": sorted(self.sections),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


@dataclass
class DatasetStats:
    """What each stage removed, for the command's summary and the dataset card."""

    input_records: int = 0
    versions_superseded: int = 0
    updates_seen: int = 0
    filtered_out: int = 0
    exact_duplicates: int = 0
    rows: int = 0
    near_duplicates_dropped: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "extra"}
        out.update(self.extra)
        return out


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def make_row(data: dict[str, Any]) -> dict[str, Any]:
    """The export's row for one input line: schema fields in schema order, gaps filled, date parts derived.

    Derived: ``published_date`` (always set: the day part, already in +07:00), ``published_has_time`` (False for
    date-only pages, so the typed formats can keep a null timestamp without losing the day) and the same two for
    ``updated_at``. ``canonical_url`` and ``fingerprint`` are computed when an older line lacks them.
    """
    url = data["url"]
    canon = data.get("canonical_url")
    if not canon:
        from newsbot.urls import canonical_url

        canon = canonical_url(url)
    fp = data.get("fingerprint")
    if not fp:
        from newsbot.items import content_fingerprint  # imports scrapy: only for pre-fingerprint lines

        fp = content_fingerprint(data.get("title"), data.get("body"))
    ext = data.get("extractor") or {}
    extractor = {k: ext.get(k) for k in EXTRACTOR_KEYS}
    extractor["fallback_fields"] = [str(x) for x in ext.get("fallback_fields") or []]
    pub = data["published_at"]
    upd = _opt_str(data.get("updated_at"))
    return {
        "url": url,
        "canonical_url": canon,
        "site": data["site"],
        "section": _opt_str(data.get("section")),
        "title": data["title"],
        "lead": _opt_str(data.get("lead")),
        "body": data["body"],
        "authors": list(data.get("authors") or []),
        "source": _opt_str(data.get("source")),
        "published_at": pub,
        "published_date": pub[:10],
        "published_has_time": len(pub) > 10,
        "published_at_raw": _opt_str(data.get("published_at_raw")),
        "updated_at": upd,
        "updated_date": upd[:10] if upd else None,
        "updated_has_time": (len(upd) > 10) if upd else None,
        "updated_at_raw": _opt_str(data.get("updated_at_raw")),
        "captions": [
            {k: _opt_str(c.get(k)) for k in ("text", "credit", "image_url")} for c in data.get("captions") or []
        ],
        "tags": list(data.get("tags") or []),
        "fingerprint": fp,
        "crawled_at": data["crawled_at"],
        "extractor": extractor,
    }


def publication_order(row: dict[str, Any]) -> tuple:
    """Earliest publication first; a date-only value sorts before times of the same day (it may be earlier)."""
    return (row["published_date"], row["published_at"][11:] if row["published_has_time"] else "",
            row["crawled_at"], row["canonical_url"])


def latest_versions(
    records: Iterable[Record], stats: DatasetStats, on_record: Callable[[], None] | None = None
) -> list[dict[str, Any]]:
    """Keep, per canonical URL, the version with the greatest ``crawled_at`` (ties: the later file / line).

    Only the current winner of each key is held, so memory grows with articles, not with fetches.
    """
    best: dict[str, tuple[datetime, int, dict[str, Any]]] = {}
    for rec in records:
        stats.input_records += 1
        if rec.data.get("record_type") == "update":
            stats.updates_seen += 1
        row = make_row(rec.data)
        key = row["canonical_url"]
        crawled = parse_crawled_at(row["crawled_at"])
        held = best.get(key)
        if held is None:
            best[key] = (crawled, rec.seq, row)
        else:
            stats.versions_superseded += 1
            if (crawled, rec.seq) >= (held[0], held[1]):
                best[key] = (crawled, rec.seq, row)
        if on_record:
            on_record()
    return [entry[2] for entry in best.values()]


def drop_exact_duplicates(rows: list[dict[str, Any]], stats: DatasetStats) -> list[dict[str, Any]]:
    """One row per fingerprint: the earliest published copy (then earliest crawled, then URL)."""
    keep: dict[str, dict[str, Any]] = {}
    for row in rows:
        held = keep.get(row["fingerprint"])
        if held is None:
            keep[row["fingerprint"]] = row
        else:
            stats.exact_duplicates += 1
            if publication_order(row) < publication_order(held):
                keep[row["fingerprint"]] = row
    return list(keep.values())


def output_order(row: dict[str, Any]) -> tuple:
    """Rows are written by site, then publication time: stable across runs, and partitions come out contiguous."""
    return (row["site"],) + publication_order(row)


def build_dataset(
    records: Iterable[Record],
    filters: Filters | None = None,
    *,
    on_record: Callable[[], None] | None = None,
) -> tuple[list[dict[str, Any]], DatasetStats]:
    """Latest version -> filters -> exact dedup -> sorted rows; stats say what each step removed."""
    filters = filters or Filters()
    stats = DatasetStats()
    rows = latest_versions(records, stats, on_record)
    kept = [r for r in rows if filters.match(r)]
    stats.filtered_out = len(rows) - len(kept)
    kept = drop_exact_duplicates(kept, stats)
    kept.sort(key=output_order)
    stats.rows = len(kept)
    return kept, stats
