"""Rank a ladder's behaviours against evidence text (a Slack message, a `/ladder log` note).

Evidence is written the way engineers talk ("paged at 3am, ran the sev1, wrote the PM after"), not in
ladder wording ("Leads incident resolutions, and post mortems"), so matching words alone misses most of
it. The ranker is BM25 (k1 = 1.2, b = 0.5: behaviour texts are short, length matters less) over each
behaviour's text, its area's name and id, the cell summary and qualifier, and, more lightly, the area's
description and examples (they carry the area's vocabulary). Words meet through the Snowball English
stemmer; irregular past tenses are read as their verb; a short map of common engineering jargon
(`JARGON`, below) widens a query word to the ladder words it stands for; a misspelt word that matches
nothing is read as the closest indexed word. bench/ranking.py measures it against
tests/frameworks/evidence/labelled_evidence.yaml (docs/benchmarks.md has the table).
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from frameworks.model import Behaviour, Framework

_K1 = 1.2
_B = 0.5
_FIELD_WEIGHTS = {"text": 1.0, "area": 0.8, "qualifier": 0.5, "summary": 0.3, "description": 0.12, "examples": 0.08}
_GLUED_WEIGHT = 0.7  # "post mortem" -> "postmortem"
_JARGON_WEIGHT = 0.8  # a word the jargon map added: weaker than a word that was written
_TYPO_WEIGHT = 0.6
_TYPO_CUTOFF = 0.82  # difflib ratio: "secuirty" ~ "security" (0.875), "test" !~ "text"

# fmt: off
_STOPWORDS = frozenset((
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because",
    "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done", "for",
    "from", "get", "got", "had", "has", "have", "he", "her", "him", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "just", "me", "my", "myself", "not", "of", "on", "or", "our", "out", "she", "so", "some",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "tho", "to",
    "too", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "why",
    "will", "with", "would", "you", "your", "ive", "im", "id", "ppl", "lot", "bit", "way", "really",
    # Slack time words say when, not what
    "today", "yesterday", "week", "weeks", "month", "morning", "afternoon", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "last", "first", "finally", "now",
))
# fmt: on

# Engineering jargon -> ladder words it stands for. General vocabulary (not phrases from any one ladder):
# each entry is a word engineers write and the plain words career ladders use for the same thing.
# fmt: off
JARGON: dict[str, str] = {
    "pr": "pull request code review", "prs": "pull request code review", "mr": "merge request code review",
    "reviewed": "review", "lgtm": "review",
    "sev1": "incident", "sev2": "incident", "sev": "incident", "outage": "incident", "paged": "incident on call",
    "pager": "incident on call", "oncall": "on call incident", "inc": "incident", "downtime": "incident",
    "hotfix": "fix bug", "bugfix": "fix bug", "regression": "bug defect", "regressions": "bug defect",
    "rca": "root cause", "postmortem": "post mortem", "fls": "post mortem incident", "retro": "retrospective ceremony",
    "retros": "retrospective ceremony", "standup": "stand up", "sync": "meeting", "demoed": "demo present",
    "talk": "present talk", "presented": "present", "presentation": "present", "meetup": "external community talk",
    "conference": "external community talk", "slides": "present",
    "interview": "interview hiring", "interviewer": "interview hiring", "candidate": "interview hiring candidate",
    "loop": "interview", "scorecard": "hiring scorecard feedback", "recruiting": "hiring recruitment",
    "paired": "pair programming", "pairing": "pair programming", "mentee": "mentor", "mentored": "mentor",
    "coached": "mentor coach", "joiner": "new starter onboard", "joiners": "new starter onboard",
    "newcomer": "new starter onboard", "buddy": "onboard new starter",
    "ci": "ci pipeline build", "cd": "deployment pipeline", "pipeline": "ci pipeline", "build": "ci pipeline",
    "builds": "ci pipeline", "flaky": "flaky test unstable", "red": "fail",
    "deploy": "deployment release", "deploys": "deployment release", "rollout": "release deployment",
    "shipped": "deliver release", "ship": "deliver release", "launch": "deliver release",
    "terraform": "infrastructure reusable module", "helm": "infrastructure", "k8s": "infrastructure",
    "kubernetes": "infrastructure", "iac": "infrastructure",
    "latency": "performance", "p95": "performance latency", "p99": "performance latency", "perf": "performance",
    "slow": "performance", "leak": "stability performance", "crash": "stability", "crashed": "stability",
    "slo": "slo metric", "sla": "slo metric", "uptime": "stability",
    "datadog": "monitoring metrics", "grafana": "monitoring dashboard", "dashboards": "monitoring dashboard",
    "alerting": "monitoring alert", "alerts": "monitoring alert", "tracing": "observability monitoring",
    "logging": "logging", "logs": "logging",
    "coverage": "test coverage", "e2e": "end to end test", "unit": "test", "integration": "integration test",
    "playwright": "test tool", "cypress": "test tool", "pytest": "test",
    "refactor": "refactor readable", "refactored": "refactor readable", "cleaned": "refactor readable",
    "cleanup": "refactor readable", "legacy": "existing code",
    "readme": "documentation", "docs": "documentation", "doc": "document", "wiki": "documentation knowledge",
    "confluence": "documentation", "runbook": "documentation",
    "adr": "design decision document", "rfc": "design proposal", "tradeoffs": "trade offs", "tradeoff": "trade off",
    "options": "option", "pros": "trade off benefits risks", "cons": "trade off risks",
    "estimate": "estimation", "estimates": "estimation", "scoped": "scope", "ticket": "task", "tickets": "task",
    "epic": "large feature", "stories": "story", "jira": "task",
    "blocked": "blocker", "stuck": "blocked help", "unblocked": "unblock", "chasing": "chase",
    "pinged": "chase", "nudged": "chase",
    "pm": "product manager", "execs": "executive leadership", "board": "executive investors", "cto": "leadership",
    "stakeholder": "stakeholders", "roadmap": "roadmap planning", "okr": "goals", "okrs": "goals", "q3": "plan",
    "q4": "plan", "quarter": "plan",
    "dependabot": "dependency management automate", "renovate": "dependency management automate",
    "automated": "automate", "script": "automate", "scripted": "automate",
    "vuln": "security threat", "cve": "security vulnerability", "pentest": "security",
    "ssrf": "security threat", "xss": "security threat",
    "prototype": "prototype", "poc": "prototype", "spike": "prototype spike", "mvp": "prototype",
    "owner": "owns ownership", "owned": "owns ownership", "unowned": "nobody owns", "nobody": "nobody",
    "upstream": "upstream dependency", "downstream": "downstream",
    "sdk": "library", "lib": "library", "oss": "open source", "opensource": "open source",
    "throughput": "flow delivery", "bottleneck": "bottleneck", "handoffs": "bottleneck", "handoff": "bottleneck",
    "eta": "timeline", "statuspage": "status communicate",
    "competitor": "competitors", "competitors": "competitors",
    "sprint": "sprint ceremony ritual", "planning": "planning ceremony ritual", "grooming": "ceremony ritual",
    "refinement": "ceremony ritual", "updated": "update improve", "hurting": "impact", "hurt": "impact",
    "shadowed": "pair shadow", "sized": "capacity", "sizing": "capacity", "traffic": "capacity scale load",
    "juggled": "manage multiple", "parallel": "multiple same time", "persevered": "persevere obstacles",
    "freeze": "release", "slip": "timescale unlikely met", "slipped": "timescale unlikely met",
}
# fmt: on

# Evidence is written in the past tense; the stemmer leaves irregular forms alone ("led" is not "lead").
# fmt: off
IRREGULAR: dict[str, str] = {
    "led": "lead", "ran": "run", "wrote": "write", "written": "write", "gave": "give", "given": "give",
    "took": "take", "taken": "take", "built": "build", "brought": "bring", "kept": "keep", "made": "make",
    "told": "tell", "sent": "send", "spent": "spend", "found": "find", "caught": "catch", "drove": "drive",
    "driven": "drive", "taught": "teach", "thought": "think", "held": "hold", "met": "meet", "spoke": "speak",
    "spoken": "speak", "chose": "choose", "chosen": "choose", "began": "begin", "begun": "begin", "grew": "grow",
    "knew": "know", "understood": "understand", "broke": "break", "broken": "break", "fed": "feed",
    "sought": "seek", "paid": "pay", "laid": "lay", "rode": "ride", "shook": "shake", "stood": "stand",
    "undertook": "undertake", "overcame": "overcome", "rewrote": "rewrite", "rebuilt": "rebuild",
    "went": "go", "came": "come", "saw": "see", "did": "do", "felt": "feel", "left": "leave",
}
# fmt: on

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _words(text: str) -> list[str]:
    found = re.findall(r"[a-z0-9]+", _fold(text).replace("'", ""))
    return [IRREGULAR.get(w, w) for w in found if w not in _STOPWORDS]


def _terms(words: Sequence[str]) -> list[str]:
    """Stems plus each adjacent pair glued ("post mortem" -> "+postmortem")."""
    glued = [f"+{stem(a + b)}" for a, b in itertools.pairwise(words)]
    return [stem(w) for w in words] + glued


@dataclass(frozen=True, slots=True)
class Ranked:
    behaviour: Behaviour
    score: float


class EvidenceIndex:
    """BM25 over one framework's behaviours, built once per framework (cached on it)."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.behaviours = framework.behaviours
        self.position = {b.id: i for i, b in enumerate(self.behaviours)}
        self.docs: list[dict[str, float]] = [self._document(b) for b in self.behaviours]
        self.lengths = [sum(w for t, w in d.items() if not t.startswith("+")) or 1.0 for d in self.docs]
        self.avg_length = sum(self.lengths) / len(self.lengths) if self.lengths else 1.0
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(doc.keys())
        self.df = df
        # Typos are read against the words as written ("secuirty" ~ "security"), not their stems ("secur").
        self.words = sorted({w for b in self.behaviours for w in _words(self._text_of(b)) if len(w) >= 5})

    def _text_of(self, behaviour: Behaviour) -> str:
        area = self.framework.find_area(behaviour.area_id)
        return f"{behaviour.text} {area.name if area else ''}"

    def _document(self, behaviour: Behaviour) -> dict[str, float]:
        area = self.framework.find_area(behaviour.area_id)
        cell = area.cell(behaviour.level_id) if area else None
        fields = {
            "text": behaviour.text,
            "area": f"{area.name} {area.id.replace('-', ' ')}" if area else "",
            "qualifier": behaviour.qualifier or "",
            "summary": (cell.summary if cell else None) or "",
            "description": (area.description if area else None) or "",
            "examples": " ".join(area.examples) if area else "",
        }
        terms: dict[str, float] = {}
        for field, text in fields.items():
            for term in _terms(_words(text)):
                terms[term] = terms.get(term, 0.0) + _FIELD_WEIGHTS[field]
        return terms

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (len(self.docs) - df + 0.5) / (df + 0.5))

    def query(self, text: str) -> dict[str, float]:
        """Query terms with weights: the words written, jargon they stand for, typos read as near words."""
        words = _words(text)
        weights: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            if term in self.df:
                weights[term] = max(weights.get(term, 0.0), weight)

        for term in _terms(words):
            add(term, _GLUED_WEIGHT if term.startswith("+") else 1.0)
        for word in words:
            for extra in _terms(_words(JARGON.get(word, ""))):
                add(extra, _JARGON_WEIGHT * (_GLUED_WEIGHT if extra.startswith("+") else 1.0))
            term = stem(word)
            if term not in self.df and word not in JARGON and len(term) >= 5:
                for near in difflib.get_close_matches(word, self.words, n=1, cutoff=_TYPO_CUTOFF):
                    add(stem(near), _TYPO_WEIGHT)
        return weights

    def score(self, doc: int, query: dict[str, float]) -> float:
        terms = self.docs[doc]
        norm = _K1 * (1 - _B + _B * self.lengths[doc] / self.avg_length)
        total = 0.0
        for term, weight in query.items():
            tf = terms.get(term, 0.0)
            if tf:
                total += weight * self.idf(term) * tf * (_K1 + 1) / (tf + norm)
        return total


