"""``newsbot export``: the command that turns every run's JSON Lines into one dataset plus its card.

Wired into ``newsbot/cli.py`` with :func:`add_export_parser`; this module imports only the standard library and
newsbot's light modules at load time, so registering the subcommand costs ``newsbot crawl`` nothing. pyarrow,
datasketch, matplotlib and tqdm are imported when the export runs (the ``[export]`` extra).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from newsbot.export import DEFAULT_NEAR_DUP_THRESHOLD as DEFAULT_THRESHOLD
from newsbot.export import EXPORT_FORMATS

NEAR_DUP_MODES = ("mark", "keep-one", "off")
MAX_PRINTED_ISSUES = 20
DEFAULT_DATA_DIR = "data"


def _date_arg(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _threshold_arg(value: str) -> float:
    t = float(value)
    if not 0.0 < t <= 1.0:
        raise argparse.ArgumentTypeError("threshold must be in (0, 1]")
    return t


def add_export_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``export`` on the ``newsbot`` subparsers; the handler is set as ``func`` like the other commands."""
    p = subparsers.add_parser(
        "export",
        help="export every run's JSON Lines as one deduplicated dataset (jsonl, parquet, csv) with a card",
        description="Read run output (JSONL / JSONL.gz), keep the latest version of each article, drop exact "
                    "duplicates, mark or drop near-duplicates, filter, and write one dataset plus a dataset card "
                    "(OUT.card.md, OUT.card.json, OUT.per_month.png). See docs/export.md.",
    )
    p.add_argument("inputs", nargs="*", metavar="FILE",
                   help="JSONL / JSONL.gz files or directories to read (default: --data-dir)")
    p.add_argument("--data-dir", metavar="DIR", help=f"read every *.jsonl[.gz] under DIR (default: {DEFAULT_DATA_DIR})")
    p.add_argument("--format", choices=EXPORT_FORMATS, help="output format (default: from -o's suffix)")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file, or directory with --partition-by")
    p.add_argument("--gzip", action="store_true", help="gzip JSON Lines output (implied by -o *.jsonl.gz)")
    p.add_argument("--site", action="append", default=[], metavar="S", help="keep only these sites (repeat or comma)")
    p.add_argument("--section", action="append", default=[], metavar="NAME",
                   help="keep only these sections, case-insensitive (repeat or comma)")
    p.add_argument("--since", type=_date_arg, metavar="YYYY-MM-DD", help="published on or after this day")
    p.add_argument("--until", type=_date_arg, metavar="YYYY-MM-DD", help="published on or before this day")
    p.add_argument("--partition-by", default="", metavar="KEYS",
                   help="hive-partition the output directory by 'site', 'month' or 'site,month'")
    p.add_argument("--near-dup", choices=NEAR_DUP_MODES, default="mark",
                   help="mark: add cluster_id / cluster_size / is_cluster_representative (default); keep-one: "
                        "keep only each cluster's earliest article; off: skip detection")
    p.add_argument("--near-dup-threshold", type=_threshold_arg, default=DEFAULT_THRESHOLD, metavar="J",
                   help=f"shingle Jaccard at which two articles are near-duplicates (default {DEFAULT_THRESHOLD})")
    p.add_argument("--no-card", action="store_true", help="do not write the dataset card")
    p.add_argument("--no-chart", action="store_true", help="write the card without the PNG chart")
    p.add_argument("--overwrite", action="store_true", help="replace an existing partitioned export directory")
    p.add_argument("--strict", action="store_true", help="exit 1 when any input line was malformed (still exports)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars and no summary")
    p.set_defaults(func=cmd_export)
    return p


def infer_format(output: str, fmt: str | None, gzip: bool) -> tuple[str, bool]:
    """The format and gzip flag from ``--format`` / ``--gzip`` and the output's suffix (flags win)."""
    name = output.lower()
    if name.endswith(".gz"):
        gzip = True
        name = name[:-3]
    if fmt is None:
        for candidate in EXPORT_FORMATS:
            if name.endswith("." + candidate):
                fmt = candidate
                break
    if fmt is None:
        raise ValueError(f"cannot tell the format of {output!r}; pass --format {{{','.join(EXPORT_FORMATS)}}}")
    return fmt, gzip


