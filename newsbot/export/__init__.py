"""``newsbot export``: every run's JSON Lines -> one clean, deduplicated, typed dataset for analysis.

The crawl appends one line per fetch to per-run part files; analysts want one table with one row per article.
The package is split by stage so each can be tested alone:

- :mod:`~newsbot.export.reader` streams JSONL / JSONL.gz part files and reports (never raises on) bad lines;
- :mod:`~newsbot.export.dataset` keeps the latest version of each article, drops exact duplicates, filters;
- :mod:`~newsbot.export.neardup` clusters republished stories (MinHash LSH);
- :mod:`~newsbot.export.writers` writes JSONL(.gz), Parquet or CSV, optionally hive-partitioned;
- :mod:`~newsbot.export.card` writes the dataset card (Markdown + JSON) and the per-month chart;
- :mod:`~newsbot.export.cli` is the command.

Heavy libraries (pyarrow, pandas, matplotlib, datasketch, tqdm) are imported inside functions only, so importing
this package (and so ``newsbot crawl`` start-up) stays cheap; they come with the ``[export]`` extra.
"""

from __future__ import annotations

EXPORT_FORMATS = ("jsonl", "parquet", "csv")
ZONE_NAME = "Asia/Ho_Chi_Minh"
# Here rather than in neardup so the command can show it without importing the clustering module.
DEFAULT_NEAR_DUP_THRESHOLD = 0.5

__all__ = ["DEFAULT_NEAR_DUP_THRESHOLD", "EXPORT_FORMATS", "ZONE_NAME"]
