"""Ranking, fusion and the answer/abstain decision. Pure functions over vectors and scores:
no model, no FAISS, no I/O here (the engine feeds them), so each is unit-testable.

Everything here is linear in the number of units or better, so the ranking step stays fast on
large corpora (bench/scale.py): grouped maxima use ``np.maximum.reduceat`` over units stored
passage by passage, sparse scores touch only the postings of the question's latent terms, and
rank lists are cut at :data:`RANK_DEPTH` as reciprocal rank fusion usually is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .tuning import RANK_DEPTH, RRF_K  # reasons: index/tuning.py


def max_per_group(unit_scores: np.ndarray, unit_group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Best score per group (passage) and the unit that gave it; groups with no unit get -inf / -1.

    For any grouping; :class:`Groups` is the fast path when units are stored group by group.
    """
    best = np.full(n_groups, -np.inf, dtype=np.float32)
    arg = np.full(n_groups, -1, dtype=np.int64)
    order = np.argsort(unit_scores, kind="stable")  # ascending: the last write per group wins
    best[unit_group[order]] = unit_scores[order]
    arg[unit_group[order]] = order
    return best, arg


def scatter_max(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Best of ``values`` per group for a few scattered units (e.g. the dense candidates); -inf elsewhere."""
    best = np.full(n_groups, -np.inf, dtype=np.float32)
    np.maximum.at(best, groups, np.asarray(values, dtype=np.float32))
    return best


@dataclass(frozen=True)
class Groups:
    """Units stored group by group (each passage's units are consecutive, passages in order)."""

    starts: np.ndarray  # index of the first unit of each non-empty group
    ids: np.ndarray  # the group of each of those runs
    n_groups: int

    @classmethod
    def of(cls, unit_group: np.ndarray, n_groups: int) -> "Groups":
        unit_group = np.asarray(unit_group, dtype=np.int64)
        if len(unit_group) and np.any(np.diff(unit_group) < 0):
            raise ValueError("units are not stored group by group")
        starts = np.flatnonzero(np.r_[True, np.diff(unit_group) != 0]) if len(unit_group) else np.zeros(0, np.int64)
        return cls(starts=starts, ids=unit_group[starts], n_groups=n_groups)

    def max(self, unit_scores: np.ndarray) -> np.ndarray:
        """Best score per group; -inf for groups without units. Same result as :func:`max_per_group`."""
        best = np.full(self.n_groups, -np.inf, dtype=np.float32)
        if len(self.starts):
            best[self.ids] = np.maximum.reduceat(np.asarray(unit_scores, dtype=np.float32), self.starts)
        return best


def ranks(scores: np.ndarray, depth: int | None = None) -> np.ndarray:
    """1-based rank of each entry, highest score first; -inf and NaN rank last.

    With ``depth``, only the best ``depth`` entries are ordered; every other entry gets rank
    ``len(scores) + 1`` (behind them all). Entries that are not finite are never ranked ahead of
    finite ones.
    """
    n = len(scores)
    clean = np.where(np.isfinite(scores), scores, -np.inf)
    if depth is None or depth >= n:
        order = np.argsort(-clean, kind="stable")
        r = np.empty(n, dtype=np.int64)
        r[order] = np.arange(1, n + 1)
        return r
    top = top_order(clean, depth)
    r = np.full(n, n + 1, dtype=np.int64)
    r[top] = np.arange(1, depth + 1)
    return r


def top_order(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` highest scores, best first, ties in index order: the first
    ``count`` of a stable descending sort, in linear time plus the sort of the head."""
    n = len(scores)
    if count >= n:
        return np.argsort(-scores, kind="stable")
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    kth = np.partition(scores, n - count)[n - count]  # the count-th highest value
    above = np.flatnonzero(scores > kth)
    tied = np.flatnonzero(scores == kth)[: count - len(above)]
    top = np.concatenate([above, tied])
    return top[np.lexsort((top, -scores[top]))]


def rrf(rank_lists: list[tuple[np.ndarray, float]], k: int = RRF_K, depth: int | None = None) -> np.ndarray:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank), ranks beyond ``depth`` add 0."""
    fused = np.zeros(len(rank_lists[0][0]), dtype=np.float64)
    for r, weight in rank_lists:
        contribution = weight / (k + r)
        if depth is not None:
            contribution = np.where(r <= depth, contribution, 0.0)
        fused += contribution
    return fused


@dataclass(frozen=True)
class Ranking:
    """One question's scores: fused (RRF) per passage, raw dense per unit, BM25 per sentence,
    dense (best sentence) and sparse per passage, and the rank lists that were fused."""

    fused: np.ndarray
    unit_scores: np.ndarray
    lexical: np.ndarray
    dense: np.ndarray
    sparse: np.ndarray
    rank_lists: tuple[np.ndarray, ...]

    def agreement(self) -> int:
        """How many of the rankings put the fused first passage first."""
        best = int(np.argmax(self.fused))
        return sum(int(r[best] == 1) for r in self.rank_lists)

    def sparse_top(self) -> float:
        return float(np.max(self.sparse, initial=0.0))

    def dense_gap(self, at: int) -> float:
        """Best passage's dense score minus the ``at``-th best (0 when there are fewer)."""
        finite = np.sort(self.dense[np.isfinite(self.dense)])[::-1]
        return float(finite[0] - finite[at - 1]) if len(finite) >= at else 0.0


class SparseTerms:
    """Sparse latent-term vectors of the units, stored column by column (CSC: each term's postings
    together, an inverted index), so scoring a question reads only the postings of its own terms.
    ``matrix`` is the one copy in memory (units x terms)."""

    def __init__(self, unit_terms) -> None:  # scipy sparse, units x terms
        self.matrix = unit_terms.tocsc()  # no copy when it already is CSC

    def scores(self, query_terms) -> np.ndarray:
        """Dot product of every unit with the question's sparse vector (1 x terms, scipy sparse)."""
        q = query_terms.tocsr()
        if q.nnz == 0:
            return np.zeros(self.matrix.shape[0], dtype=np.float32)
        postings = self.matrix[:, q.indices]  # units x the question's terms
        return np.asarray(postings @ q.data, dtype=np.float32).ravel()
