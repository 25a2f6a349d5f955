"""Ranking, fusion and the answer/abstain decision. Pure functions over vectors and scores:
no model, no FAISS, no I/O here (the engine feeds them), so each is unit-testable.
"""

from __future__ import annotations

import numpy as np

RRF_K = 60


def max_per_group(unit_scores: np.ndarray, unit_group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Best score per group (passage) and the unit that gave it; groups with no unit get -inf / -1."""
    best = np.full(n_groups, -np.inf, dtype=np.float32)
    arg = np.full(n_groups, -1, dtype=np.int64)
    order = np.argsort(unit_scores, kind="stable")  # ascending: the last write per group wins
    best[unit_group[order]] = unit_scores[order]
    arg[unit_group[order]] = order
    return best, arg


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each entry, highest score first; -inf and NaN rank last."""
    clean = np.where(np.isfinite(scores), scores, -np.inf)
    order = np.argsort(-clean, kind="stable")
    r = np.empty(len(scores), dtype=np.int64)
    r[order] = np.arange(1, len(scores) + 1)
    return r


def rrf(rank_lists: list[tuple[np.ndarray, float]], k: int = RRF_K) -> np.ndarray:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank)."""
    fused = np.zeros(len(rank_lists[0][0]), dtype=np.float64)
    for r, weight in rank_lists:
        fused += weight / (k + r)
    return fused
