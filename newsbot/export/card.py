"""The dataset card: what is in an export, written beside it as Markdown (to read) and JSON (to check in CI).

A table of articles says nothing about its own gaps: a site whose extractor lost the author line for a month, a
run that crashed halfway, a profile that fell back to the generic extractor. The card puts those in front of
whoever loads the data: counts per site and month, the date span, how often each field is filled, the schema, the
extractor versions / layouts that produced the rows, and what the export dropped (malformed lines, superseded
versions, duplicates). The PNG chart of articles per month per site shows holes in coverage at a glance.

Files, for an output ``OUT.parquet`` (or a partitioned directory ``OUT``): ``OUT.card.md``, ``OUT.card.json``,
``OUT.per_month.png``. They sit beside the data, not inside a partitioned directory, so that directory holds only
data files that every reader can scan.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from newsbot.export.writers import CLUSTER_COLUMNS, COLUMNS, EXTRACTOR_FIELDS, csv_column_names

DATA_SUFFIXES = (".jsonl.gz", ".jsonl", ".parquet", ".csv")


@dataclass(frozen=True)
class CardPaths:
    markdown: Path
    json: Path
    chart: Path


def card_paths(out: Path) -> CardPaths:
    """``x.parquet`` -> ``x.card.md`` / ``x.card.json`` / ``x.per_month.png`` beside it (a directory: same, outside)."""
    out = Path(out)
    name = out.name
    for suffix in DATA_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    base = out.with_name(name)
    return CardPaths(base.with_name(name + ".card.md"), base.with_name(name + ".card.json"),
                     base.with_name(name + ".per_month.png"))


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def field_coverage(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Share of rows (0..1) in which each field is filled; caption and extractor sub-fields too.

    ``published_at (with time)`` is reported apart from the always-present date, because date-only pages are
    the usual extraction gap analysts need to know about.
    """
    n = len(rows)
    names = [c.name for c in COLUMNS if c.name not in CLUSTER_COLUMNS and c.name != "extractor"]
    counts: Counter[str] = Counter()
    caption_total = 0
    caption_counts: Counter[str] = Counter()
    for row in rows:
        for name in names:
            if name in ("published_has_time", "updated_has_time"):
                continue
            if name == "published_at":
                counts["published_at (with time)"] += bool(row["published_has_time"])
            elif _filled(row.get(name)):
                counts[name] += 1
        for k in EXTRACTOR_FIELDS:
            if _filled(row["extractor"].get(k)):
                counts[f"extractor.{k}"] += 1
        for cap in row["captions"]:
            caption_total += 1
            for k in ("text", "credit", "image_url"):
                caption_counts[k] += _filled(cap.get(k))
    out: dict[str, float] = {}
    for name in names:
        if name in ("published_has_time", "updated_has_time"):
            continue
        key = "published_at (with time)" if name == "published_at" else name
        out[key] = round(counts[key] / n, 4) if n else 0.0
    for k in EXTRACTOR_FIELDS:
        out[f"extractor.{k}"] = round(counts[f"extractor.{k}"] / n, 4) if n else 0.0
    for k in ("text", "credit", "image_url"):
        # per caption, not per row: "how many captions carry a credit"
        out[f"captions[].{k}"] = round(caption_counts[k] / caption_total, 4) if caption_total else 0.0
    return out


