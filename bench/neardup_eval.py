"""Measure near-duplicate detection (``newsbot.export.neardup``) on labelled pairs built from the fixtures.

Why a generated set: the fixtures hold no real republications, and hand-collecting them needs live sites. So
the positives are the fixtures' articles republished the way provincial papers do it -- a dropped sentence,
words replaced, a new lead prefix / headline, paragraphs moved, several of those at once with the other
tone-mark style, an abridged copy -- under another site's name. The negatives are different fixture articles:
hand-picked pairs on the same topic from different sites (elections, OCOP, budget revenue, scams...), each
article's most word-similar other article, and random pairs.

Evaluation is end to end: every fixture article and every edited copy go into one corpus, which is clustered as
the export does it (LSH + verification + union-find), and a labelled pair counts as "predicted duplicate" when
both sides land in the same cluster. Precision / recall are over the labelled pairs; "corpus pair precision"
also counts every co-clustered pair in the corpus (catches clusters chained through unlabelled documents).

Usage::

    .venv/bin/python bench/neardup_eval.py                # evaluate tests/data/neardup_pairs.jsonl
    .venv/bin/python bench/neardup_eval.py --json         # the same as JSON
    .venv/bin/python bench/neardup_eval.py --write-pairs  # regenerate the pairs file (deterministic)
    .venv/bin/python bench/neardup_eval.py --scale 5000   # clustering throughput on a synthetic corpus
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsbot.export.neardup import (  # noqa: E402
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    find_near_duplicates,
    jaccard,
    normalise_text,
    shingles,
)
from newsbot.text import fold_for_key  # noqa: E402

FIXTURES = REPO / "fixtures"
PAIRS_FILE = REPO / "tests" / "data" / "neardup_pairs.jsonl"
SEED = 20260114
EDIT_KINDS = ("drop_sentence", "replace_words", "lead_prefix", "reorder_paragraphs", "combined", "abridged",
              "rewrite")
SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)

# Same topic, different stories, different sites: the negatives most likely to fool a similarity measure.
SAME_TOPIC = (
    ("baocantho.com.vn/a196824", "baovinhphuc.com.vn/a52331", "election preparations"),
    ("baocantho.com.vn/a196817", "baoquangninh.vn/article_3372540", "online scam warnings"),
    ("baobariavungtau.com.vn/b10_940566", "baoquangninh.vn/article_3372577", "dengue fever"),
    ("baophutho.vn/article_242061", "baovinhphuc.com.vn/a52397", "state budget revenue"),
    ("baophutho.vn/article_242061", "vinhphuc.gov.vn/article_kinhte_13830", "state budget revenue"),
    ("baovinhphuc.com.vn/a52397", "vinhphuc.gov.vn/article_kinhte_13830", "state budget revenue"),
    ("baophutho.vn/article_242115", "hoabinh.gov.vn/article_451180", "OCOP products"),
    ("baophutho.vn/article_242115", "vinhphuc.gov.vn/article_kinhte_13811", "OCOP products"),
    ("baophutho.vn/article_241987", "hoabinh.gov.vn/article_451229", "mobile job fair"),
    ("baophutho.vn/article_242295", "baoquangninh.vn/article_3372815", "free health screening"),
    ("baoquangninh.vn/article_3372601", "hoabinh.gov.vn/article_451204", "Great Unity houses for the poor"),
    ("baoquangninh.vn/article_3372775", "hoabinh.gov.vn/article_451266", "community tourism"),
    ("baobariavungtau.com.vn/k01_940815", "baophutho.vn/article_242093", "cashless payment at markets"),
    ("baocantho.com.vn/a196852", "baophutho.vn/article_242265", "export figures"),
    ("baobariavungtau.com.vn/b01_940912", "hoabinh.gov.vn/article_451240", "vaccination campaigns"),
    ("baocantho.com.vn/a196786", "hoabinh.gov.vn/article_451240", "vaccination campaigns"),
    ("baocantho.com.vn/a196779", "baovinhphuc.com.vn/a52412", "industrial park investment"),
    ("baocantho.com.vn/a196779", "vinhphuc.gov.vn/article_kinhte_13818", "industrial park investment"),
    ("baophutho.vn/article_242287", "hoabinh.gov.vn/article_451212", "industrial park infrastructure"),
    ("baocantho.com.vn/a196866", "baovinhphuc.com.vn/a52391", "Tet market supply"),
    ("baocantho.com.vn/a196794", "baovinhphuc.com.vn/a52391", "Tet market supply"),
    ("baoninhthuan.com.vn/n06_116098", "baoninhthuan.com.vn/n01_117512", "new rural programme"),
    ("baoninhthuan.com.vn/n12_47013", "baoninhthuan.com.vn/n01_117512", "new rural programme"),
    ("baoquangninh.vn/article_3372702", "hoabinh.gov.vn/article_451152", "social insurance"),
    ("baovinhphuc.com.vn/a52297", "baoquangninh.vn/article_3372790", "schools"),
)

FILLERS = ("các", "những", "đã", "được", "cũng", "rất", "nhiều", "mới", "theo đó", "hiện nay", "đồng thời")
SYNONYMS = {
    "tỉnh": "địa phương", "huyện": "địa bàn", "người dân": "bà con", "thực hiện": "triển khai",
    "tổ chức": "tiến hành", "đạt": "đạt được", "tăng": "tăng lên", "hỗ trợ": "giúp đỡ", "nhằm": "để",
    "khoảng": "gần", "trên": "hơn", "nhiều": "không ít", "cho biết": "thông tin", "kết quả": "thành quả",
}
PREFIXES = ("(TTXVN) - ", "(Chinhphu.vn) - ", "(BVP) - ", "(Baophutho.vn) - ", "(QNO) - ", "")
# Old-style tone placement -> new style (and back): sites disagree, republishers retype.
_TONE_PAIRS = [("òa", "oà"), ("óa", "oá"), ("ỏa", "oả"), ("õa", "oã"), ("ọa", "oạ"), ("òe", "oè"), ("óe", "oé"),
               ("ỏe", "oẻ"), ("õe", "oẽ"), ("ọe", "oẹ"), ("ùy", "uỳ"), ("úy", "uý"), ("ủy", "uỷ"), ("ũy", "uỹ"),
               ("ụy", "uỵ")]


# --- fixture texts ------------------------------------------------------------------------------------------------
def load_fixture_texts(fixtures: Path = FIXTURES) -> dict[str, dict[str, Any]]:
    """``site/stem`` -> {site, title, lead, body} for every expected article page."""
    out = {}
    for path in sorted(fixtures.glob("*/expected/*.json")):
        data = json.loads(path.read_text("utf-8"))
        if "body_paragraphs" not in data:
            continue
        out[f"{path.parent.parent.name}/{path.stem}"] = {
            "site": data["site"], "title": data["title"], "lead": data.get("lead"),
            "body": "\n\n".join(data["body_paragraphs"]),
        }
    return out


# --- edits --------------------------------------------------------------------------------------------------------
def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?…])\s+", paragraph) if s]


def _paragraphs(doc: dict[str, Any]) -> list[str]:
    return doc["body"].split("\n\n")


def drop_sentence(doc: dict[str, Any], rng: random.Random) -> str:
    paras = [_sentences(p) for p in _paragraphs(doc)]
    slots = [(i, j) for i, ss in enumerate(paras) for j in range(len(ss))]
    if len(slots) < 3:
        return "none"
    i, j = rng.choice(slots[1:])  # never the first sentence: republishers keep the opening
    dropped = paras[i].pop(j)
    doc["body"] = "\n\n".join(" ".join(ss) for ss in paras if ss)
    return f"dropped sentence of {len(dropped.split())} words"


def replace_words(doc: dict[str, Any], rng: random.Random, share: float = 0.04) -> str:
    text = doc["body"]
    swaps = 0
    for old, new in SYNONYMS.items():  # a couple of house-style substitutions
        if swaps < 2 and re.search(rf"\b{re.escape(old)}\b", text) and rng.random() < 0.5:
            text = re.sub(rf"\b{re.escape(old)}\b", new, text, count=1)
            swaps += 1
    words = text.split(" ")
    n = max(3, int(len(words) * share))
    for pos in rng.sample(range(len(words)), min(n, len(words))):
        if "\n" not in words[pos]:
            words[pos] = rng.choice(FILLERS)
    doc["body"] = " ".join(words)
    return f"{swaps} phrase substitutions, {n} words replaced"


def lead_prefix(doc: dict[str, Any], rng: random.Random) -> str:
    prefix = rng.choice(PREFIXES)
    target = "lead" if doc.get("lead") else "body"
    stripped = re.sub(r"^\s*\([^()]{1,40}\)\s*[-–—:]?\s*", "", doc[target])
    doc[target] = prefix + stripped
    doc["title"] = rng.choice(("", "Tin mới: ", "Video: ")) + doc["title"]
    return f"{target} prefix -> {prefix.strip() or '(none)'}"


def reorder_paragraphs(doc: dict[str, Any], rng: random.Random) -> str:
    paras = _paragraphs(doc)
    if len(paras) >= 3:
        i = rng.randrange(1, len(paras))
        moved = paras.pop(i)
        j = rng.choice([k for k in range(len(paras) + 1) if k != i])
        paras.insert(j, moved)
        doc["body"] = "\n\n".join(paras)
        return f"paragraph {i} moved to {j}"
    if len(paras) == 2:
        doc["body"] = "\n\n".join(reversed(paras))
        return "paragraphs swapped"
    return "none"


def flip_tone_style(doc: dict[str, Any]) -> str:
    for key in ("title", "lead", "body"):
        if doc.get(key):
            text = doc[key]
            for old, new in _TONE_PAIRS:
                text = re.sub(rf"{old}(?!\w)", new, text)
            doc[key] = text
    return "tone marks to new style"


def abridge(doc: dict[str, Any], rng: random.Random) -> str:
    paras = _paragraphs(doc)
    if len(paras) >= 3:
        keep = max(2, round(len(paras) * 0.7))
        keep = min(keep, len(paras) - 1)
        doc["body"] = "\n\n".join(paras[:keep])
        return f"kept {keep} of {len(paras)} paragraphs"
    sents = [s for p in paras for s in _sentences(p)]
    keep = max(1, round(len(sents) * 0.7))
    doc["body"] = " ".join(sents[:keep])
    return f"kept {keep} of {len(sents)} sentences"


def apply_edit(kind: str, doc: dict[str, Any], rng: random.Random) -> list[str]:
    """Apply one edit kind to ``doc`` (in place); return what was done, for the pairs file."""
    if kind == "drop_sentence":
        return [drop_sentence(doc, rng)]
    if kind == "replace_words":
        return [replace_words(doc, rng)]
    if kind == "lead_prefix":
        return [lead_prefix(doc, rng)]
    if kind == "reorder_paragraphs":
        return [reorder_paragraphs(doc, rng)]
    if kind == "combined":
        return [lead_prefix(doc, rng), drop_sentence(doc, rng), replace_words(doc, rng, 0.03), flip_tone_style(doc)]
    if kind == "abridged":
        return [abridge(doc, rng), lead_prefix(doc, rng)]
    if kind == "rewrite":  # the heavy end: a desk rewrite of wire copy, still the same story
        return [lead_prefix(doc, rng), drop_sentence(doc, rng), drop_sentence(doc, rng), reorder_paragraphs(doc, rng),
                replace_words(doc, rng, 0.08), flip_tone_style(doc)]
    raise ValueError(kind)


# --- the labelled set ---------------------------------------------------------------------------------------------
def _word_set(doc: dict[str, Any]) -> set[str]:
    return set(fold_for_key(f"{doc.get('lead') or ''} {doc['body']}").split())


def generate_pairs(texts: dict[str, dict[str, Any]], seed: int = SEED) -> list[dict[str, Any]]:
    """The labelled pairs, deterministically: one edited copy per article, then three kinds of negatives."""
    refs = sorted(texts)
    sites = sorted({t["site"] for t in texts.values()})
    pairs: list[dict[str, Any]] = []
    for n, ref in enumerate(refs):
        rng = random.Random(f"{seed}:{ref}")
        kind = EDIT_KINDS[n % len(EDIT_KINDS)]
        doc = dict(texts[ref])
        edits = apply_edit(kind, doc, rng)
        doc["site"] = rng.choice([s for s in sites if s != texts[ref]["site"]])
        pairs.append({"id": f"pos-{n:03d}", "label": 1, "kind": kind, "edits": edits, "a": {"ref": ref},
                      "b": {k: doc[k] for k in ("site", "title", "lead", "body")}})
    seen: set[tuple[str, str]] = set()

    def add_negative(a: str, b: str, kind: str, note: str) -> None:
        key = (min(a, b), max(a, b))
        if a == b or key in seen:
            return
        seen.add(key)
        pairs.append({"id": f"neg-{len(seen) - 1:03d}", "label": 0, "kind": kind, "note": note,
                      "a": {"ref": key[0]}, "b": {"ref": key[1]}})

    for a, b, topic in SAME_TOPIC:
        if a in texts and b in texts:
            add_negative(a, b, "same-topic", topic)
    words = {ref: _word_set(texts[ref]) for ref in refs}

    def similarity(a: str, b: str) -> tuple[float, str]:
        return len(words[a] & words[b]) / len(words[a] | words[b]), b

    for ref in refs:  # each article's most similar other article: the hardest negatives the fixtures hold
        best = max((r for r in refs if r != ref), key=lambda r, ref=ref: similarity(ref, r))
        add_negative(ref, best, "most-similar", "highest word-set Jaccard")
    rng = random.Random(seed)
    for _ in range(60):
        a, b = rng.sample(refs, 2)
        add_negative(a, b, "random", "")
    return pairs


def write_pairs(path: Path = PAIRS_FILE) -> int:
    pairs = generate_pairs(load_fixture_texts())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs), "utf-8")
    return len(pairs)


def load_pairs(path: Path = PAIRS_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def resolve(side: dict[str, Any], texts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A pair side is a fixture reference or a stored (edited) text."""
    return texts[side["ref"]] if "ref" in side else side


