"""Write the dataset rows as JSON Lines (optionally gzip), Parquet or CSV, optionally hive-partitioned.

Each format serves a different reader, so each is typed for its reader rather than being one dump three ways:

- **JSONL** keeps the crawl's line shape (nested ``extractor``, ``published_at`` as the crawl wrote it, date-only
  or with time) plus the derived columns: a drop-in for anything that already reads newsbot output.
- **Parquet** is typed: zone-aware timestamps, a ``date32`` for the day (date-only pages have no timestamp),
  list and struct columns, so pandas / DuckDB / Arrow get real types without parsing.
- **CSV** is flat, for spreadsheets and tools without nested types: lists and captions are JSON text.

Column meanings live in one table (:data:`COLUMNS`) that the dataset card and ``docs/export.md`` repeat, so the
three formats cannot drift apart silently. Output is written to a temporary name and renamed into place, so a
failed export never leaves a half-written file where the previous good one was.
"""

from __future__ import annotations

import csv
import gzip as gzip_mod
import io
import json
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from newsbot.export import EXPORT_FORMATS, ZONE_NAME
from newsbot.export.reader import parse_crawled_at

PARTITION_KEYS = ("site", "month")
MARKER = "_newsbot_export.json"
CLUSTER_COLUMNS = ("cluster_id", "cluster_size", "is_cluster_representative")


@dataclass(frozen=True)
class Column:
    """One dataset column: its Parquet type, how CSV spells it, and what it means."""

    name: str
    parquet: str
    csv: str
    doc: str


COLUMNS: tuple[Column, ...] = (
    Column("url", "string", "text", "Article page URL as fetched."),
    Column("canonical_url", "string", "text", "Dedup key: the URL with scheme, host prefix, slash, tracking folded."),
    Column("site", "string", "text", "Domain key of the site profile, e.g. baocantho.com.vn."),
    Column("section", "string", "text", "Section name as the page prints it (null if none)."),
    Column("title", "string", "text", "Headline."),
    Column("lead", "string", "text", "Sapo / lead paragraph when the template sets it apart, else null."),
    Column("body", "string", "text", "Article text; paragraphs joined by a blank line (\\n\\n)."),
    Column("authors", "list<string>", "JSON array", "Credited people / pen names."),
    Column("source", "string", "text", "Wire or origin credited ('Theo X', 'Nguồn: X'), else null."),
    Column("published_at", "timestamp[us, tz=Asia/Ho_Chi_Minh]", "ISO 8601 +07:00 or empty",
           "Publication time; null when the page gives only a date (see published_date)."),
    Column("published_date", "date32", "YYYY-MM-DD", "Publication day in Vietnam time; always set."),
    Column("published_has_time", "bool", "true/false", "False when the page gave a date without a time."),
    Column("published_at_raw", "string", "text", "The date string as printed on the page."),
    Column("updated_at", "timestamp[us, tz=Asia/Ho_Chi_Minh]", "ISO 8601 +07:00 or empty",
           "Update time when the page shows one with a time, else null."),
    Column("updated_date", "date32", "YYYY-MM-DD or empty", "Update day when the page shows one, else null."),
    Column("updated_has_time", "bool", "true/false or empty", "Null when no update is shown."),
    Column("updated_at_raw", "string", "text", "The update string as printed."),
    Column("captions", "list<struct<text, credit, image_url: string>>", "JSON array of objects",
           "Image captions in page order; credit is the photographer / agency."),
    Column("tags", "list<string>", "JSON array", "Tag labels shown with the article."),
    Column("fingerprint", "string", "text", "sha1 of folded title + body: the exact-duplicate key."),
    Column("crawled_at", "timestamp[us, tz=UTC]", "ISO 8601 UTC ...Z", "When this version was fetched."),
    Column("extractor", "struct<name, version, profile, family, layout: string, fallback_fields: list<string>>",
           "extractor_* columns (fallback_fields as JSON array)",
           "Provenance: newsbot version, site profile, template family / layout, fields the generic fallback filled."),
    Column("cluster_id", "string", "text", "Near-duplicate cluster, named after its representative (nd-<16 hex>)."),
    Column("cluster_size", "int32", "integer", "Articles in the cluster (1 = no near-duplicate found)."),
    Column("is_cluster_representative", "bool", "true/false",
           "True for the earliest-published article of its cluster."),
)
EXTRACTOR_FIELDS = ("name", "version", "profile", "family", "layout", "fallback_fields")


def column_names(rows: Sequence[dict[str, Any]] | None = None, *, near_dup: bool | None = None) -> list[str]:
    """Dataset columns in order; the cluster columns only when near-duplicate detection ran."""
    if near_dup is None:
        near_dup = bool(rows) and "cluster_id" in rows[0]
    return [c.name for c in COLUMNS if near_dup or c.name not in CLUSTER_COLUMNS]