def dataset_stats(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts per site / month / site x month / section, date span, extractor provenance."""
    per_site: Counter[str] = Counter()
    per_month: Counter[str] = Counter()
    per_site_month: dict[str, Counter[str]] = defaultdict(Counter)
    per_section: dict[str, Counter[str]] = defaultdict(Counter)
    versions: Counter[str] = Counter()
    layouts: Counter[str] = Counter()
    fallbacks: Counter[str] = Counter()
    date_only = 0
    for row in rows:
        month = row["published_date"][:7]
        per_site[row["site"]] += 1
        per_month[month] += 1
        per_site_month[row["site"]][month] += 1
        per_section[row["site"]][row.get("section") or "(none)"] += 1
        ext = row["extractor"]
        versions[str(ext.get("version"))] += 1
        layouts[f"{ext.get('profile')} / {ext.get('family') or '-'} / {ext.get('layout') or '-'}"] += 1
        for f in ext.get("fallback_fields") or []:
            fallbacks[f] += 1
        date_only += not row["published_has_time"]
    days = [row["published_date"] for row in rows]
    return {
        "rows": len(rows),
        "sites": len(per_site),
        "date_span": {"first": min(days) if days else None, "last": max(days) if days else None,
                      "date_only_rows": date_only},
        "per_site": dict(sorted(per_site.items())),
        "per_month": dict(sorted(per_month.items())),
        "per_site_month": {s: dict(sorted(c.items())) for s, c in sorted(per_site_month.items())},
        "per_site_section": {s: dict(c.most_common()) for s, c in sorted(per_section.items())},
        "extractor_versions": dict(versions.most_common()),
        "extractor_profiles": dict(sorted(layouts.items())),
        "fallback_fields": dict(fallbacks.most_common()),
    }


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def write_chart(stats: dict[str, Any], path: Path) -> Path:
    """Stacked bars of articles per month, one colour per site, every month of the span on the axis.

    Empty months are drawn as gaps on purpose: a hole in one site's bars is the signal (a broken extractor, a
    crawl that stopped). Uses the Agg canvas directly, not pyplot, so no global backend is set in the caller's
    process (a notebook keeps its own).
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    per_site_month: dict[str, dict[str, int]] = stats["per_site_month"]
    months = _month_range(min(stats["per_month"]), max(stats["per_month"])) if stats["per_month"] else []
    width = max(8.0, min(24.0, 0.12 * len(months) + 4))
    fig = Figure(figsize=(width, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    xs = list(range(len(months)))
    bottom = [0] * len(months)
    sites = sorted(per_site_month)
    cmap = matplotlib.colormaps["tab10" if len(sites) <= 10 else "tab20"]
    for i, site in enumerate(sites):
        heights = [per_site_month[site].get(m, 0) for m in months]
        ax.bar(xs, heights, bottom=bottom, width=0.85, label=f"{site} ({sum(heights)})", color=cmap(i % cmap.N))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(months) // 24)
    ax.set_xticks(xs[::step])
    ax.set_xticklabels(months[::step], rotation=60, ha="right", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("articles")
    ax.set_xlabel("publication month (Asia/Ho_Chi_Minh)")
    ax.set_title(f"Articles per month per site ({stats['rows']} articles)")
    if per_site_month:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", metadata={"Software": None})
    return path


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(v: Any) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def schema_for(fmt: str, near_dup: bool, partition_by: Sequence[str]) -> list[dict[str, str]]:
    """The columns as the chosen format types them (CSV: its flattened header)."""
    cols = [c for c in COLUMNS if near_dup or c.name not in CLUSTER_COLUMNS]
    if fmt == "csv":
        docs = {c.name: c for c in cols}
        out = []
        for name in csv_column_names(near_dup):
            if name.startswith("extractor_"):
                kind = "JSON array" if name.endswith("fallback_fields") else "text"
                out.append({"name": name, "type": kind, "description": f"extractor.{name[10:]}"})
            else:
                out.append({"name": name, "type": docs[name].csv, "description": docs[name].doc})
        return out
    kind = (lambda c: c.parquet) if fmt == "parquet" else _jsonl_type
    out = [{"name": c.name, "type": kind(c), "description": c.doc} for c in cols]
    if fmt == "parquet":
        for key in partition_by:  # present in the data only through the hive path
            out = [c for c in out if c["name"] != key]
            out.append({"name": key, "type": "string (hive partition)",
                        "description": "from the directory name" if key == "site" else "YYYY-MM of published_date"})
    return out


def _jsonl_type(col: Any) -> str:
    special = {
        "published_at": "string: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+07:00 (as crawled)",
        "updated_at": "string or null, same form",
        "published_date": "string YYYY-MM-DD",
        "updated_date": "string YYYY-MM-DD or null",
        "crawled_at": "string, UTC ...Z",
        "captions": "array of {text, credit, image_url}",
        "authors": "array of strings",
        "tags": "array of strings",
        "extractor": "object",
        "cluster_size": "integer",
    }
    if col.name in special:
        return special[col.name]
    return "boolean" if col.parquet == "bool" else "string or null"


def build_card(
    rows: Sequence[dict[str, Any]],
    *,
    fmt: str,
    output: Path,
    files: Sequence[Path],
    partition_by: Sequence[str] = (),
    pipeline: dict[str, Any] | None = None,
    filters: dict[str, Any] | None = None,
    issues: Sequence[str] = (),
    generated_at: datetime | None = None,
    near_dup: bool | None = None,
) -> dict[str, Any]:
    """Everything the card says, as one JSON-able dict (the Markdown is rendered from it)."""
    from newsbot import __version__

    if near_dup is None:
        near_dup = bool(rows) and "cluster_id" in rows[0]
    card: dict[str, Any] = {
        "title": "newsbot article dataset",
        "generated_at": (generated_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "newsbot_version": __version__,
        "format": fmt,
        "output": str(output),
        "partition_by": list(partition_by),
        "files": [str(f) for f in files],
        "filters": filters or {},
        "pipeline": pipeline or {},
        "malformed_examples": list(issues)[:20],
    }
    card.update(dataset_stats(rows))
    card["coverage"] = field_coverage(rows)
    if near_dup:
        sizes = Counter(r["cluster_size"] for r in rows if r["is_cluster_representative"])
        card["near_duplicates"] = {
            "clusters_with_duplicates": sum(v for k, v in sizes.items() if k > 1),
            "rows_in_duplicate_clusters": sum(1 for r in rows if r["cluster_size"] > 1),
            "cross_site_clusters": len({r["cluster_id"] for r in rows if r["cluster_size"] > 1}
                                       & _cross_site(rows)),
            "cluster_size_histogram": {str(k): v for k, v in sorted(sizes.items())},
        }
    card["schema"] = schema_for(fmt, near_dup, partition_by)
    return card


def _cross_site(rows: Sequence[dict[str, Any]]) -> set[str]:
    sites: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        sites[r["cluster_id"]].add(r["site"])
    return {cid for cid, s in sites.items() if len(s) > 1}


def render_markdown(card: dict[str, Any], chart_name: str | None) -> str:
    """The human-readable card; every number comes from ``card`` so the two files cannot disagree."""
    span = card["date_span"]
    out = [f"# {card['title']}", ""]
    out.append(f"Exported {card['generated_at']} by newsbot {card['newsbot_version']} as **{card['format']}**"
               + (f", partitioned by {', '.join(card['partition_by'])}" if card["partition_by"] else "")
               + f": `{card['output']}`.")
    out.append("")
    if card["rows"]:
        out.append(f"**{card['rows']} articles** from **{card['sites']} sites**, published {span['first']} to "
                   f"{span['last']} ({span['date_only_rows']} with a date but no time).")
    else:
        out.append("**0 articles**: nothing matched (see the filters and the steps below).")
    active = {k: v for k, v in (card.get("filters") or {}).items() if v}
    if active:
        out.append(f"Filters: {json.dumps(active, ensure_ascii=False)}.")
    out.append("")
    if chart_name:
        out += [f"![Articles per month per site]({chart_name})", ""]
    pipe = card.get("pipeline") or {}
    if pipe:
        out += ["## How the rows were chosen", "",
                "Latest version per canonical URL (greatest crawled_at), then filters, then one row per exact "
                "fingerprint (earliest published kept), then near-duplicate clustering.", ""]
        out.append(_md_table(["step", "count"], [(k, v) for k, v in pipe.items()]))
        out.append("")
    if card["malformed_examples"]:
        out += ["Malformed input lines (skipped), first ones:", ""]
        out += [f"- `{x}`" for x in card["malformed_examples"]]
        out.append("")
    out += ["## Articles per site", "", _md_table(["site", "articles"], list(card["per_site"].items())), ""]
    sites = list(card["per_site"])
    month_rows = [[m] + [card["per_site_month"][s].get(m, 0) for s in sites] + [total]
                  for m, total in card["per_month"].items()]
    out += ["## Articles per month", "", _md_table(["month"] + sites + ["total"], month_rows), ""]
    out += ["## Sections", ""]
    for site, sections in card["per_site_section"].items():
        out.append(f"- **{site}**: " + ", ".join(f"{name} ({n})" for name, n in sections.items()))
    out.append("")
    out += ["## Field coverage", "", "Share of rows with the field filled (captions[].*: share of captions).", ""]
    out.append(_md_table(["field", "filled"], [(k, f"{v:.1%}") for k, v in card["coverage"].items()]))
    out.append("")
    out += ["## Extractors", "", _md_table(["newsbot version", "articles"], list(card["extractor_versions"].items())),
            "", _md_table(["profile / family / layout", "articles"], list(card["extractor_profiles"].items())), ""]
    if card["fallback_fields"]:
        out += ["Fields filled by the generic fallback: "
                + ", ".join(f"{k} ({v})" for k, v in card["fallback_fields"].items()), ""]
    if "near_duplicates" in card:
        nd = card["near_duplicates"]
        out += ["## Near-duplicates", "",
                f"{nd['clusters_with_duplicates']} clusters hold {nd['rows_in_duplicate_clusters']} articles that "
                f"are near-duplicates of another ({nd['cross_site_clusters']} clusters span several sites). "
                "`cluster_id` groups them; `is_cluster_representative` marks the earliest published.", ""]
    out += ["## Schema", "", _md_table(["column", "type", "meaning"],
                                       [(c["name"], c["type"], c["description"]) for c in card["schema"]]), ""]
    out += ["## Files", ""] + [f"- `{f}`" for f in card["files"]] + [""]
    return "\n".join(out)


def write_card(
    rows: Sequence[dict[str, Any]],
    output: Path,
    *,
    fmt: str,
    files: Sequence[Path],
    partition_by: Sequence[str] = (),
    pipeline: dict[str, Any] | None = None,
    filters: dict[str, Any] | None = None,
    issues: Sequence[str] = (),
    chart: bool = True,
    generated_at: datetime | None = None,
    near_dup: bool | None = None,
) -> CardPaths:
    """Write the JSON card, the Markdown card and (unless ``chart`` is off or there are no rows) the chart."""
    paths = card_paths(output)
    card = build_card(rows, fmt=fmt, output=output, files=files, partition_by=partition_by, pipeline=pipeline,
                      filters=filters, issues=issues, generated_at=generated_at, near_dup=near_dup)
    chart_name = None
    if chart and rows:
        write_chart(card, paths.chart)
        chart_name = paths.chart.name
        card["chart"] = chart_name
    paths.json.write_text(json.dumps(card, ensure_ascii=False, indent=2, default=_default) + "\n", "utf-8")
    paths.markdown.write_text(render_markdown(card, chart_name), "utf-8")
    return paths


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
