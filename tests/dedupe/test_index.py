"""Tests for dedupe.index.SimilarityIndex, checked against brute force where it matters."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from dedupe.index import SimilarityIndex


def unit(*values: float) -> npt.NDArray[np.float32]:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def random_units(rng: np.random.Generator, n: int, dim: int) -> npt.NDArray[np.float32]:
    matrix = rng.standard_normal((n, dim)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.fixture
def index() -> SimilarityIndex:
    ix = SimilarityIndex(2)
    ix.add(1, unit(1, 0))
    ix.add(2, unit(1, 1))
    ix.add(3, unit(0, 1))
    ix.add(4, unit(-1, 0))
    return ix


def test_search_orders_best_first(index: SimilarityIndex) -> None:
    results = index.search(unit(1, 0.1), k=4)
    assert [key for key, _ in results] == [1, 2, 3, 4]
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert all(type(score) is float for score in scores)
    assert all(type(key) is int for key, _ in results)
    assert scores[0] == pytest.approx(float(unit(1, 0.1) @ unit(1, 0)), abs=1e-6)


def test_search_k_limits_and_handles_small_index(index: SimilarityIndex) -> None:
    assert [key for key, _ in index.search(unit(0, 1), k=2)] == [3, 2]
    assert len(index.search(unit(0, 1), k=10)) == 4
    assert index.search(unit(0, 1), k=0) == []
    assert SimilarityIndex(2).search(unit(0, 1)) == []


def test_search_exclude(index: SimilarityIndex) -> None:
    results = index.search(unit(1, 0), k=2, exclude={1, 99})
    assert [key for key, _ in results] == [2, 3]
    assert index.search(unit(1, 0), k=3, exclude=[1, 2, 3, 4]) == []


def test_add_replaces_existing_key(index: SimilarityIndex) -> None:
    index.add(4, unit(1, 0.01))
    assert len(index) == 4
    assert [key for key, _ in index.search(unit(1, 0), k=2)] == [1, 4]


def test_remove_and_membership(index: SimilarityIndex) -> None:
    index.remove(1)
    index.remove(1)  # absent: no-op
    index.remove(12345)
    assert 1 not in index
    assert 2 in index
    assert len(index) == 3
    assert sorted(index.keys()) == [2, 3, 4]
    assert [key for key, _ in index.search(unit(1, 0), k=1)] == [2]


def test_vectors_are_stored_as_float32_copies() -> None:
    ix = SimilarityIndex(2)
    vector = np.array([1.0, 0.0], dtype=np.float64)
    ix.add(1, vector)
    vector[0] = -1.0  # caller mutating its array must not change the index
    assert ix.search(unit(1, 0)) == [(1, pytest.approx(1.0))]


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((1, 2)), np.zeros(0)])
def test_wrong_dimension_is_rejected(index: SimilarityIndex, bad: npt.NDArray[np.float64]) -> None:
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        index.add(9, bad)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        index.search(bad)
    assert 9 not in index


def test_invalid_dim() -> None:
    with pytest.raises(ValueError, match="dim"):
        SimilarityIndex(0)


def test_from_arrays_matches_incremental_build() -> None:
    rng = np.random.default_rng(7)
    matrix = random_units(rng, 50, 8)
    keys = list(range(100, 150))
    bulk = SimilarityIndex.from_arrays(keys, matrix)
    one_by_one = SimilarityIndex(8)
    for key, row in zip(keys, matrix, strict=True):
        one_by_one.add(key, row)
    query = random_units(rng, 1, 8)[0]
    assert bulk.search(query, k=10) == one_by_one.search(query, k=10)
    assert bulk.dim == 8
    assert len(bulk) == 50
    # The bulk index owns its buffer: later edits work and leave the caller's matrix alone.
    before = matrix.copy()
    bulk.add(999, query)
    bulk.remove(100)
    np.testing.assert_array_equal(matrix, before)
    assert bulk.search(query, k=1)[0][0] == 999


def test_from_arrays_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="keys"):
        SimilarityIndex.from_arrays([1, 2], np.zeros((3, 4)))
    with pytest.raises(ValueError, match="unique"):
        SimilarityIndex.from_arrays([1, 1], np.zeros((2, 4)))
    with pytest.raises(ValueError, match="2-dimensional"):
        SimilarityIndex.from_arrays([1], np.zeros(4))


def test_from_arrays_empty_then_grow() -> None:
    ix = SimilarityIndex.from_arrays([], np.zeros((0, 3)))
    assert len(ix) == 0
    for key in range(40):  # crosses several capacity doublings
        ix.add(key, unit(1, key, 0))
    assert len(ix) == 40
    assert ix.search(unit(1, 39, 0), k=1)[0][0] == 39


def test_random_operations_match_brute_force() -> None:
    rng = np.random.default_rng(1234)
    dim = 6
    ix = SimilarityIndex(dim)
    reference: dict[int, npt.NDArray[np.float32]] = {}
    for step in range(3000):
        key = int(rng.integers(0, 120))
        if rng.random() < 0.6:
            vector = random_units(rng, 1, dim)[0]
            ix.add(key, vector)
            reference[key] = vector
        else:
            ix.remove(key)
            reference.pop(key, None)
        if step % 50 == 0:
            assert len(ix) == len(reference)
            assert sorted(ix.keys()) == sorted(reference)
            query = random_units(rng, 1, dim)[0]
            exclude = {int(k) for k in rng.integers(0, 120, size=3)}
            expected = sorted(
                ((k, float(v @ query)) for k, v in reference.items() if k not in exclude),
                key=lambda item: -item[1],
            )[:7]
            got = ix.search(query, k=7, exclude=exclude)
            assert [k for k, _ in got] == [k for k, _ in expected]
            np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-6)


def test_adopt_keeps_the_matrix_and_its_spare_rows() -> None:
    rng = np.random.default_rng(7)
    storage = np.zeros((40, 8), dtype=np.float32)
    storage[:30] = random_units(rng, 30, 8)
    keys = np.arange(100, 130, dtype=np.int64)
    ix = SimilarityIndex.adopt(keys, storage)
    assert len(ix) == 30 and ix.search(storage[4], k=1)[0][0] == 104
    extra = random_units(rng, 5, 8)
    for n, vector in enumerate(extra):
        ix.add(500 + n, vector)
    assert ix._matrix is storage  # the adds went into the spare rows, no copy
    assert ix.search(extra[2], k=1)[0][0] == 502
    ix.remove(100)
    assert 100 not in ix and len(ix) == 34
    # Same answers as an index built the usual way from the same rows.
    built = SimilarityIndex.from_arrays(*ix.arrays())
    query = random_units(rng, 1, 8)[0]
    assert ix.search(query, k=5) == built.search(query, k=5)


def test_adopt_refuses_what_it_cannot_keep() -> None:
    keys = np.arange(3, dtype=np.int64)
    with pytest.raises(ValueError, match="float32"):
        SimilarityIndex.adopt(keys, np.zeros((3, 4)))  # float64
    with pytest.raises(ValueError, match="keys"):
        SimilarityIndex.adopt(np.arange(5, dtype=np.int64), np.zeros((3, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="unique"):
        SimilarityIndex.adopt(np.array([1, 1]), np.zeros((20, 4), dtype=np.float32))
    small = SimilarityIndex.adopt(keys, np.ones((3, 4), dtype=np.float32))
    assert len(small) == 3 and small.dim == 4