# --- evaluation ---------------------------------------------------------------------------------------------------
def evaluate(
    pairs: list[dict[str, Any]],
    texts: dict[str, dict[str, Any]],
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = DEFAULT_NUM_PERM,
) -> dict[str, Any]:
    """Cluster the corpus (all fixture articles + every stored copy) and score the labelled pairs."""
    corpus: list[dict[str, Any]] = []
    origin: list[str] = []
    index: dict[str, int] = {}
    for ref in sorted(texts):
        index[ref] = len(corpus)
        corpus.append(texts[ref])
        origin.append(ref)
    for p in pairs:
        if "ref" not in p["b"]:
            index[p["id"]] = len(corpus)
            corpus.append(p["b"])
            origin.append(p["a"]["ref"])
    result = find_near_duplicates([(d.get("lead"), d["body"]) for d in corpus], threshold=threshold,
                                  num_perm=num_perm)
    cluster = result.cluster_of

    def idx(pair: dict[str, Any], side: str) -> int:
        s = pair[side]
        return index[s["ref"]] if "ref" in s else index[pair["id"]]

    tp = fp = fn = tn = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    sims: dict[str, list[float]] = defaultdict(list)
    errors = []
    for p in pairs:
        i, j = idx(p, "a"), idx(p, "b")
        same = cluster[i] == cluster[j]
        a_sh = shingles(normalise_text(corpus[i].get("lead"), corpus[i]["body"]))
        b_sh = shingles(normalise_text(corpus[j].get("lead"), corpus[j]["body"]))
        sim = jaccard(a_sh, b_sh)
        sims[p["kind"]].append(sim)
        by_kind[p["kind"]][0] += same
        by_kind[p["kind"]][1] += 1
        if p["label"] and same:
            tp += 1
        elif p["label"]:
            fn += 1
            errors.append({"id": p["id"], "kind": p["kind"], "error": "missed", "jaccard": round(sim, 3)})
        elif same:
            fp += 1
            errors.append({"id": p["id"], "kind": p["kind"], "error": "false match", "jaccard": round(sim, 3)})
        else:
            tn += 1
    # every co-clustered pair in the corpus, labelled or not: same origin = correct
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(cluster):
        members[c].append(i)
    co_pairs = co_correct = 0
    for group in members.values():
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                co_pairs += 1
                co_correct += origin[group[x]] == origin[group[y]]
    positives, negatives = tp + fn, fp + tn
    return {
        "threshold": threshold,
        "num_perm": num_perm,
        "pairs": len(pairs),
        "positives": positives,
        "negatives": negatives,
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / positives, 4) if positives else 1.0,
        "corpus_documents": len(corpus),
        "corpus_pair_precision": round(co_correct / co_pairs, 4) if co_pairs else 1.0,
        "corpus_co_clustered_pairs": co_pairs,
        "by_kind": {k: {"predicted_duplicate": v[0], "pairs": v[1],
                        "jaccard_min": round(min(sims[k]), 3), "jaccard_median": round(statistics.median(sims[k]), 3),
                        "jaccard_max": round(max(sims[k]), 3)} for k, v in sorted(by_kind.items())},
        "errors": errors,
    }


