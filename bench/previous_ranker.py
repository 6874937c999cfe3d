"""The ranker `/ladder log` and the evidence modal used before `frameworks.evidence_rank`, kept verbatim
as bench/ranking.py's baseline (docs/benchmarks.md compares the two on the labelled set). Nothing in the
app uses it: BM25 from `frameworks.search` (its small hand-written stemmer) with character trigrams
breaking ties and ranking the rest."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from frameworks.model import Behaviour, Framework
from frameworks.search import _B, _K1, _fold, _glued_to_word, _Index, tokens


def _framework_index(framework: Framework) -> _Index:
    cache = framework._cache
    index = cache.get("previous-search-index")
    if index is None:
        index = cache["previous-search-index"] = _Index([(framework, b) for b in framework.behaviours])
    return index


def _trigrams(text: str) -> set[str]:
    folded = " " + " ".join(re.findall(r"[a-z0-9]+", _fold(text))) + " "
    return {folded[i : i + 3] for i in range(len(folded) - 2)}


def suggest_behaviours(
    framework: Framework,
    text: str,
    candidates: Iterable[Behaviour] | None = None,
    limit: int = 5,
) -> list[Behaviour]:
    """Behaviours whose wording best matches free text (an evidence note), as auto-tagging did.

    Word matches (BM25) rank first; character-trigram similarity breaks ties and ranks the rest, so a
    non-empty candidate list always yields suggestions even for misspelt or unrelated notes.
    """
    pool = list(framework.behaviours if candidates is None else candidates)
    if not pool or limit <= 0:
        return []
    index = _framework_index(framework)
    position = index.positions
    query = index.query_terms(text)
    note_grams = _trigrams(text)
    known_grams: dict[str, set[str]] = framework._cache.setdefault("trigrams", {})

    def similarity(behaviour: Behaviour) -> float:
        grams = known_grams.get(behaviour.id) if own_behaviour(behaviour) else None
        if grams is None:
            grams = _trigrams(behaviour.text)
            if own_behaviour(behaviour):
                known_grams[behaviour.id] = grams
        union = len(grams | note_grams)
        return len(grams & note_grams) / union if union else 0.0

    def own_behaviour(behaviour: Behaviour) -> bool:
        doc = position.get(behaviour.id)
        return doc is not None and index.entries[doc][1] == behaviour

    scored = []
    for order, behaviour in enumerate(pool):
        doc = position.get(behaviour.id)
        if doc is not None and own_behaviour(behaviour):
            words = index.score(doc, query) if query else 0.0
        else:
            words = _adhoc_score(index, behaviour, query)
        scored.append((words, similarity(behaviour), -order, behaviour))
    scored.sort(key=lambda item: item[:3], reverse=True)
    return [item[3] for item in scored[:limit]]


def _adhoc_score(index: _Index, behaviour: Behaviour, query: dict[str, float]) -> float:
    """Score a behaviour that is not in the framework's index (e.g. from another ladder)."""
    if not query:
        return 0.0
    terms = Counter(_glued_to_word(t) for t in tokens(behaviour.text))
    length = sum(terms.values()) or 1
    norm = _K1 * (1 - _B + _B * length / index.avg_length)
    return sum(
        weight * index.idf(term) * terms[term] * (_K1 + 1) / (terms[term] + norm)
        for term, weight in query.items()
        if term in terms
    )