def csv_column_names(near_dup: bool) -> list[str]:
    """CSV header: the dataset columns with ``extractor`` spread into ``extractor_<field>`` columns."""
    out = []
    for name in column_names(near_dup=near_dup):
        if name == "extractor":
            out.extend(f"extractor_{k}" for k in EXTRACTOR_FIELDS)
        else:
            out.append(name)
    return out


# --- per-format row encoding ------------------------------------------------------------------------------------
def jsonl_record(row: dict[str, Any]) -> dict[str, Any]:
    """The row as written to JSONL: the crawl's line shape plus derived and cluster columns."""
    return {name: row[name] for name in column_names([row])}


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _csv_scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_record(row: dict[str, Any]) -> dict[str, str]:
    """Flatten a row for CSV: lists / captions as JSON text, extractor spread out, timestamps only with a time."""
    near_dup = "cluster_id" in row
    out: dict[str, str] = {}
    for name in column_names(near_dup=near_dup):
        value = row[name]
        if name == "extractor":
            for k in EXTRACTOR_FIELDS:
                v = value.get(k)
                out[f"extractor_{k}"] = _json_text(v or []) if k == "fallback_fields" else _csv_scalar(v)
        elif name in ("authors", "tags", "captions"):
            out[name] = _json_text(value)
        elif name == "published_at":
            out[name] = value if row["published_has_time"] else ""
        elif name == "updated_at":
            out[name] = value if value and row["updated_has_time"] else ""
        else:
            out[name] = _csv_scalar(value)
    return out


def arrow_schema(near_dup: bool, drop: Iterable[str] = ()):
    """The Parquet schema (see :data:`COLUMNS`); ``drop`` removes hive partition columns from the files."""
    import pyarrow as pa

    ts_local = pa.timestamp("us", tz=ZONE_NAME)
    caption = pa.struct([("text", pa.string()), ("credit", pa.string()), ("image_url", pa.string())])
    extractor = pa.struct([(k, pa.string()) for k in EXTRACTOR_FIELDS[:-1]]
                          + [("fallback_fields", pa.list_(pa.string()))])
    types = {
        "authors": pa.list_(pa.string()),
        "tags": pa.list_(pa.string()),
        "captions": pa.list_(caption),
        "published_at": ts_local,
        "updated_at": ts_local,
        "published_date": pa.date32(),
        "updated_date": pa.date32(),
        "published_has_time": pa.bool_(),
        "updated_has_time": pa.bool_(),
        "crawled_at": pa.timestamp("us", tz="UTC"),
        "extractor": extractor,
        "cluster_size": pa.int32(),
        "is_cluster_representative": pa.bool_(),
    }
    docs = {c.name: c.doc for c in COLUMNS}
    dropped = set(drop)
    fields = [
        pa.field(name, types.get(name, pa.string()), metadata={"description": docs[name]})
        for name in column_names(near_dup=near_dup) if name not in dropped
    ]
    from newsbot import __version__

    return pa.schema(fields, metadata={"newsbot.version": __version__, "newsbot.timezone": ZONE_NAME})


def _local_ts(value: str | None, has_time: bool | None) -> datetime | None:
    return datetime.fromisoformat(value) if value and has_time else None


