"""Near-duplicate clustering: republished copies join their original, different stories on one topic do not.

The precision / recall floor is checked on the labelled pairs in ``tests/data/neardup_pairs.jsonl`` with the same
code ``bench/neardup_eval.py`` reports from, so a change that degrades detection fails here.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache

import pytest
from conftest import REPO
from test_export_fixtures import fixture_articles

from newsbot.export.neardup import annotate_rows, find_near_duplicates, normalise_text, shingles


@cache
def bench():
    spec = importlib.util.spec_from_file_location("neardup_eval", REPO / "bench" / "neardup_eval.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["neardup_eval"] = module
    spec.loader.exec_module(module)
    return module


def texts():
    return bench().load_fixture_texts()


def test_tone_mark_placement_and_dateline_do_not_change_the_words():
    assert normalise_text("(CTO) - Hòa Bình", "thủy lợi") == normalise_text(None, "HOÀ BÌNH, thuỷ lợi")
    assert normalise_text(None, "ma má") != normalise_text(None, "ma ma")  # tones still distinguish words
    assert shingles(["a", "b"]) == {b"a b"}
    assert len(shingles("a b c d e".split())) == 3


def test_edited_copy_clusters_with_its_original_and_others_stay_apart():
    t = texts()
    refs = sorted(t)
    original = t[refs[0]]
    paras = original["body"].split("\n\n")
    copy_body = "\n\n".join([paras[-1]] + paras[:-1]).replace("các", "những", 1)
    docs = [(t[r].get("lead"), t[r]["body"]) for r in refs[:20]] + [("(TTXVN) - " + (original["lead"] or ""),
                                                                       copy_body)]
    result = find_near_duplicates(docs)
    assert result.cluster_of[20] == result.cluster_of[0] == 0  # the earlier (input order) is the representative
    assert result.sizes[0] == 2
    assert len({result.cluster_of[i] for i in range(1, 20)}) == 19  # no other pair joined
    assert result.pairs and result.pairs[0][:2] == (0, 20)


def test_annotate_rows_marks_or_keeps_one_per_cluster():
    t = texts()
    ref = sorted(t)[5]
    base = {"lead": t[ref]["lead"], "body": t[ref]["body"], "published_has_time": True, "crawled_at": "x"}
    early = dict(base, fingerprint="a" * 40, published_date="2026-01-01", published_at="2026-01-01T08:00:00+07:00",
                 canonical_url="https://a.vn/1")
    late = dict(base, fingerprint="b" * 40, published_date="2026-01-02", published_at="2026-01-02T08:00:00+07:00",
                canonical_url="https://b.vn/1", body=base["body"] + "\n\nTheo TTXVN.")
    other_ref = sorted(t)[60]
    other = dict(early, fingerprint="c" * 40, lead=t[other_ref]["lead"], body=t[other_ref]["body"],
                 canonical_url="https://c.vn/1")
    rows, result = annotate_rows([dict(late), dict(early), dict(other)])
    assert [r["cluster_id"] for r in rows] == ["nd-" + "a" * 16, "nd-" + "a" * 16, "nd-" + "c" * 16]
    assert [r["cluster_size"] for r in rows] == [2, 2, 1]
    assert [r["is_cluster_representative"] for r in rows] == [False, True, True]
    kept, _ = annotate_rows([dict(late), dict(early), dict(other)], keep_one=True)
    assert [r["fingerprint"][0] for r in kept] == ["a", "c"]
    assert result.clusters_with_duplicates == 1


def test_a_large_bucket_of_copies_is_one_cluster_and_textless_rows_stay_alone():
    t = texts()
    ref = sorted(t)[10]
    copies = [(t[ref]["lead"], t[ref]["body"] + f"\n\nBản tin số {k}.") for k in range(60)]
    other = sorted(t)[70]
    result = find_near_duplicates([(None, "")] + copies + [(t[other]["lead"], t[other]["body"]), (None, "...")])
    assert result.sizes[1] == 60 and result.cluster_of[1:61] == [1] * 60
    assert result.cluster_of[0] == 0 and result.cluster_of[61] == 61 and result.cluster_of[62] == 62
    assert len(result.pairs) == 59  # a spanning tree: pairs already in one cluster are not re-verified


def test_no_near_duplicates_among_the_distinct_fixture_articles():
    docs = [(d.get("lead"), "\n\n".join(d["body_paragraphs"])) for _, d in fixture_articles()]
    result = find_near_duplicates(docs)
    assert result.clusters_with_duplicates == 0, result.pairs


def test_labelled_pairs_cover_the_edit_kinds_and_hard_negatives():
    pairs = bench().load_pairs()
    kinds = {p["kind"] for p in pairs}
    assert set(bench().EDIT_KINDS) <= kinds
    assert {"same-topic", "most-similar", "random"} <= kinds
    t = texts()
    cross_site_same_topic = [p for p in pairs if p["kind"] == "same-topic"
                             and t[p["a"]["ref"]]["site"] != t[p["b"]["ref"]]["site"]]
    assert len(cross_site_same_topic) >= 15
    assert sum(p["label"] for p in pairs) >= 100 and sum(1 - p["label"] for p in pairs) >= 100


def test_pairs_file_is_what_the_generator_makes():
    """The stored set is reproducible from the fixture articles it was built on (new fixtures do not disturb it)."""
    stored = bench().load_pairs()
    t = texts()
    refs = {p["a"]["ref"] for p in stored if p["label"]}
    assert refs <= set(t), "pairs refer to fixture articles that no longer exist"
    regenerated = bench().generate_pairs({r: t[r] for r in refs})
    assert regenerated == stored, "fixture texts changed: python bench/neardup_eval.py --write-pairs, then review"


@pytest.mark.parametrize("threshold,min_precision,min_recall", [(0.5, 0.98, 0.90), (0.4, 0.98, 0.97)])
def test_precision_and_recall_on_the_labelled_pairs(threshold, min_precision, min_recall):
    report = bench().evaluate(bench().load_pairs(), texts(), threshold)
    assert report["precision"] >= min_precision, report["errors"]
    assert report["recall"] >= min_recall, report["errors"]
    assert report["corpus_pair_precision"] >= min_precision
    assert report["by_kind"]["same-topic"]["predicted_duplicate"] == 0
    for kind in ("drop_sentence", "lead_prefix", "reorder_paragraphs", "replace_words"):
        v = report["by_kind"][kind]
        assert v["predicted_duplicate"] == v["pairs"], kind
