"""Fixed-width byte keys of string columns: codes and runs of ids without hashing strings.

A string of at most W bytes (UTF-8, no NUL byte) padded with zeros to W bytes and read as
w = ceil(W / 8) big-endian 64-bit words keeps the strings' order when w = 1 (UTF-8 byte order
is code-point order, and the zero padding sorts a prefix first); for w > 1 a multiplicative
hash of the words is the key and a match is confirmed on all the words. Sorting and comparing
64-bit integers is many times faster than hashing or comparing the strings themselves.

- :func:`lookup_keys`: positions of values in a column of unique ids (node codes of edges);
- :func:`short_keys`: order-preserving keys of a column whose strings fit in 8 bytes (runs
  of equal ids);
- :func:`merged_ranks`: ``searchsorted`` of sorted values by one linear merge.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["lookup_keys", "merged_ranks", "padded_words", "short_keys", "utf8_buffers", "word_key"]


def short_keys(column: pd.Series) -> np.ndarray | None:
    """One uint64 per value: its UTF-8 bytes padded with zeros to 8, read big-endian.

    Equal keys are equal strings and keys sort as the strings do (the module docstring). None
    when a value is missing, holds a NUL byte or is longer than 8 bytes.
    """
    raw = utf8_buffers(column)
    if raw is None:
        return None
    off, data = raw
    if len(off) > 1 and int(np.diff(off).max()) > 8:
        return None
    return padded_words(off, data, 8)[:, 0].copy()


def lookup_keys(ids: pd.Series, columns: tuple[pd.Series, ...]) -> list[np.ndarray] | None:
    """Positions of each column's values in ``ids`` (-1 where absent) from sorted 64-bit keys.

    Each string becomes its UTF-8 bytes padded with zeros to W bytes (W = the longest string of
    all the columns), read as w = ceil(W / 8) big-endian 64-bit words. With w = 1 the word is
    the key (one-to-one); otherwise the key is a multiplicative hash of the words, and a key
    match counts only when all w words match. The ids' keys are sorted once; a value's
    position is ``searchsorted`` of its key (values sorted first: memory-friendly). Returns
    None when a column has a missing value or a NUL byte (padding would be ambiguous), when
    pyarrow is absent, or when two ids share a key (duplicate ids, or a hash collision): the
    caller then hashes the strings.
    """
    if len(ids) == 0:
        return None
    raw = [utf8_buffers(c) for c in (ids, *columns)]
    if any(r is None for r in raw):
        return None
    parts = [r for r in raw if r is not None]
    width = max(max(int(np.diff(off).max(initial=0)) for off, _ in parts), 1)
    words = [padded_words(off, data, width) for off, data in parts]
    keys = [word_key(w) for w in words]
    id_order = np.argsort(keys[0], kind="stable")
    id_keys = keys[0][id_order]
    if len(id_keys) > 1 and not bool((id_keys[1:] > id_keys[:-1]).all()):
        return None
    out = []
    for key, word in zip(keys[1:], words[1:], strict=True):
        if len(key) > 1 and bool((key[1:] >= key[:-1]).all()):
            out.append(_distinct_positions(id_keys, id_order, words[0], key, word, None))
        elif len(key) > 65_536:
            out.append(_distinct_positions(id_keys, id_order, words[0], key, word, np.argsort(key)))
        else:
            at = np.searchsorted(id_keys, key, side="right").astype(np.int64) - 1
            out.append(_hits(id_keys, id_order, words[0], key, word, at))
    return out


def _distinct_positions(
    id_keys: np.ndarray,
    id_order: np.ndarray,
    id_words: np.ndarray,
    key: np.ndarray,
    word: np.ndarray,
    order: np.ndarray | None,
) -> np.ndarray:
    """Positions of the values (keys ``key``, words ``word``) among the ids, each distinct key
    looked up once: ``order`` sorts ``key`` (None: already sorted); a run of equal sorted keys
    is one lookup (a column of edges names each node about twice: half the merge). With
    several words the words of every value are then compared (a hashed key may be shared)."""
    skey = key if order is None else key[order]
    first = np.flatnonzero(np.r_[True, skey[1:] != skey[:-1]])
    lengths = np.diff(np.append(first, len(skey)))
    ukey = skey[first]
    at = merged_ranks(id_keys, ukey) - 1
    if word.shape[1] > 1:  # every value's words are compared: the lookup of its key repeated over its run
        pos = _hits(id_keys, id_order, id_words, skey, word if order is None else word[order], np.repeat(at, lengths))
    else:
        pos = np.repeat(_hits(id_keys, id_order, id_words, ukey, word, at), lengths)
    if order is None:
        return pos
    out = np.empty(len(key), dtype=np.int64)
    out[order] = pos
    return out


def _hits(
    id_keys: np.ndarray, id_order: np.ndarray, id_words: np.ndarray, key: np.ndarray, word: np.ndarray, at: np.ndarray
) -> np.ndarray:
    """Id positions of the values whose key is ``id_keys[at]`` (``at``: the last id key <= the
    value's key, -1 for none), -1 where the key or, for several words, a word differs."""
    cand = id_order[np.maximum(at, 0)]
    hit = (at >= 0) & (id_keys[np.maximum(at, 0)] == key)
    if word.shape[1] > 1:
        hit &= (id_words[cand] == word).all(axis=1)
    return np.where(hit, cand, -1).astype(np.int64)


def merged_ranks(sorted_keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.searchsorted(sorted_keys, values, side="right")`` for sorted ``values``, by a merge.

    A stable sort of the two sorted runs one after the other is one linear merge (timsort finds
    the runs); value j then sits at merged position p_j with the p_j - j keys <= it before it.
    """
    merged = np.argsort(np.concatenate([sorted_keys, values]), kind="stable")
    return np.flatnonzero(merged >= len(sorted_keys)) - np.arange(len(values), dtype=np.int64)


def utf8_buffers(column: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(offsets, bytes) of a string column's UTF-8 encoding, None when missing values, NUL
    bytes, a non-string column or no pyarrow."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow ships with pandas 3 installs here
        return None
    try:
        arr = pa.array(column.array) if column.dtype != object else pa.array(column.to_numpy(), type=pa.large_string())
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.null_count or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    arr = arr.cast(pa.large_binary())
    off_buf, data_buf = arr.buffers()[1], arr.buffers()[2]
    off = (
        np.frombuffer(off_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
        if off_buf
        else np.zeros(1, np.int64)
    )
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    data = data[int(off[0]) : int(off[-1])]
    if not bool(data.all()):  # a NUL byte (one reduction, no mask of the bytes)
        return None
    return off - off[0], data


def padded_words(off: np.ndarray, data: np.ndarray, width: int) -> np.ndarray:
    """(m, ceil(width / 8)) big-endian uint64 words of the strings padded with zeros."""
    m = len(off) - 1
    n_words = (width + 7) // 8
    lengths = np.diff(off)
    if m and bool((lengths == n_words * 8).all()):
        padded = data.reshape(m, n_words * 8)
    else:
        padded = np.zeros((m, n_words * 8), dtype=np.uint8)
        start = off[:-1]
        for j in range(int(lengths.max(initial=0))):
            has = np.flatnonzero(lengths > j)
            padded[has, j] = data[start[has] + j]
    return np.ascontiguousarray(padded).view(">u8").astype(np.uint64)


def word_key(words: np.ndarray) -> np.ndarray:
    """One uint64 per row: the word itself, or a multiplicative hash of several words."""
    if words.shape[1] == 1:
        return words[:, 0]  # a view of the caller's fresh words (not written to)
    key = np.zeros(len(words), dtype=np.uint64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    for j in range(words.shape[1]):
        key = (key ^ words[:, j]) * mult
        key ^= key >> np.uint64(29)
    return key
