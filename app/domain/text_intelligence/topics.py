"""Group a period's complaints into topics: k-means over TF-IDF of character 2-3-grams, with top terms.

A topic's terms are the n-grams with the largest weight in its centre, skipping any term inside a
longer one already chosen ("宽带断" hides "宽带" and "带断"). Its trend compares its size with how many
of the previous period's complaints fall nearest to the same centre.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import re

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from .normalize import normalize

# What every work order says whoever writes it: who called, how they felt, what they demand. Left in, it
# groups complaints by the agent's habits instead of by their matter.
_BOILERPLATE = re.compile(
    r"(?:客户|用户|来电人)?(?:来电|致电|到厅|在app留言|通过公众号|微博@官方账号)?(?:反映|称|表示|投诉|留言)[:：，,]?"
    r"|来信反映[:：]?|客户(?:情绪|态度|比较|表示|非常)[^。]*。|已多次来电。?"
    r"|(?:要求|希望|请|不处理就)[^。]*。"
)
_FILLER = set("的了是我在也都就还和有说要客户用户反映来电表示称投诉要求希望处理一直已经")


@dataclass(frozen=True)
class Topic:
    terms: tuple[str, ...]
    size: int
    previous: int  # the previous period's complaints nearest to this topic
    example_ids: tuple[int, ...]

    @property
    def trend(self) -> float | None:
        """Relative change against the previous period (None when it had none)."""
        return None if not self.previous else (self.size - self.previous) / self.previous


def _terms(center: np.ndarray, vocabulary: np.ndarray, count: int) -> tuple[str, ...]:
    chosen: list[str] = []
    for i in np.argsort(-center):
        term = str(vocabulary[i]).strip()
        if len(term) < 2 or any(not ch.isalnum() or ch.isdigit() for ch in term) or all(ch in _FILLER for ch in term):
            continue
        if any(term in c or c in term for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == count:
            break
    return tuple(chosen)


def topics(
    ids: list[int],
    texts: list[str],
    previous_texts: Sequence[str] = (),
    clusters: int = 8,
    terms: int = 5,
    seed: int = 0,
) -> list[Topic]:
    """The period's topics, largest first; fewer clusters for few texts (about one per 15)."""
    if len(texts) < 4:
        return []
    k = max(2, min(clusters, len(texts) // 15 or 2))
    texts = [_BOILERPLATE.sub("", normalize(t)) for t in texts]
    previous_texts = [_BOILERPLATE.sub("", normalize(t)) for t in previous_texts]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), min_df=2, max_df=0.5, sublinear_tf=True, lowercase=False)
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # every n-gram pruned: texts with nothing in common
        return []
    km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(x)
    vocabulary = vec.get_feature_names_out()
    before = (
        np.bincount(km.predict(vec.transform(list(previous_texts))), minlength=k)
        if len(previous_texts)
        else np.zeros(k, dtype=int)
    )
    out = []
    for c in range(k):
        members = np.flatnonzero(km.labels_ == c)
        if not len(members):
            continue
        dist = km.transform(x[members])[:, c]
        examples = tuple(int(ids[i]) for i in members[np.argsort(dist)[:3]])
        out.append(Topic(_terms(km.cluster_centers_[c], vocabulary, terms), len(members), int(before[c]), examples))
    return sorted(out, key=lambda t: -t.size)
