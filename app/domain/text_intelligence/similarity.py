"""Find similar complaint texts among many, fast: hashed character bigrams in an inverted index.

Each text becomes a vector of its character 1-2-grams (hashed, so no vocabulary has to be fitted and
texts can be added one at a time), sublinear counts, unit length. A query is weighted by the inverse
document frequency of its n-grams in the index, so "我的" counts for little and "宽带断" for much; its
score against a text is the dot product. The index is kept transposed (n-gram -> texts), so a query
touches only the postings of its own n-grams, not every text. New texts go to a small side block that is
merged into the main one when it grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from .normalize import normalize

FEATURES = 2**20
MERGE_AT = 2000  # side-block size at which it is merged into the main block

COMMON = 0.05  # n-grams in more than this share of texts are skipped by a query: they cost time, tell little
_HASHER = HashingVectorizer(
    analyzer="char",
    ngram_range=(1, 2),
    n_features=FEATURES,
    alternate_sign=False,
    norm=None,
    lowercase=False,
    dtype=np.float32,
)


def vectors(texts: list[str]) -> sp.csr_matrix:
    """Unit-length sublinear n-gram counts of the texts (one row each)."""
    x = _HASHER.transform([normalize(t) for t in texts]).tocsr()
    x.data = 1.0 + np.log(x.data)
    row_lengths = np.diff(x.indptr)
    rows = np.repeat(np.arange(x.shape[0]), row_lengths)
    norms = np.sqrt(np.bincount(rows, weights=x.data.astype(np.float64) ** 2, minlength=x.shape[0]))
    x.data /= np.repeat(norms, row_lengths).astype(np.float32)
    return x


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' n-gram vectors, without inverse document frequency (0..1)."""
    va, vb = vectors([a, b])
    return float(va.multiply(vb).sum())


def similarities(a: str, others: list[str]) -> list[float]:
    """``similarity(a, b)`` for each b of others, the texts vectorised in one call (each row is scaled on its
    own, so the numbers are those of one pair at a time, at a fraction of the cost: scikit-learn's checks and
    set-up per call cost more than the arithmetic of a short text)."""
    if not others:
        return []
    x = vectors([a, *others])
    va = x[0]
    return [float(va.multiply(x[i]).sum()) for i in range(1, x.shape[0])]


@dataclass
class SimilarityIndex:
    """Texts by id with their time; ``query`` returns the best-scoring ids."""

    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    times: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))  # epoch seconds
    _main_t: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((FEATURES, 0), dtype=np.float32))
    _side: list[sp.csr_matrix] = field(default_factory=list)  # rows: texts not merged yet
    _side_rows: int = 0
    _df: np.ndarray = field(default_factory=lambda: np.zeros(FEATURES, dtype=np.float32))

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ids: list[int], texts: list[str], times: list[float]) -> None:
        """Add texts (ids must not be in the index yet)."""
        if not ids:
            return
        x = vectors(texts)
        self._df += np.bincount(x.indices, minlength=FEATURES).astype(np.float32)
        self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)])
        self.times = np.concatenate([self.times, np.asarray(times, dtype=np.float64)])
        # kept as one block (at most MERGE_AT rows): a lookup multiplies it once, not a block per registration
        self._side = [sp.vstack([*self._side, x], format="csr")] if self._side else [x]
        self._side_rows += x.shape[0]
        if self._side_rows >= MERGE_AT:
            self._merge()

    def _merge(self) -> None:
        side_t = sp.vstack(self._side).T.tocsr()
        self._main_t = sp.hstack([self._main_t, side_t]).tocsr()
        self._side, self._side_rows = [], 0

    def since(self, since: float) -> SimilarityIndex:
        """This index without the texts older than ``since`` (epoch seconds), as if built from the others.

        What stays keeps its vectors: nothing is read or vectorised again (a rebuild from the database costs
        seconds per 100,000 texts). A new index: a lookup still running on this one is not disturbed."""
        keep = self.times >= since
        if keep.all():
            return self
        side = sp.vstack(self._side).T.tocsr() if self._side else None
        whole = sp.hstack([self._main_t, side]).tocsr() if side is not None else self._main_t
        kept = np.flatnonzero(keep)
        main_t = whole[:, kept].tocsr()
        main_t.sort_indices()
        return SimilarityIndex(
            ids=self.ids[kept],
            times=self.times[kept],
            _main_t=main_t,
            _df=np.diff(main_t.indptr).astype(np.float32),  # texts per n-gram: the postings' lengths
        )

    def query(
        self,
        text: str,
        limit: int = 5,
        min_score: float = 0.0,
        since: float | None = None,
        exclude: set[int] | None = None,
    ) -> list[tuple[int, float]]:
        """The ids of the most similar texts (best first) with their scores, at least min_score."""
        if not len(self.ids):
            return []
        q = vectors([text])
        n = len(self.ids)
        df = self._df[q.indices]
        keep = df <= max(COMMON * n, 1.0)
        feats, weights = q.indices[keep], q.data[keep] * (np.log((1.0 + n) / (1.0 + df[keep])) + 1.0)
        qn = float(np.sqrt((q.data[~keep] ** 2).sum() + (weights**2).sum())) or 1.0
        scores = np.zeros(n, dtype=np.float64)
        main_n = self._main_t.shape[1]
        if main_n and len(feats):
            # sum each query n-gram's postings: only the texts sharing an n-gram are touched
            m = self._main_t
            starts, ends = m.indptr[feats], m.indptr[feats + 1]
            lengths = ends - starts
            if lengths.sum():
                offsets = np.cumsum(lengths) - lengths
                pos = np.arange(lengths.sum()) - np.repeat(offsets - starts, lengths)
                scores[:main_n] = np.bincount(
                    m.indices[pos], weights=m.data[pos] * np.repeat(weights, lengths), minlength=main_n
                )
        if self._side:
            # the side block's rows times the query's weights as a dense vector: a sparse (FEATURES x 1) operand
            # made scipy build an index of a million entries per query
            dense = np.zeros(FEATURES, dtype=np.float32)
            dense[feats] = weights
            scores[main_n:] = self._side[0] @ dense
        scores /= qn
        if since is not None:
            scores[self.times < since] = 0.0
        k = min(limit + len(exclude or ()), n)
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-scores[top])]
        out = []
        for i in top:
            if scores[i] < min_score or scores[i] <= 0:
                break
            if exclude and int(self.ids[i]) in exclude:
                continue
            out.append((int(self.ids[i]), float(scores[i])))
            if len(out) == limit:
                break
        return out
