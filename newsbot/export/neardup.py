"""Near-duplicate clusters: the same story republished with small edits, on one site or across sites.

Provincial papers rerun wire copy (TTXVN, VnExpress, the government portal) and each other's stories with a new
lead prefix, a dropped sentence, a few words changed or paragraphs moved. Exact fingerprints miss all of those;
counting such a story once per site would inflate any topic or volume analysis.

Method: Jaccard similarity of word 3-shingles of the normalised lead + body, estimated with MinHash signatures
from ``datasketch`` (maintained, pure Python + numpy, no native build) and searched with LSH banding using
datasketch's band / row parameters. Candidate pairs are verified against the estimated Jaccard, then joined with
union-find into clusters (so clustering is transitive: A~B and B~C put A, B, C together). Each cluster's
representative is its earliest-published article.

Why these choices:

- 3-word shingles: provincial stories are short (150-400 words). Longer shingles make each replaced word cost too
  many shingles; single words make unrelated stories on the same topic ("bầu cử", "nông thôn mới") look alike.
- Title left out: republishers rewrite headlines far more than bodies.
- Text normalised with :func:`newsbot.text.fold_for_key` (case, punctuation, spacing), then tone marks moved to
  the end of their syllable: sites disagree on old/new placement ("hòa"/"hoà", "thủy"/"thuỷ") and that alone
  would change most shingles of a republished story. A leading dateline tag ("(CTO) -", "(TTXVN)") is dropped.
- MinHash with 256 permutations (estimate std. error ~0.03 at J = 0.5) and LSH banding tuned for recall, since
  the verification step restores precision (see ``LSH_WEIGHTS``).
- Default threshold 0.5 (see ``bench/neardup_eval.py`` for the precision/recall it gives on the labelled pairs).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from newsbot.export import DEFAULT_NEAR_DUP_THRESHOLD
from newsbot.text import fold_for_key

DEFAULT_THRESHOLD = DEFAULT_NEAR_DUP_THRESHOLD
DEFAULT_NUM_PERM = 256
# LSH only proposes candidates; every candidate is then checked against the threshold. So the banding is tuned for
# recall: datasketch's default weights (0.5, 0.5) give 25 bands x 5 rows at 128 permutations, which proposes only
# ~55% of the pairs right at J = 0.5 and ~87% at J = 0.6. 256 permutations with weights (0.1, 0.9) give 42 x 4:
# ~93% at 0.5, ~99.7% at 0.6, while a pair at J = 0.05 is still proposed only 3 times in 10,000.
LSH_WEIGHTS = (0.1, 0.9)
DEFAULT_SHINGLE = 3
# Vietnamese tone marks as combining characters (grave, acute, hook above, tilde, dot below). Vowel-quality
# marks (circumflex, breve, horn) are not tones and stay in place.
_TONES = {"\u0300": "1", "\u0301": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_DATELINE = re.compile(r"^\s*\([^()]{1,40}\)\s*[-–—:]?\s*")


@lru_cache(maxsize=1 << 18)
def _canonical_tone(word: str) -> str:
    """``hòa`` and ``hoà`` -> ``hoa1``: base letters, then the tone as a digit, wherever the page placed it."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = ""
    base = []
    for ch in decomposed:
        mark = _TONES.get(ch)
        if mark:
            tone = mark
        else:
            base.append(ch)
    return unicodedata.normalize("NFC", "".join(base)) + tone


def normalise_text(lead: str | None, body: str | None) -> list[str]:
    """Words of lead + body, folded and tone-canonicalised: the unit the shingles are made of."""
    text = _DATELINE.sub("", " ".join(t for t in (lead, body) if t))
    return [_canonical_tone(w) for w in fold_for_key(text).split()]


