"""The ranking primitives in index.search: the fast paths give the same answers as the plain ones."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix, random as sparse_random

from index import search


@pytest.fixture
def rng():
    return np.random.default_rng(3)


def _groups(rng, n_groups=40, max_units=5):
    sizes = rng.integers(0, max_units + 1, n_groups)  # some passages have no unit at all
    return np.repeat(np.arange(n_groups), sizes), n_groups


def test_groups_max_matches_max_per_group(rng):
    unit_group, n = _groups(rng)
    scores = rng.normal(size=len(unit_group)).astype(np.float32)
    scores[rng.random(len(scores)) < 0.3] = -np.inf
    fast = search.Groups.of(unit_group, n).max(scores)
    plain, _ = search.max_per_group(scores, unit_group, n)
    np.testing.assert_array_equal(fast, plain)
    assert np.isneginf(fast[np.bincount(unit_group, minlength=n) == 0]).all()


def test_groups_refuse_units_out_of_order():
    with pytest.raises(ValueError, match="group by group"):
        search.Groups.of(np.array([0, 1, 0]), 2)


def test_scatter_max_of_candidates(rng):
    unit_group, n = _groups(rng)
    scores = rng.normal(size=len(unit_group)).astype(np.float32)
    cand = rng.choice(len(scores), 25, replace=False)
    full = np.full(len(scores), -np.inf, dtype=np.float32)
    full[cand] = scores[cand]
    expected, _ = search.max_per_group(full, unit_group, n)
    np.testing.assert_array_equal(search.scatter_max(scores[cand], unit_group[cand], n), expected)


def test_ranks_with_depth_agree_on_the_head_and_put_the_rest_behind(rng):
    scores = np.round(rng.normal(size=500), 1)  # ties, also across the cut
    scores[:50] = -np.inf
    full = search.ranks(scores)
    cut = search.ranks(scores, depth=100)
    head = full <= 100
    np.testing.assert_array_equal(cut[head], full[head])
    assert (cut[~head] == len(scores) + 1).all()
    np.testing.assert_array_equal(search.ranks(scores, depth=10_000), full)
    assert (full[:50] > 450).all()  # -inf ranks last


def test_rrf_depth_drops_ranks_beyond_it():
    ranks_a = np.array([1, 2, 1001])
    fused = search.rrf([(ranks_a, 1.0)], depth=1000)
    assert fused[2] == 0.0 and fused[0] == pytest.approx(1 / 61)
    assert search.rrf([(ranks_a, 1.0)])[2] == pytest.approx(1 / 1061)


def test_top_order_is_the_head_of_a_stable_sort(rng):
    scores = np.round(rng.normal(size=300), 1)  # many ties
    for count in (1, 3, 17, 300, 400):
        np.testing.assert_array_equal(search.top_order(scores, count), np.argsort(-scores, kind="stable")[:count])


def test_sparse_terms_score_like_the_matrix_product(rng):
    units = sparse_random(200, 1000, density=0.02, format="csr", random_state=4, dtype=np.float32)
    index = search.SparseTerms(units)
    query = sparse_random(1, 1000, density=0.05, format="csr", random_state=5, dtype=np.float32)
    np.testing.assert_allclose(index.scores(query), (units @ query.T).toarray().ravel(), rtol=1e-5, atol=1e-6)
    assert not index.scores(csr_matrix((1, 1000), dtype=np.float32)).any()