def arrow_table(rows: Sequence[dict[str, Any]], near_dup: bool, drop: Iterable[str] = ()):
    """Rows -> a typed ``pyarrow.Table``: strings parsed to timestamps / dates once, here."""
    import pyarrow as pa

    schema = arrow_schema(near_dup, drop)
    converters: dict[str, Callable[[dict[str, Any]], Any]] = {
        "published_at": lambda r: _local_ts(r["published_at"], r["published_has_time"]),
        "updated_at": lambda r: _local_ts(r["updated_at"], r["updated_has_time"]),
        "published_date": lambda r: date.fromisoformat(r["published_date"]),
        "updated_date": lambda r: date.fromisoformat(r["updated_date"]) if r["updated_date"] else None,
        "crawled_at": lambda r: parse_crawled_at(r["crawled_at"]),
    }
    arrays = []
    for f in schema:
        conv = converters.get(f.name)
        values = [conv(r) for r in rows] if conv else [r[f.name] for r in rows]
        arrays.append(pa.array(values, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


# --- files and partitions ---------------------------------------------------------------------------------------
@dataclass
class WriteResult:
    """Where the data went: the output (file or directory), the data files and rows per partition."""

    output: Path
    files: list[Path] = field(default_factory=list)
    partitions: dict[str, int] = field(default_factory=dict)
    partitioned: bool = False


def data_suffix(fmt: str, gzip: bool) -> str:
    """File suffix per format: ``.jsonl`` / ``.jsonl.gz`` / ``.parquet`` / ``.csv``."""
    return {"jsonl": ".jsonl.gz" if gzip else ".jsonl", "parquet": ".parquet", "csv": ".csv"}[fmt]


def partition_key(row: dict[str, Any], keys: Sequence[str]) -> tuple[str, ...]:
    """Hive partition values of a row: ``site`` as is, ``month`` as YYYY-MM of the publication day."""
    values = {"site": row["site"], "month": row["published_date"][:7]}
    return tuple(values[k] for k in keys)


def partition_path(keys: Sequence[str], values: Sequence[str]) -> str:
    """``site=baocantho.com.vn/month=2026-01``, values escaped as Hive does (``/`` and ``=`` cannot leak)."""
    return "/".join(f"{k}={quote(v, safe='.-_ ')}" for k, v in zip(keys, values, strict=True))


def _write_rows_file(
    path: Path,
    rows: Sequence[dict[str, Any]],
    fmt: str,
    *,
    gzip: bool,
    near_dup: bool,
    drop: Sequence[str],
    on_rows: Callable[[int], None] | None,
) -> None:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(arrow_table(rows, near_dup, drop), path, compression="zstd")
        if on_rows:
            on_rows(len(rows))
        return
    # gzip with a fixed mtime and no name: same rows, same bytes, so re-exports diff cleanly
    with path.open("wb") as raw:
        stream = gzip_mod.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") if gzip else raw
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        try:
            if fmt == "jsonl":
                for row in rows:
                    text.write(_json_text(jsonl_record(row)) + "\n")
                    if on_rows:
                        on_rows(1)
            else:
                writer = csv.DictWriter(text, fieldnames=csv_column_names(near_dup), lineterminator="\n")
                writer.writeheader()
                for row in rows:
                    writer.writerow(csv_record(row))
                    if on_rows:
                        on_rows(1)
        finally:
            text.flush()
            text.detach()
            if stream is not raw:
                stream.close()


def _tmp_sibling(path: Path, tag: str) -> Path:
    return path.with_name(f".{path.name}.{tag}-{os.getpid()}")


def write_dataset(
    rows: Sequence[dict[str, Any]],
    out: str | Path,
    fmt: str,
    *,
    gzip: bool = False,
    partition_by: Sequence[str] = (),
    overwrite: bool = False,
    near_dup: bool | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> WriteResult:
    """Write ``rows`` to ``out`` in ``fmt``; with ``partition_by``, ``out`` is a directory of hive partitions.

    Partitioned Parquet files leave the partition columns out (the Arrow / Spark / Hive convention: the values
    live in the path, and pandas and pyarrow refuse a column that is in both); partitioned JSONL and CSV files
    keep every column, since their readers do not reassemble partitions and a file should stand on its own.

    An existing partitioned output is replaced only with ``overwrite`` and only if a previous export wrote it
    (marker file), so a typo in ``-o`` cannot delete an unrelated directory. ``near_dup`` says whether the cluster
    columns belong in the schema (default: whether the rows carry them); pass it so an empty export still has
    the same columns as a full one.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    if gzip and fmt != "jsonl":
        raise ValueError("gzip is supported for jsonl only (Parquet is compressed with zstd already)")
    bad = [k for k in partition_by if k not in PARTITION_KEYS]
    if bad:
        raise ValueError(f"cannot partition by {', '.join(bad)}; choose from {', '.join(PARTITION_KEYS)}")
    out = Path(out)
    if near_dup is None:
        near_dup = bool(rows) and "cluster_id" in rows[0]
    out.parent.mkdir(parents=True, exist_ok=True)
    if not partition_by:
        if out.is_dir():
            raise IsADirectoryError(f"{out} is a directory; give a file name (or --partition-by for a directory)")
        tmp = _tmp_sibling(out, "tmp")
        try:
            _write_rows_file(tmp, rows, fmt, gzip=gzip, near_dup=near_dup, drop=(), on_rows=on_rows)
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
        return WriteResult(out, [out], {"": len(rows)})

    keys = list(partition_by)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if not overwrite:
            raise FileExistsError(f"{out} exists; pass --overwrite to replace a previous export")
        if not (out / MARKER).exists():
            raise FileExistsError(f"{out} exists and was not written by newsbot export ({MARKER} missing); "
                                  "refusing to replace it")
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(partition_key(row, keys), []).append(row)
    tmp_dir = _tmp_sibling(out, "tmp")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    result = WriteResult(out, partitioned=True)
    drop = keys if fmt == "parquet" else []
    try:
        tmp_dir.mkdir(parents=True)
        for values in sorted(groups):
            rel = partition_path(keys, values)
            (tmp_dir / rel).mkdir(parents=True, exist_ok=True)
            name = "part-0" + data_suffix(fmt, gzip)
            _write_rows_file(tmp_dir / rel / name, groups[values], fmt, gzip=gzip, near_dup=near_dup, drop=drop,
                             on_rows=on_rows)
            result.files.append(out / rel / name)
            result.partitions[rel] = len(groups[values])
        (tmp_dir / MARKER).write_text(_json_text({"format": fmt, "partition_by": keys, "rows": len(rows),
                                                  "partitions": result.partitions}) + "\n", "utf-8")
        if out.exists():
            old = _tmp_sibling(out, "old")
            os.replace(out, old)
            os.replace(tmp_dir, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp_dir, out)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return result