def scale_benchmark(texts: dict[str, dict[str, Any]], n: int, seed: int = SEED) -> dict[str, Any]:
    """Clustering throughput on ``n`` documents: fixture articles plus edited copies, cycled."""
    rng = random.Random(seed)
    refs = sorted(texts)
    docs = []
    for k in range(n):
        doc = dict(texts[refs[k % len(refs)]])
        apply_edit(EDIT_KINDS[k % len(EDIT_KINDS)], doc, rng)
        doc["body"] += f"\n\nBản tin số {k}."  # keep copies distinct
        docs.append(doc)
    start = time.perf_counter()
    result = find_near_duplicates([(d.get("lead"), d["body"]) for d in docs])
    elapsed = time.perf_counter() - start
    return {"documents": n, "seconds": round(elapsed, 2), "docs_per_second": round(n / elapsed),
            "clusters": len(result.sizes)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS_FILE)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--write-pairs", action="store_true", help="regenerate the pairs file from the fixtures")
    parser.add_argument("--scale", type=int, default=0, metavar="N", help="also time clustering of N documents")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    texts = load_fixture_texts()
    if args.write_pairs:
        print(f"wrote {write_pairs(args.pairs)} pairs to {args.pairs}")
    pairs = load_pairs(args.pairs)
    report = evaluate(pairs, texts, args.threshold)
    sweep = {t: evaluate(pairs, texts, t) for t in SWEEP}
    if args.scale:
        report["scale"] = scale_benchmark(texts, args.scale)
    if args.json:
        report["sweep"] = {str(t): {k: r[k] for k in ("precision", "recall", "corpus_pair_precision")}
                           for t, r in sweep.items()}
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"near-duplicate detection: MinHash LSH, word 3-shingles, {report['num_perm']} permutations")
    print(f"labelled pairs: {report['pairs']} ({report['positives']} edited copies, {report['negatives']} different "
          f"stories) over a corpus of {report['corpus_documents']} documents")
    print(f"threshold {report['threshold']}: precision {report['precision']:.3f}  recall {report['recall']:.3f}  "
          f"(tp {report['tp']}, fp {report['fp']}, fn {report['fn']}, tn {report['tn']}); "
          f"corpus pair precision {report['corpus_pair_precision']:.3f} over {report['corpus_co_clustered_pairs']} "
          "co-clustered pairs")
    print("\nper kind (share predicted duplicate; exact shingle Jaccard min / median / max):")
    for kind, v in report["by_kind"].items():
        print(f"  {kind:<20} {v['predicted_duplicate']:>3}/{v['pairs']:<3}  "
              f"J {v['jaccard_min']:.2f} / {v['jaccard_median']:.2f} / {v['jaccard_max']:.2f}")
    print("\nthreshold sweep:")
    for t, r in sweep.items():
        print(f"  {t:.1f}: precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
              f"corpus pair precision {r['corpus_pair_precision']:.3f}")
    if report["errors"]:
        print("\nerrors at the chosen threshold:")
        for e in report["errors"]:
            print(f"  {e['id']} {e['kind']}: {e['error']} (J {e['jaccard']})")
    if args.scale:
        s = report["scale"]
        print(f"\nscale: {s['documents']} documents clustered in {s['seconds']} s ({s['docs_per_second']} docs/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