def shingles(words: Sequence[str], k: int = DEFAULT_SHINGLE) -> set[bytes]:
    """Word k-shingles as UTF-8 bytes (datasketch hashes bytes); a text shorter than k is one shingle."""
    if not words:
        return set()
    if len(words) < k:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i:i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    """Exact Jaccard of two shingle sets (the evaluation uses it to show what MinHash estimates)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass
class NearDupResult:
    """Cluster assignment per input index, plus the pairs that joined them (for reports and debugging)."""

    cluster_of: list[int]  # index of the representative of each row's cluster
    sizes: dict[int, int]  # representative index -> cluster size
    pairs: list[tuple[int, int, float]]  # verified pairs that joined clusters: (i, j, estimated Jaccard), i < j

    @property
    def clusters_with_duplicates(self) -> int:
        return sum(1 for size in self.sizes.values() if size > 1)

    @property
    def rows_in_duplicate_clusters(self) -> int:
        return sum(size for size in self.sizes.values() if size > 1)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's LSH picks for this threshold with :data:`LSH_WEIGHTS`."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
    return lsh.b, lsh.r


def signatures(
    texts: Sequence[tuple[str | None, str | None]],
    *,
    num_perm: int = DEFAULT_NUM_PERM,
    k: int = DEFAULT_SHINGLE,
    on_item: Callable[[], None] | None = None,
):
    """MinHash signatures (datasketch, fixed seed) as one ``(n, num_perm)`` array, and which texts had no words.

    Kept as a plain array rather than MinHash objects: each object also carries its own view of the permutation
    tables and Python overhead, several KB per article that a 200,000-article export does not need.
    """
    import numpy as np
    from datasketch import MinHash

    template = MinHash(num_perm=num_perm, seed=1)
    sig = np.zeros((len(texts), num_perm), dtype=template.hashvalues.dtype)
    empty = np.zeros(len(texts), dtype=bool)
    for i, (lead, body) in enumerate(texts):
        sh = shingles(normalise_text(lead, body), k)
        if sh:
            m = template.copy()  # shares the permutation tables instead of drawing them again
            m.update_batch(list(sh))
            sig[i] = m.hashvalues
        else:
            empty[i] = True
        if on_item:
            on_item()
    return sig, empty


def _band_groups(sig, rows: Any, band: int, r: int):
    """Index groups (size >= 2) of ``rows`` whose signatures agree on all ``r`` values of ``band``."""
    import numpy as np

    chunk = np.ascontiguousarray(sig[rows, band * r:(band + 1) * r])
    keys = chunk.view(np.dtype((np.void, chunk.dtype.itemsize * r))).ravel()
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    shared = np.flatnonzero(counts[inverse] > 1)
    if shared.size == 0:
        return []
    order = np.argsort(inverse[shared], kind="stable")
    shared = shared[order]
    bounds = np.flatnonzero(np.diff(inverse[shared])) + 1
    return np.split(rows[shared], bounds)


def find_near_duplicates(
    texts: Sequence[tuple[str | None, str | None]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = DEFAULT_NUM_PERM,
    k: int = DEFAULT_SHINGLE,
    order: Sequence[Any] | None = None,
    on_item: Callable[[], None] | None = None,
) -> NearDupResult:
    """Cluster ``texts`` (pairs of lead, body) whose estimated shingle Jaccard is at least ``threshold``.

    LSH banding with datasketch's parameters (:func:`lsh_params`), bucketed one band at a time with numpy:
    datasketch's ``MinHashLSH`` index keeps every band of every document in Python dicts at once (~16 KB per
    article measured, 3 GB at 200,000), which a one-shot batch clustering has no use for. Each pair sharing a
    bucket is verified on the full signature (the fraction of equal values, as ``MinHash.jaccard``) unless the
    two are already in one cluster.

    ``order`` gives a sort key per text; the smallest in a cluster is its representative (default: input order).
    The MinHash seed is fixed, so the same input gives the same clusters on every run.
    """
    import numpy as np

    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    n = len(texts)
    sig, empty = signatures(texts, num_perm=num_perm, k=k, on_item=on_item)
    bands, r = lsh_params(threshold, num_perm)
    rows = np.flatnonzero(~empty)
    uf = _UnionFind(n)
    pairs: list[tuple[int, int, float]] = []
    for band in range(bands):
        for group in _band_groups(sig, rows, band, r):
            for x in range(len(group) - 1):
                i = int(group[x])
                rest = group[x + 1:]
                sims = np.count_nonzero(sig[rest] == sig[i], axis=1) / num_perm
                for j, sim in zip(rest[sims >= threshold].tolist(), sims[sims >= threshold].tolist(), strict=True):
                    if uf.find(i) != uf.find(j):
                        pairs.append((min(i, j), max(i, j), float(sim)))
                        uf.union(i, j)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(uf.find(i), []).append(i)
    keys = order if order is not None else range(n)
    cluster_of = [0] * n
    sizes: dict[int, int] = {}
    for group_members in members.values():
        rep = min(group_members, key=lambda idx: (keys[idx], idx))
        sizes[rep] = len(group_members)
        for idx in group_members:
            cluster_of[idx] = rep
    return NearDupResult(cluster_of, sizes, sorted(pairs))


def cluster_id_for(row: dict[str, Any]) -> str:
    """A cluster is named after its representative's fingerprint: unique after exact dedup, stable across runs."""
    return "nd-" + row["fingerprint"][:16]


def annotate_rows(
    rows: list[dict[str, Any]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = DEFAULT_NUM_PERM,
    keep_one: bool = False,
    on_item: Callable[[], None] | None = None,
) -> tuple[list[dict[str, Any]], NearDupResult]:
    """Add ``cluster_id``, ``cluster_size``, ``is_cluster_representative`` to each row (in place).

    With ``keep_one`` only representatives are returned (their ``cluster_size`` still counts the copies dropped).
    """
    from newsbot.export.dataset import publication_order

    result = find_near_duplicates(
        [(r.get("lead"), r.get("body")) for r in rows],
        threshold=threshold,
        num_perm=num_perm,
        order=[publication_order(r) for r in rows],
        on_item=on_item,
    )
    for idx, row in enumerate(rows):
        rep = result.cluster_of[idx]
        row["cluster_id"] = cluster_id_for(rows[rep])
        row["cluster_size"] = result.sizes[rep]
        row["is_cluster_representative"] = rep == idx
    if keep_one:
        rows = [r for r in rows if r["is_cluster_representative"]]
    return rows, result