# "Clearly better", measured on the labelled set (bench/ranking.py --margins): a behaviour that scores at
# least CLEAR_SCORE and at least CLEAR_RATIO times the tagged one. At 2x / 3.0 a suggestion is wrong for
# 3% of the sentences (the labelled behaviour was tagged and another led it) and still helps in 75% of
# the mistagged cases; 1.25x / 1.0 would be wrong for 14%. Below CLEAR_SCORE nothing matches well.
CLEAR_RATIO = 2.0
CLEAR_SCORE = 3.0


def clearly_better(best: Ranked, tagged_score: float) -> bool:
    return best.score >= CLEAR_SCORE and best.score >= CLEAR_RATIO * tagged_score


def evidence_index(framework: Framework) -> EvidenceIndex:
    cache = framework._cache
    index = cache.get("evidence-index")
    if index is None:
        index = cache["evidence-index"] = EvidenceIndex(framework)
    return index


def rank_behaviours(
    framework: Framework, text: str, candidates: Iterable[Behaviour] | None = None, limit: int | None = None
) -> list[Ranked]:
    """`candidates` (default: the whole ladder) best first, each with its score (0: no word in common).

    Candidates that are not this framework's behaviours are ignored; ties keep the candidates' order.
    """
    index = evidence_index(framework)
    pool = framework.behaviours if candidates is None else tuple(candidates)
    query = index.query(text)
    ranked = []
    for order, behaviour in enumerate(pool):
        doc = index.position.get(behaviour.id)
        if doc is None or index.behaviours[doc] != behaviour:
            continue
        ranked.append((index.score(doc, query) if query else 0.0, order, behaviour))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    found = [Ranked(behaviour, round(score, 4)) for score, _, behaviour in ranked]
    return found if limit is None else found[:limit]
