"""Cheap lexical features of a pair of idea texts, beside the embedding cosine.

The embedding alone cannot tell "Share my live location" from "Hide the start of my
recorded hikes" (same topic, both about location); the words the two texts share, weighted
by how rare they are on the board, can. Everything here is plain Python over short texts:
a pair costs tens of microseconds, well under a millisecond per candidate.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "FEATURE_NAMES",
    "Vocabulary",
    "Words",
    "char_overlap",
    "is_repost",
    "pair_features",
    "words_of",
]

# The order of the values `pair_features` returns and of the model's weights.
FEATURE_NAMES = ("cosine", "tfidf_cosine", "word_jaccard", "char_jaccard", "length_ratio")

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words that say nothing about which idea a text is (English; the devset and the demo are).
_STOPWORD_TEXT = """
a an and are as at be been but by can could do does for from has have how i if in into is it
its let like me more my no not of on or our please so some than that the their them then there
these this to too up us use was we what when where which while who why will with would you
your yes also just add feature request make able should get want need way app
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class Words:
    """A text as the features see it: its content words and its character trigrams."""

    tokens: tuple[str, ...]
    trigrams: frozenset[str]
    length: int  # words of the whole text, stopwords included


def _stem(word: str) -> str:
    # Plural and "-ing" endings only: enough to match "routes"/"route", "hiking"/"hike".
    if len(word) > 4 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> frozenset[str]:
    """Return the distinct content words of `text` (what a vocabulary counts): no trigrams,
    so counting a whole board holds one small set at a time."""
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)


def words_of(text: str) -> Words:
    """Return the content words (lower-cased, crudely stemmed) and trigrams of `text`."""
    all_words = _WORD.findall(text.lower())
    tokens = tuple(_stem(w) for w in all_words if w not in _STOPWORDS)
    squashed = " ".join(all_words)
    trigrams = frozenset(squashed[i : i + 3] for i in range(max(0, len(squashed) - 2)))
    return Words(tokens=tokens, trigrams=trigrams, length=len(all_words))


class Vocabulary:
    """Document frequencies of words over one board's texts, for TF-IDF weights.

    Fitted on the board itself: a word every idea uses ("trail" on a hiking board) weighs
    little there, whatever it weighs elsewhere.
    """

    def __init__(self) -> None:
        self.documents = 0
        self._df: Counter[str] = Counter()

    @classmethod
    def of(cls, texts: Iterable[str]) -> Vocabulary:
        """Return a vocabulary fitted on `texts`."""
        vocabulary = cls()
        for text in texts:
            vocabulary.add(words_of(text))
        return vocabulary

    def add(self, words: Words) -> None:
        """Count one more document."""
        self.documents += 1
        self._df.update(set(words.tokens))

    def count(self, texts: Iterable[str]) -> None:
        """Count each of `texts` as one more document (the same counts as `add`)."""
        for text in texts:
            self.documents += 1
            self._df.update(content_words(text))

    def idf(self, token: str) -> float:
        """Return the smoothed inverse document frequency (1.0 and up; unseen words high)."""
        return math.log((self.documents + 1) / (self._df.get(token, 0) + 1)) + 1.0


def _tfidf_cosine(a: Words, b: Words, vocabulary: Vocabulary) -> float:
    if not a.tokens or not b.tokens:
        return 0.0
    a_counts, b_counts = Counter(a.tokens), Counter(b.tokens)
    weights = {t: vocabulary.idf(t) for t in a_counts.keys() | b_counts.keys()}
    dot = sum(n * b_counts[t] * weights[t] ** 2 for t, n in a_counts.items() if t in b_counts)
    a_norm = math.sqrt(sum((n * weights[t]) ** 2 for t, n in a_counts.items()))
    b_norm = math.sqrt(sum((n * weights[t]) ** 2 for t, n in b_counts.items()))
    return dot / (a_norm * b_norm)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def char_overlap(a: Words, b: Words) -> float:
    """Return the Jaccard overlap of the two texts' character trigrams (1.0: same text)."""
    return _jaccard(a.trigrams, b.trigrams)


# A repost: nearly the same words in nearly the same order, and the same meaning.
REPOST_COSINE = 0.9
REPOST_CHARS = 0.8


def is_repost(cosine: float, a: Words, b: Words) -> bool:
    """Return True for a near-verbatim repost (merged without asking)."""
    return cosine >= REPOST_COSINE and char_overlap(a, b) >= REPOST_CHARS


def pair_features(cosine: float, a: Words, b: Words, vocabulary: Vocabulary) -> list[float]:
    """Return the pair's features in `FEATURE_NAMES` order, each in [0, 1] but the cosine."""
    longer = max(a.length, b.length)
    return [
        float(cosine),
        _tfidf_cosine(a, b, vocabulary),
        _jaccard(frozenset(a.tokens), frozenset(b.tokens)),
        _jaccard(a.trigrams, b.trigrams),
        min(a.length, b.length) / longer if longer else 1.0,
    ]
