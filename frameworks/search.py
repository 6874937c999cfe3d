"""Find behaviours by wording: BM25 over behaviour text, area name, cell summary and qualifier.

Tokens are case- and accent-folded, lightly stemmed (plurals, -ing, -ed), and adjacent words are also
indexed glued together, so "postmortem", "post-mortem" and "post mortems" meet. The index is built
once per `Library` and cached on it. This is the search people type into (`/ladder search`, the evidence
modal's type-ahead: a prefix counts, "postm" finds post-mortems); ranking evidence text against a ladder
is `frameworks.evidence_rank`.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from frameworks.model import Area, Behaviour, Framework, Level, Library

_K1 = 1.2
_B = 0.75
_FIELD_WEIGHTS = {"text": 1.0, "area": 0.6, "qualifier": 0.5, "summary": 0.3}
_GLUED_WEIGHT = 0.7  # "post mortem" -> "postmortem": a weaker signal than a real word
_PREFIX_WEIGHT = 0.5  # query word that is only a prefix of indexed words ("arch" -> "architecture")

# fmt: off
_STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "can", "could", "do", "does", "for", "from",
    "had", "has", "have", "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my",
    "not", "of", "on", "or", "our", "she", "so", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "to", "up", "us", "was", "we", "were", "what", "when", "where", "which", "who",
    "will", "with", "would", "you", "your",
))
# fmt: on


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def stem(word: str) -> str:
    """A deliberately small English stemmer: enough for plurals, -ing and -ed to meet their root."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("iness") and len(word) > 6:
        word = word[:-5] + "y"
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("y") and len(word) > 4:
        word = word[:-1] + "i"
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Stemmed words without stopwords, plus each adjacent pair glued ("post mortem" -> "postmortem")."""
    raw = re.findall(r"[a-z0-9]+", _fold(text))
    words = [stem(w) for w in raw if w not in _STOPWORDS]
    glued = [stem(a + b) for a, b in itertools.pairwise(raw) if a not in _STOPWORDS and b not in _STOPWORDS]
    return words + [f"+{g}" for g in glued]


def _glued_to_word(token: str) -> str:
    return token[1:] if token.startswith("+") else token


@dataclass(frozen=True, slots=True)
class SearchHit:
    behaviour: Behaviour
    score: float
    framework: Framework
    area: Area
    level: Level


class _Index:
    """BM25 postings over a fixed list of behaviours."""

    def __init__(self, entries: Sequence[tuple[Framework, Behaviour]]) -> None:
        self.entries = list(entries)
        self.positions = {b.id: i for i, (_, b) in enumerate(self.entries)}
        self.doc_terms: list[dict[str, float]] = []
        lengths: list[float] = []
        df: Counter[str] = Counter()
        for framework, behaviour in self.entries:
            terms = _document_terms(framework, behaviour)
            self.doc_terms.append(terms)
            lengths.append(sum(w for t, w in terms.items() if not t.startswith("+")) or 1.0)
            df.update({_glued_to_word(t) for t in terms})
        self.lengths = lengths
        self.avg_length = sum(lengths) / len(lengths) if lengths else 1.0
        self.df = df
        self.count = len(self.entries)
        self.vocabulary = sorted(df)
        self.postings: dict[str, list[int]] = {}
        for doc, terms in enumerate(self.doc_terms):
            for term in {_glued_to_word(t) for t in terms}:
                self.postings.setdefault(term, []).append(doc)

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.count - df + 0.5) / (df + 0.5))

    def query_terms(self, text: str) -> dict[str, float]:
        """Query words with weights; unknown words widen to indexed words they are a prefix of."""
        weights: dict[str, float] = {}
        for token in tokens(text):
            term = _glued_to_word(token)
            weight = _GLUED_WEIGHT if token.startswith("+") else 1.0
            if term in self.df:
                weights[term] = max(weights.get(term, 0.0), weight)
            elif len(term) >= 3 and not token.startswith("+"):
                start = bisect.bisect_left(self.vocabulary, term)
                for word in self.vocabulary[start : start + 20]:
                    if not word.startswith(term):
                        break
                    weights[word] = max(weights.get(word, 0.0), weight * _PREFIX_WEIGHT)
        return weights

    def score(self, doc: int, query: dict[str, float]) -> float:
        terms = self.doc_terms[doc]
        norm = _K1 * (1 - _B + _B * self.lengths[doc] / self.avg_length)
        total = 0.0
        for term, query_weight in query.items():
            tf = terms.get(term, 0.0) + terms.get("+" + term, 0.0)
            if tf:
                total += query_weight * self.idf(term) * tf * (_K1 + 1) / (tf + norm)
        return total

    def rank(self, query: dict[str, float], docs: Iterable[int] | None = None) -> list[tuple[float, int]]:
        if docs is None:
            candidates: set[int] = set()
            for term in query:
                candidates.update(self.postings.get(term, ()))
            docs = candidates
        scored = [(self.score(doc, query), doc) for doc in docs]
        return sorted((s for s in scored if s[0] > 0), key=lambda item: (-item[0], item[1]))


def _document_terms(framework: Framework, behaviour: Behaviour) -> dict[str, float]:
    area = framework.find_area(behaviour.area_id)
    cell = area.cell(behaviour.level_id) if area else None
    fields = {
        "text": behaviour.text,
        "area": area.name if area else "",
        "qualifier": behaviour.qualifier or "",
        "summary": (cell.summary if cell else None) or "",
    }
    terms: dict[str, float] = {}
    for field, text in fields.items():
        for token in tokens(text):
            terms[token] = terms.get(token, 0.0) + _FIELD_WEIGHTS[field]
    # The area id often names the skill differently ("mentoring" for an area called "Mentorship").
    if area is not None:
        for token in tokens(area.id.replace("-", " ")):
            if token not in terms:
                terms[token] = _FIELD_WEIGHTS["area"]
    return terms


def _library_index(library: Library) -> _Index:
    return library.cached("search-index", lambda: _Index([(f, b) for f in library.frameworks for b in f.behaviours]))


def _hit(framework: Framework, behaviour: Behaviour, score: float) -> SearchHit:
    return SearchHit(
        behaviour=behaviour,
        score=score,
        framework=framework,
        area=framework.area(behaviour.area_id),
        level=framework.level(behaviour.level_id),
    )


def search(library: Library, words: str, limit: int = 10, framework_id: str | None = None) -> list[SearchHit]:
    """Behaviours across ladders (or one ladder) best matching `words`, most relevant first."""
    index = _library_index(library)
    query = index.query_terms(words)
    if not query or limit <= 0:
        return []
    hits = []
    for score, doc in index.rank(query):
        framework, behaviour = index.entries[doc]
        if framework_id is not None and framework.id != framework_id:
            continue
        hits.append(_hit(framework, behaviour, score))
        if len(hits) >= limit:
            break
    return hits
