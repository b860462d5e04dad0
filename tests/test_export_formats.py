"""End to end: a fixture crawl exported in every format loads in pandas, pyarrow and DuckDB with the same rows.

The input imitates what the crawl leaves in ``data/``: one part file per site, a later gzip part with updated
versions, an exact duplicate under another URL, a near-duplicate republished by another site, a malformed line
and a manifest. The expected rows are worked out here from that input, not taken from the exporter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime

import duckdb  # the [export] and [test] extras: a missing reader must fail the suite, not skip it
import pandas as pd
import pyarrow as pa
import pytest
from conftest import REPO
from test_export_fixtures import edited, fixture_lines, write_jsonl

from newsbot.export.cli import main as export_main

FORMATS = {"jsonl": "out.jsonl", "jsonl.gz": "out.jsonl.gz", "parquet": "out.parquet", "csv": "out.csv"}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """Write the fixture crawl; return its directory and the expected rows keyed by canonical URL."""
    root = tmp_path_factory.mktemp("crawl")
    data = root / "data"
    lines = fixture_lines()
    expected = {ln["canonical_url"]: ln for ln in lines}
    for site in sorted({ln["site"] for ln in lines}):
        write_jsonl(data / site / "run-0001.jsonl", [ln for ln in lines if ln["site"] == site])
        (data / site / "run-0001.manifest.json").write_text('{"run": 1}')
    cantho = [ln for ln in lines if ln["site"] == "baocantho.com.vn"]
    update = edited(cantho[0], crawled_at="2026-02-05T09:30:00Z", record_type="update",
                    body=cantho[0]["body"] + "\n\nĐoạn bổ sung sau khi báo cập nhật bài.", version="0.2.0")
    update["extractor"] = dict(update["extractor"], version="0.2.0")
    exact_copy = edited(cantho[1], url="https://baocantho.com.vn/ban-sao-a999999.html",
                        canonical_url="https://baocantho.com.vn/ban-sao-a999999.html",
                        published_at="2026-02-01T10:00:00+07:00")
    wire = cantho[2]
    paras = wire["body"].split("\n\n")
    near_copy = edited(wire, url="https://baophutho.vn/dang-lai-999.html",
                       canonical_url="https://baophutho.vn/dang-lai-999.html", site="baophutho.vn",
                       section="Xã hội", lead="(TTXVN) - " + wire["lead"].split(" - ", 1)[-1],
                       body="\n\n".join(paras[1:] + paras[:1]), published_at="2026-01-15")
    write_jsonl(data / "baocantho.com.vn" / "run-0002.jsonl.gz",
                [update, '{"url": "https://baocantho.com.vn/x", "title": "torn', exact_copy], gz=True)
    write_jsonl(data / "baophutho.vn" / "run-0002.jsonl", [near_copy])
    expected[update["canonical_url"]] = update
    expected[near_copy["canonical_url"]] = near_copy
    return {"data": data, "root": root, "expected": expected, "update": update, "near_copy": near_copy,
            "wire": wire, "exact_copy": exact_copy, "lines": lines}


def run_export(*argv: str) -> int:
    return export_main([*map(str, argv)])


@pytest.fixture(scope="module")
def exports(crawl):
    out = {}
    for fmt, name in FORMATS.items():
        path = crawl["root"] / "exports" / name
        extra = [] if fmt == "parquet" else ["--no-card"]
        assert run_export("--data-dir", crawl["data"], "-o", path, "-q", *extra) == 0
        out[fmt] = path
    return out


# --- readers -> one comparable shape ------------------------------------------------------------------------------
def _epoch(value):
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        if not value:
            return None
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    assert value.tzinfo is not None, value  # every timestamp must carry its zone
    return value.timestamp()


def _list(value):
    if isinstance(value, str):
        return json.loads(value)
    return [] if value is None else [dict(v) if isinstance(v, dict) else v for v in list(value)]


def _day(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "date"):
        return value.date().isoformat()
    return str(value)


def _opt(value):
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    return value


def normalise(rec: dict, fmt: str) -> dict:
    """One row from any reader in one shape: epochs for instants, ISO days, Python lists, None for null."""
    if "extractor" in rec:
        version = rec["extractor"]["version"]
    else:
        version = rec["extractor_version"]
    has_time = rec["published_has_time"]
    if isinstance(has_time, str):
        has_time = has_time == "true"
    published = rec["published_at"]
    if fmt.startswith("jsonl"):  # JSONL keeps the crawl's form: date-only strings stay, no timestamp
        published = published if bool(has_time) else None
    return {
        "canonical_url": rec["canonical_url"],
        "site": rec["site"],
        "title": rec["title"],
        "lead": _opt(rec["lead"]),
        "body": rec["body"],
        "authors": _list(rec["authors"]),
        "tags": _list(rec["tags"]),
        "captions": _list(rec["captions"]),
        "published_at": _epoch(published),
        "published_date": _day(rec["published_date"]),
        "published_has_time": bool(has_time),
        "crawled_at": _epoch(rec["crawled_at"]),
        "fingerprint": rec["fingerprint"],
        "extractor_version": str(version),
        "cluster_id": rec["cluster_id"],
        "cluster_size": int(rec["cluster_size"]),
        "is_cluster_representative": _bool(rec["is_cluster_representative"]),
        "section": _opt(rec["section"]),
        "source": _opt(rec["source"]),
        "published_at_raw": _opt(rec["published_at_raw"]),
        "updated_date": None if _opt(rec["updated_date"]) is None else _day(rec["updated_date"]),
        "extractor_profile": rec["extractor"]["profile"] if "extractor" in rec else rec["extractor_profile"],
        "extractor_family": _opt(rec["extractor"]["family"] if "extractor" in rec else rec["extractor_family"]),
    }


def _bool(value):
    return value == "true" if isinstance(value, str) else bool(value)


def expected_rows(crawl) -> dict[str, dict]:
    """What the export must hold, from the input alone (the exact copy was published later, so it goes)."""
    out = {}
    for key, ln in crawl["expected"].items():
        has_time = len(ln["published_at"]) > 10
        out[key] = {
            "canonical_url": key, "site": ln["site"], "title": ln["title"], "lead": ln["lead"], "body": ln["body"],
            "authors": ln["authors"], "tags": ln["tags"], "captions": ln["captions"],
            "published_at": datetime.fromisoformat(ln["published_at"]).timestamp() if has_time else None,
            "published_date": ln["published_at"][:10], "published_has_time": has_time,
            "crawled_at": datetime.fromisoformat(ln["crawled_at"].replace("Z", "+00:00")).timestamp(),
            "fingerprint": ln["fingerprint"], "extractor_version": ln["extractor"]["version"],
        }
    return out


def read_pandas(path, fmt):
    if fmt == "parquet":
        df = pd.read_parquet(path)
    elif fmt == "csv":
        df = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"published_date": str})
    else:
        df = pd.read_json(path, lines=True, dtype=False)  # no guessing: keep strings
    return [normalise(r, fmt) for r in df.to_dict(orient="records")], len(df)


def read_pyarrow(path, fmt):
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    elif fmt == "csv":
        import pyarrow.csv as pcsv

        table = pcsv.read_csv(path, parse_options=pcsv.ParseOptions(newlines_in_values=True),
                              convert_options=pcsv.ConvertOptions(strings_can_be_null=True))
    else:
        import pyarrow.json as pjson

        # pyarrow's JSON inference turns "…+07:00" into a naive UTC timestamp: read the times as text (docs/export.md)
        as_text = pa.schema([(n, pa.string()) for n in ("published_at", "updated_at", "crawled_at", "published_date")])
        table = pjson.read_json(pa.input_stream(str(path), compression="detect"),
                                parse_options=pjson.ParseOptions(explicit_schema=as_text))
    return [normalise(r, fmt) for r in table.to_pylist()], table.num_rows


def read_duckdb(path, fmt):
    func = {"parquet": "read_parquet", "csv": "read_csv", "jsonl": "read_json", "jsonl.gz": "read_json"}[fmt]
    cols, data = sql(f"SELECT * FROM {func}('{path}')")
    rows = [dict(zip(cols, r, strict=True)) for r in data]
    count = sql(f"SELECT count(*) FROM {func}('{path}')")[1][0][0]
    return [normalise(r, fmt) for r in rows], count


def sql(query: str, params: list | None = None, *, setup: str | None = None) -> tuple[list[str], list[tuple]]:
    """Run one query on a fresh in-memory DuckDB and fetch it whole: (column names, rows)."""
    con = duckdb.connect()
    try:
        if setup:
            con.execute(setup).fetchall()
        cur = con.execute(query, params or [])
        rows = cur.fetchall()
        return [d[0] for d in cur.description], rows
    finally:
        con.close()


READERS = {"pandas": read_pandas, "pyarrow": read_pyarrow, "duckdb": read_duckdb}


# --- tests --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("reader", list(READERS))
def test_each_reader_loads_each_format_with_the_expected_rows(crawl, exports, fmt, reader):
    rows, count = READERS[reader](exports[fmt], fmt)
    want = expected_rows(crawl)
    assert count == len(rows) == len(want) == len(crawl["lines"]) + 1  # + near copy; update replaced, dup gone
    got = {r["canonical_url"]: r for r in rows}
    assert set(got) == set(want)
    for key, exp in want.items():
        row = {k: v for k, v in got[key].items() if k in exp}
        assert row == exp, key
    assert crawl["exact_copy"]["canonical_url"] not in got
    assert got[crawl["update"]["canonical_url"]]["extractor_version"] == "0.2.0"
    wire, near = got[crawl["wire"]["canonical_url"]], got[crawl["near_copy"]["canonical_url"]]
    assert wire["cluster_id"] == near["cluster_id"] and wire["cluster_size"] == near["cluster_size"] == 2
    assert sum(r["cluster_size"] > 1 for r in rows) == 2


def test_all_formats_hold_identical_values(exports):
    """Beyond the expected fields: every format gives the same rows, cluster ids included, as the JSONL."""
    reference = {r["canonical_url"]: r for r in read_pandas(exports["jsonl"], "jsonl")[0]}
    for fmt in ("jsonl.gz", "parquet", "csv"):
        for reader in READERS.values():
            rows = {r["canonical_url"]: r for r in reader(exports[fmt], fmt)[0]}
            assert rows == reference, fmt


def test_parquet_is_typed_for_arrow_and_duckdb(crawl, exports):
    import pyarrow.parquet as pq

    schema = pq.read_schema(exports["parquet"])
    assert schema.field("published_at").type == pa.timestamp("us", tz="Asia/Ho_Chi_Minh")
    assert schema.field("crawled_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("published_date").type == pa.date32()
    assert schema.field("published_has_time").type == pa.bool_()
    assert schema.field("authors").type == pa.list_(pa.string())
    assert schema.field("captions").type == pa.list_(pa.struct([("text", pa.string()), ("credit", pa.string()),
                                                                ("image_url", pa.string())]))
    types = {r[0]: r[1] for r in sql(f"DESCRIBE SELECT * FROM read_parquet('{exports['parquet']}')")[1]}
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["crawled_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["published_date"] == "DATE"
    assert types["authors"] == "VARCHAR[]"
    assert types["captions"] == "STRUCT(\"text\" VARCHAR, credit VARCHAR, image_url VARCHAR)[]"
    wire = crawl["wire"]
    (local, day, n_caps), = sql(
        f"SELECT strftime(published_at, '%Y-%m-%dT%H:%M:%S'), published_date, len(captions) "
        f"FROM '{exports['parquet']}' WHERE canonical_url = ?", [wire["canonical_url"]],
        setup="SET TimeZone = 'Asia/Ho_Chi_Minh'")[1]
    assert local == wire["published_at"][:19] and day.isoformat() == wire["published_at"][:10]
    assert n_caps == len(wire["captions"])
    date_only = sum(len(ln["published_at"]) == 10 for ln in crawl["expected"].values())
    (nulls, no_time), = sql(f"SELECT count(*) FILTER (published_at IS NULL), "
                            f"count(*) FILTER (NOT published_has_time) FROM '{exports['parquet']}'")[1]
    assert nulls == no_time == date_only > 0
    df = pd.read_parquet(exports["parquet"])
    assert str(df["published_at"].dtype) == "datetime64[us, Asia/Ho_Chi_Minh]"


def test_csv_is_flat_and_documented_columns_come_out(exports):
    header = exports["csv"].read_text("utf-8").splitlines()[0].split(",")
    assert "extractor_version" in header and "extractor" not in header
    doc = (REPO / "docs" / "export.md").read_text("utf-8")
    for col in header:
        assert f"`{col}`" in doc, f"CSV column {col} is not documented in docs/export.md"


def test_partitioned_parquet_reads_the_same_in_all_three(crawl, tmp_path):
    out = tmp_path / "ds"
    assert run_export("--data-dir", crawl["data"], "-o", out, "--format", "parquet", "--partition-by", "site,month",
                      "-q", "--no-chart") == 0
    n = len(crawl["expected"])
    parts = sorted(p.relative_to(out).parent.as_posix() for p in out.rglob("*.parquet"))
    assert "site=baocantho.com.vn/month=2026-01" in parts and len(parts) == len(set(parts))
    import pyarrow.parquet as pq

    table = pq.read_table(out)
    df = pd.read_parquet(out)
    per_site_duck = dict(sql(f"SELECT site, count(*) FROM read_parquet('{out}/**/*.parquet', "
                             "hive_partitioning = true) GROUP BY site")[1])
    assert table.num_rows == len(df) == sum(per_site_duck.values()) == n
    per_site = {}
    for ln in crawl["expected"].values():
        per_site[ln["site"]] = per_site.get(ln["site"], 0) + 1
    assert per_site_duck == per_site
    assert df.groupby("site", observed=True).size().to_dict() == per_site
    assert (out.parent / "ds.card.md").exists() and not (out / "ds.card.md").exists()


def test_partitioned_gzip_jsonl_keeps_every_column_in_each_file(crawl, tmp_path):
    out = tmp_path / "js"
    assert run_export("--data-dir", crawl["data"], "-o", out, "--format", "jsonl", "--gzip", "--partition-by",
                      "site", "-q", "--no-card") == 0
    files = sorted(out.rglob("*.jsonl.gz"))
    assert len(files) == len({ln["site"] for ln in crawl["expected"].values()})
    (count, mismatched), = sql(f"SELECT count(*), count(*) FILTER (site <> regexp_extract(filename, 'site=([^/]+)', 1))"
                               f" FROM read_json('{out}/**/*.jsonl.gz', filename = true)")[1]
    assert count == len(crawl["expected"]) and mismatched == 0


def test_a_malformed_line_is_reported_and_the_export_completes(crawl, tmp_path, capsys):
    out = tmp_path / "x.jsonl"
    assert run_export("--data-dir", crawl["data"], "-o", out, "--no-card") == 0
    err = capsys.readouterr().err
    part = crawl["data"] / "baocantho.com.vn" / "run-0002.jsonl.gz"
    assert f"skipped {part}:2: invalid JSON" in err
    summary = json.loads(err.strip().splitlines()[-1])
    assert summary["malformed_lines"] == 1 and summary["rows"] == len(crawl["expected"])
    assert summary["exact_duplicates"] == 1 and summary["versions_superseded"] == 1
    assert len(out.read_text("utf-8").splitlines()) == len(crawl["expected"])
    assert run_export("--data-dir", crawl["data"], "-o", out, "--no-card", "-q", "--strict") == 1


def test_filters_and_keep_one(crawl, tmp_path):
    out = tmp_path / "f.jsonl"
    assert run_export("--data-dir", crawl["data"], "-o", out, "--site", "baocantho.com.vn", "--since", "2026-01-10",
                      "--until", "2026-01-12", "-q", "--no-card") == 0
    got = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    want = [ln for ln in crawl["expected"].values()
            if ln["site"] == "baocantho.com.vn" and "2026-01-10" <= ln["published_at"][:10] <= "2026-01-12"]
    assert sorted(r["canonical_url"] for r in got) == sorted(ln["canonical_url"] for ln in want) and want
    assert run_export("--data-dir", crawl["data"], "-o", out, "--near-dup", "keep-one", "-q", "--no-card") == 0
    got = {json.loads(x)["canonical_url"] for x in out.read_text("utf-8").splitlines()}
    assert len(got) == len(crawl["expected"]) - 1
    assert crawl["wire"]["canonical_url"] in got and crawl["near_copy"]["canonical_url"] not in got  # earlier wins
    assert run_export("--data-dir", crawl["data"], "-o", out, "--near-dup", "off", "-q", "--no-card") == 0
    assert "cluster_id" not in json.loads(out.read_text("utf-8").splitlines()[0])


def test_explicit_files_instead_of_a_data_dir(crawl, tmp_path):
    out = tmp_path / "one.csv"
    part = crawl["data"] / "baophutho.vn" / "run-0001.jsonl"
    assert run_export(part, "-o", out, "-q", "--no-card", "--near-dup", "off") == 0
    df = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert len(df) == sum(ln["site"] == "baophutho.vn" for ln in crawl["lines"])


def test_dataset_card_and_chart(crawl, exports):
    card = json.loads((exports["parquet"].parent / "out.card.json").read_text("utf-8"))
    rows = list(crawl["expected"].values())
    assert card["rows"] == len(rows)
    assert sum(card["per_site"].values()) == sum(card["per_month"].values()) == len(rows)
    assert card["per_site"]["baophutho.vn"] == sum(r["site"] == "baophutho.vn" for r in rows)
    assert card["date_span"] == {"first": min(r["published_at"][:10] for r in rows),
                                 "last": max(r["published_at"][:10] for r in rows),
                                 "date_only_rows": sum(len(r["published_at"]) == 10 for r in rows)}
    assert card["coverage"]["lead"] == round(sum(bool(r["lead"]) for r in rows) / len(rows), 4)
    assert card["coverage"]["title"] == 1.0
    assert card["extractor_versions"] == {"0.1.0": len(rows) - 1, "0.2.0": 1}
    assert card["near_duplicates"]["clusters_with_duplicates"] == 1
    assert card["near_duplicates"]["cross_site_clusters"] == 1
    assert card["pipeline"]["malformed_lines"] == 1
    assert {c["name"]: c["type"] for c in card["schema"]}["published_date"] == "date32"
    md = (exports["parquet"].parent / "out.card.md").read_text("utf-8")
    assert f"**{len(rows)} articles**" in md and "| published_at | timestamp[us, tz=Asia/Ho_Chi_Minh] |" in md
    assert "![Articles per month per site](out.per_month.png)" in md
    png = (exports["parquet"].parent / "out.per_month.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 800 and height >= 400


def test_partitioned_output_is_never_replaced_by_accident(crawl, tmp_path):
    out = tmp_path / "p"
    args = ["--data-dir", crawl["data"], "-o", out, "--format", "csv", "--partition-by", "month", "-q", "--no-card",
            "--near-dup", "off"]
    assert run_export(*args) == 0
    assert run_export(*args) == 2  # exists, no --overwrite
    assert run_export(*args, "--overwrite") == 0
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    assert run_export(*args[:3], foreign, *args[4:], "--overwrite") == 2
    assert (foreign / "keep.txt").read_text() == "mine"


def test_progress_bar_only_on_a_terminal(crawl, tmp_path, capsys, monkeypatch):
    out = tmp_path / "t.jsonl"
    assert run_export("--data-dir", crawl["data"], "-o", out, "--no-card") == 0
    assert "write" not in capsys.readouterr().err.split("{")[0]  # not a TTY: messages and summary only
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert run_export("--data-dir", crawl["data"], "-o", out, "--no-card") == 0
    assert "near-dup" in capsys.readouterr().err
    assert run_export("--data-dir", crawl["data"], "-o", out, "--no-card", "--quiet") == 0
    assert capsys.readouterr().err.count("near-dup") == 0


def test_a_previous_export_inside_the_data_dir_is_not_read_back(crawl, tmp_path, capsys):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(crawl["data"], data)
    parts = len(list(data.rglob("*.jsonl"))) + len(list(data.rglob("*.jsonl.gz")))
    out = data / "exports" / "all"
    args = ["--data-dir", data, "-o", out, "--format", "jsonl", "--partition-by", "site", "--no-card"]
    assert run_export(*args) == 0
    assert run_export(*args, "--overwrite") == 0
    summary = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert summary["files"] == parts and summary["rows"] == len(crawl["expected"])


def test_usage_errors(crawl, tmp_path):
    assert run_export("--data-dir", crawl["data"], "-o", tmp_path / "x.txt") == 2  # unknown format
    assert run_export("--data-dir", crawl["data"], "-o", tmp_path / "x.csv", "--gzip") == 2
    assert run_export("--data-dir", crawl["data"], "-o", tmp_path / "x.csv", "--partition-by", "day") == 2
    assert run_export(tmp_path / "nope.jsonl", "-o", tmp_path / "x.csv") == 2
    (tmp_path / "empty").mkdir()
    assert run_export("--data-dir", tmp_path / "empty", "-o", tmp_path / "x.csv") == 1


def test_importing_the_export_package_loads_no_heavy_library():
    code = ("import sys, newsbot.export.cli, newsbot.export.reader, newsbot.export.dataset, newsbot.export.writers, "
            "newsbot.export.card, newsbot.export.neardup; "
            "print([m for m in ('pyarrow', 'pandas', 'duckdb', 'matplotlib', 'datasketch', 'tqdm', 'numpy', 'scrapy')"
            " if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_exported_timestamps_are_the_crawl_instants(exports, crawl):
    """A spot check against the raw input, independent of the shared normaliser."""
    import pyarrow.parquet as pq

    row = next(r for r in pq.read_table(exports["parquet"]).to_pylist()
               if r["canonical_url"] == crawl["update"]["canonical_url"])
    assert row["crawled_at"] == datetime(2026, 2, 5, 9, 30, tzinfo=UTC)
    assert row["published_at"].isoformat() == crawl["update"]["published_at"]


def test_an_export_that_matches_nothing_still_has_the_full_schema(crawl, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "none.parquet"
    assert run_export("--data-dir", crawl["data"], "-o", out, "--site", "nosuch.vn", "-q") == 0
    table = pq.read_table(out)
    assert table.num_rows == 0 and table.schema.names[-1] == "is_cluster_representative"
    assert sql(f"SELECT count(*) FROM '{out}'")[1] == [(0,)]
    card = json.loads((tmp_path / "none.card.json").read_text("utf-8"))
    assert card["rows"] == 0 and card["pipeline"]["filtered_out"] == len(crawl["expected"]) + 1
