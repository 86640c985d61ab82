"""The stored idea vectors of a board, read straight into one float32 matrix.

A board of 100,000 ideas holds 150 MB of vectors. Reading them as a list of rows, joining
the blobs and copying the result into the index held three copies at once, and the
hundred thousand small blobs left the heap fragmented long after they were freed (the
bot's resident memory kept them). Here the rows are read a page at a time into a matrix
with room to spare, and the similarity index takes that matrix as its own storage.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sqlite_utils import Database

from storage.ideas import next_number

__all__ = ["canonical_vectors"]

# Rows fetched at a time: a page of blobs is about 1.5 MB at 384 dimensions.
FETCH = 1024
# Rows of room left after the last one, so the first ideas added need no new matrix.
SPARE = 1024

_LIVE_CANONICAL = (
    "SELECT id, embedding FROM ideas WHERE board_id = ? AND number >= ?"
    " AND merged_into IS NULL AND deleted_at IS NULL AND embedding IS NOT NULL"
    # Ideas are numbered in the order they are stored, so number order is id order: read
    # along the (board_id, number) index, no sort of 150 MB of rows.
    " ORDER BY number"
)


def canonical_vectors(
    db: Database, board_id: int, dim: int, from_number: int = 1
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Ids of the board's live canonical ideas numbered ``from_number`` or more, and a
    matrix whose row i is the vector of idea i, with spare rows after the last.

    Only the rows filled are ever touched, so the spare rows cost no resident memory.
    """
    bound = max(0, next_number(db, board_id) - from_number)
    matrix = np.empty((bound + SPARE, dim), dtype=np.float32)
    keys = np.empty(bound + SPARE, dtype=np.int64)
    size = 0
    cursor = db.execute(_LIVE_CANONICAL, [board_id, from_number])
    while rows := cursor.fetchmany(FETCH):
        end = size + len(rows)
        if end > len(keys):  # ideas stored since the bound was read
            matrix = _grown(matrix, end + SPARE)
            keys = np.resize(keys, end + SPARE)
        keys[size:end] = [r[0] for r in rows]
        block = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        matrix[size:end] = block.reshape(len(rows), dim)
        size = end
    return keys[:size], matrix


def _grown(matrix: npt.NDArray[np.float32], rows: int) -> npt.NDArray[np.float32]:
    grown = np.empty((rows, matrix.shape[1]), dtype=np.float32)
    grown[: matrix.shape[0]] = matrix
    return grown
