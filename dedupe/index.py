"""In-memory cosine-similarity index over one board's idea vectors."""

from __future__ import annotations

import operator
from collections.abc import Collection, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["SimilarityIndex"]

_MIN_CAPACITY = 16


class SimilarityIndex:
    """Return nearest neighbours by cosine similarity among vectors keyed by idea id.

    Vectors are expected to be L2-normalised (as `Embedder.embed` returns them); scores are
    plain dot products, which equal cosine similarity for such vectors. Rows live in one
    contiguous float32 matrix so that a search is a single matrix-vector product.
    Not thread-safe: use it from one thread (the event loop).
    """

    def __init__(self, dim: int) -> None:
        if dim < 1:
            raise ValueError(f"dim must be >= 1, got {dim}")
        self._dim = dim
        self._matrix: npt.NDArray[np.float32] = np.empty((_MIN_CAPACITY, dim), dtype=np.float32)
        self._row_keys: npt.NDArray[np.int64] = np.empty(_MIN_CAPACITY, dtype=np.int64)
        self._rows: dict[int, int] = {}

    @classmethod
    def from_arrays(cls, keys: Sequence[int], matrix: npt.ArrayLike) -> SimilarityIndex:
        """Return an index holding row i of `matrix` under `keys[i]` (bulk build, one copy)."""
        array = np.asarray(matrix)
        if array.ndim != 2:
            raise ValueError(f"matrix must be 2-dimensional, got shape {array.shape}")
        if len(keys) != array.shape[0]:
            raise ValueError(
                f"got {len(keys)} keys for a matrix of {array.shape[0]} rows; they must match"
            )
        index = cls(int(array.shape[1]))
        key_list = [operator.index(key) for key in keys]
        rows = dict(zip(key_list, range(len(key_list)), strict=True))
        if len(rows) != len(key_list):
            raise ValueError("keys must be unique")
        capacity = max(_MIN_CAPACITY, len(key_list))
        # Copy (and convert) once into our own buffer: later adds/removes write into it.
        index._matrix = np.empty((capacity, index._dim), dtype=np.float32)
        index._matrix[: len(key_list)] = array
        index._row_keys = np.empty(capacity, dtype=np.int64)
        index._row_keys[: len(key_list)] = key_list
        index._rows = rows
        return index

    @classmethod
    def adopt(cls, keys: npt.NDArray[np.int64], matrix: npt.NDArray[np.float32]) -> SimilarityIndex:
        """Return an index holding row i of `matrix` under `keys[i]`, keeping `matrix` itself
        (no copy) as its storage; rows past ``len(keys)`` are room for later adds.

        For a board's index loaded from the store: a copy of 100k vectors is 150 MB.
        """
        if matrix.ndim != 2 or matrix.dtype != np.float32 or not matrix.flags.c_contiguous:
            raise ValueError("matrix must be a C-contiguous 2-dimensional float32 array")
        if len(keys) > matrix.shape[0]:
            raise ValueError(f"got {len(keys)} keys for a matrix of {matrix.shape[0]} rows")
        key_list = [int(key) for key in keys]
        rows = dict(zip(key_list, range(len(key_list)), strict=True))
        if len(rows) != len(key_list):
            raise ValueError("keys must be unique")
        index = cls(int(matrix.shape[1]))
        if matrix.shape[0] >= _MIN_CAPACITY:
            index._matrix = matrix
            index._row_keys = np.empty(matrix.shape[0], dtype=np.int64)
        else:  # too small to keep: grow once now rather than on the next add
            index._matrix[: len(key_list)] = matrix[: len(key_list)]
        index._row_keys[: len(key_list)] = key_list
        index._rows = rows
        return index

    @property
    def dim(self) -> int:
        """Return the vector dimension this index accepts."""
        return self._dim

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def keys(self) -> list[int]:
        """Return the stored keys, in no particular order."""
        return list(self._rows)

    def arrays(self) -> tuple[list[int], npt.NDArray[np.float32]]:
        """Return the stored keys and a copy of their vectors, row i under key i (bulk search)."""
        size = len(self._rows)
        return [int(key) for key in self._row_keys[:size]], self._matrix[:size].copy()

    def add(self, key: int, vector: npt.ArrayLike) -> None:
        """Store `vector` under `key`, replacing any vector already stored under it."""
        key = operator.index(key)
        row_vector = self._check_vector(vector)
        row = self._rows.get(key)
        if row is None:
            row = len(self._rows)
            if row == self._matrix.shape[0]:
                self._grow()
            self._row_keys[row] = key
            self._rows[key] = row
        self._matrix[row] = row_vector

    def remove(self, key: int) -> None:
        """Forget `key`; does nothing if it is not stored."""
        row = self._rows.pop(key, None)
        if row is None:
            return
        last = len(self._rows)  # index of the last occupied row, now that one key is gone
        if row != last:
            # Swap-with-last keeps rows contiguous in O(dim) instead of shifting the tail.
            moved_key = int(self._row_keys[last])
            self._matrix[row] = self._matrix[last]
            self._row_keys[row] = moved_key
            self._rows[moved_key] = row

    def search(
        self, vector: npt.ArrayLike, k: int = 5, *, exclude: Collection[int] = ()
    ) -> list[tuple[int, float]]:
        """Return up to `k` (key, score) pairs, highest score first, skipping `exclude` keys."""
        query = self._check_vector(vector)
        size = len(self._rows)
        if k <= 0 or size == 0:
            return []
        scores = self._matrix[:size] @ query
        excluded_rows = [row for key in exclude if (row := self._rows.get(key)) is not None]
        if excluded_rows:
            scores[excluded_rows] = -np.inf
        top = min(k, size - len(set(excluded_rows)))
        if top <= 0:
            return []
        # argpartition is O(n); only the `top` survivors get fully sorted. It needs top < size.
        candidates = np.argpartition(-scores, top - 1)[:top] if top < size else np.arange(size)
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(int(self._row_keys[row]), float(scores[row])) for row in order]

    def _grow(self) -> None:
        # Doubling keeps a run of n adds at O(n) amortised copying.
        capacity = self._matrix.shape[0] * 2
        matrix = np.empty((capacity, self._dim), dtype=np.float32)
        size = len(self._rows)
        matrix[:size] = self._matrix[:size]
        row_keys = np.empty(capacity, dtype=np.int64)
        row_keys[:size] = self._row_keys[:size]
        self._matrix = matrix
        self._row_keys = row_keys

    def _check_vector(self, vector: npt.ArrayLike) -> npt.NDArray[np.float32]:
        array = np.asarray(vector, dtype=np.float32)
        if array.shape != (self._dim,):
            raise ValueError(
                f"vector must have shape ({self._dim},) for this index, got {array.shape}"
            )
        return array