class _Progress:
    """tqdm bars on stderr when it is a terminal (and not --quiet); no-ops otherwise, or without tqdm."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tqdm = None
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                self.enabled = False
            else:
                self.tqdm = tqdm

    def bar(self, **kwargs: Any):
        if not self.enabled or self.tqdm is None:
            return _NoBar()
        return self.tqdm(file=sys.stderr, leave=False, dynamic_ncols=True, **kwargs)

    def write(self, message: str) -> None:
        if self.enabled and self.tqdm is not None:
            self.tqdm.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)


class _NoBar:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def cmd_export(args: argparse.Namespace) -> int:
    """Run the export; 0 on success (malformed lines are reported, not fatal), 1 with --strict, 2 on usage."""
    from newsbot.export.dataset import Filters, build_dataset
    from newsbot.export.reader import Issue, ReadReport, find_input_files, read_records

    err: Callable[[str], None] = lambda msg: print(f"newsbot export: {msg}", file=sys.stderr)  # noqa: E731
    try:
        fmt, gzip = infer_format(args.output, args.format, args.gzip)
    except ValueError as exc:
        err(str(exc))
        return 2
    if gzip and fmt != "jsonl":
        err("--gzip / .gz applies to jsonl only")
        return 2
    partition_by = [k.strip() for k in args.partition_by.split(",") if k.strip()]
    if any(k not in ("site", "month") for k in partition_by) or len(set(partition_by)) != len(partition_by):
        err(f"--partition-by takes site, month or site,month, not {args.partition_by!r}")
        return 2
    sources = list(args.inputs) + ([args.data_dir] if args.data_dir else [])
    if not sources:
        sources = [DEFAULT_DATA_DIR]
    try:
        files = find_input_files(sources)
    except FileNotFoundError as exc:
        err(str(exc))
        return 2
    target = Path(args.output).resolve()
    files = [f for f in files if f.resolve() != target and target not in f.resolve().parents]  # not our own output
    if not files:
        err(f"no *.jsonl or *.jsonl.gz files in {', '.join(map(str, sources))}")
        return 1
    try:
        filters = Filters.build(args.site, args.section, args.since, args.until)
    except ValueError as exc:
        err(str(exc))
        return 2

    progress = _Progress(enabled=not args.quiet and sys.stderr.isatty())
    report = ReadReport()
    printed = 0

    def on_issue(issue: Issue) -> None:
        nonlocal printed
        printed += 1
        if printed <= MAX_PRINTED_ISSUES:
            progress.write(f"newsbot export: skipped {issue}")
        elif printed == MAX_PRINTED_ISSUES + 1:
            progress.write("newsbot export: more malformed lines follow; counts in the summary and the card")

    total_bytes = sum(f.stat().st_size for f in files)
    with progress.bar(total=total_bytes, unit="B", unit_scale=True, desc="read") as bar:
        records = read_records(files, report, on_issue=on_issue, on_bytes=bar.update)
        rows, stats = build_dataset(records, filters)

    near_dup_info: dict[str, Any] = {"mode": args.near_dup}
    if args.near_dup != "off" and rows:
        try:
            from newsbot.export.neardup import annotate_rows
        except ImportError as exc:  # pragma: no cover - depends on the environment
            err(f"near-duplicate detection needs datasketch ({exc}); install newsbot[export] or use --near-dup off")
            return 2
        before = len(rows)
        with progress.bar(total=len(rows), unit="art", desc="near-dup") as bar:
            rows, result = annotate_rows(rows, threshold=args.near_dup_threshold,
                                         keep_one=args.near_dup == "keep-one", on_item=bar.update)
        stats.near_duplicates_dropped = before - len(rows)
        stats.rows = len(rows)
        near_dup_info.update({"threshold": args.near_dup_threshold,
                              "clusters_with_duplicates": result.clusters_with_duplicates,
                              "rows_in_duplicate_clusters": result.rows_in_duplicate_clusters})

    from newsbot.export.writers import write_dataset

    try:
        with progress.bar(total=len(rows), unit="row", desc="write") as bar:
            written = write_dataset(rows, Path(args.output), fmt, gzip=gzip, partition_by=partition_by,
                                    overwrite=args.overwrite, near_dup=args.near_dup != "off",
                                    on_rows=bar.update)
    except (FileExistsError, IsADirectoryError, ValueError) as exc:
        err(str(exc))
        return 2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        err(f"{fmt} output needs the export extra ({exc}); install newsbot[export]")
        return 2

    pipeline = {**report.as_dict(), **stats.as_dict()}
    summary: dict[str, Any] = {"output": str(written.output), "format": fmt, "gzip": gzip,
                               "partitions": len(written.partitions) if written.partitioned else 0,
                               **pipeline, "near_dup": near_dup_info}
    if not args.no_card:
        from newsbot.export.card import write_card

        card = write_card(rows, written.output, fmt=fmt, files=written.files, partition_by=partition_by,
                          pipeline={**pipeline, **{f"near_dup_{k}": v for k, v in near_dup_info.items()}},
                          filters=filters.describe(), issues=[str(i) for i in report.issues],
                          chart=not args.no_chart, near_dup=args.near_dup != "off")
        summary["card"] = str(card.markdown)
    if not args.quiet:
        print(json.dumps(summary, ensure_ascii=False), file=sys.stderr)
    if args.strict and (report.malformed or report.file_errors):
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``export`` alone (``python -m newsbot.export.cli``), before it is wired into ``newsbot``."""
    parser = argparse.ArgumentParser(prog="newsbot")
    sub = parser.add_subparsers(dest="command", required=True)
    add_export_parser(sub)
    args = parser.parse_args(["export", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
