from __future__ import annotations

import re

import pytest

from frameworks import Framework, Library, load_library, search, suggest_behaviours
from frameworks.search import _library_index, stem, tokens


def ids(hits) -> list[str]:
    return [hit.behaviour.id for hit in hits]


@pytest.mark.parametrize(
    ("words", "root"),
    [
        (["test", "tests", "testing", "tested"], "test"),
        (["mentor", "mentors", "mentoring", "mentored"], "mentor"),
        (["flaky", "flakiness"], "flaki"),
        (["postmortem", "postmortems"], "postmortem"),
        (["plan", "planned", "planning"], "plan"),
        (["write", "writes", "writing"], "writ"),
    ],
)
def test_stemming_brings_word_forms_together(words: list[str], root: str) -> None:
    assert {stem(w) for w in words} == {root}


def test_tokens_fold_case_punctuation_and_glue_pairs() -> None:
    assert tokens("Post-Mortem!") == ["post", "mortem", "+postmortem"]
    assert tokens("the TESTS") == ["test"]


@pytest.mark.parametrize("query", ["postmortem", "post-mortem", "Post mortems", "POSTMORTEMS?"])
def test_postmortem_finds_both_spellings(library: Library, query: str) -> None:
    assert set(ids(search(library, query)[:2])) == {"incidents-ii-01", "incidents-iii-01"}


def test_flaky_tests_ranks_the_flaky_behaviour_first(library: Library) -> None:
    hits = search(library, "flaky tests")
    assert ids(hits)[0] == "quality-ii-01"
    assert ids(search(library, "  FLAKY, tests!! ")) == ids(hits)
    assert all(hit.score > 0 for hit in hits)
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_mentoring_finds_the_mentorship_area(library: Library) -> None:
    hits = search(library, "mentoring")
    assert ids(hits)[0] == "mentoring-iii-01"
    assert {h.area.id for h in hits[:3]} == {"mentoring"}


def test_hits_carry_their_context(library: Library) -> None:
    hit = search(library, "screen reader")[0]
    assert hit.behaviour.id == "quality-ii-03"
    assert (hit.framework.id, hit.area.name, hit.level.name) == ("acme-engineering", "Quality & Testing", "Level II")


def test_prefix_of_a_word_still_finds_it(library: Library) -> None:
    assert ids(search(library, "archit"))[0].startswith("design-")


def test_filter_limit_and_empty_queries(library: Library) -> None:
    assert ids(search(library, "estimations", framework_id="small-milestones")) == ["delivery-1-01"]
    assert search(library, "estimations", framework_id="acme-engineering") == []
    assert len(search(library, "tests", limit=2)) == 2
    assert search(library, "") == []
    assert search(library, "the and of") == []
    assert search(library, "zzzz") == []


def test_index_is_built_once_per_library(library: Library) -> None:
    assert _library_index(library) is _library_index(library)


def test_suggest_behaviours_for_an_evidence_note(acme: Framework) -> None:
    note = "Ran the postmortem for Tuesday's payments outage and chased every action item to done."
    assert ids_of(suggest_behaviours(acme, note, limit=2)) == ["incidents-iii-01", "incidents-ii-01"]
    note = "Paired with our new hire all week to get them onboarded"
    assert ids_of(suggest_behaviours(acme, note))[0] == "mentoring-ii-01"


def test_suggest_behaviours_within_candidates(acme: Framework) -> None:
    candidates = [acme.behaviour("design-ii-01"), acme.behaviour("quality-ii-01"), acme.behaviour("design-i-01")]
    found = suggest_behaviours(acme, "quarantined three flaky tests", candidates=candidates, limit=5)
    assert ids_of(found)[0] == "quality-ii-01"
    assert sorted(ids_of(found)) == sorted(b.id for b in candidates)


def test_suggest_behaviours_is_best_effort(acme: Framework) -> None:
    assert len(suggest_behaviours(acme, "zzz qqq", limit=3)) == 3
    assert len(suggest_behaviours(acme, "", limit=3)) == 3
    # A misspelling with no word in common still ranks by character similarity.
    assert ids_of(suggest_behaviours(acme, "wrote a blamless postmortm", limit=1)) == ["incidents-ii-01"]
    assert suggest_behaviours(acme, "anything", candidates=[]) == []


def ids_of(behaviours) -> list[str]:
    return [b.id for b in behaviours]


def test_search_on_the_bundled_ladders() -> None:
    library = load_library()
    for query, pattern in [
        ("postmortem", r"post[- ]?mortem"),
        ("flaky tests", r"flaky"),
        ("mentoring", r"mentor"),
        ("code review", r"code review"),
    ]:
        top = search(library, query, limit=3)
        assert top, query
        assert re.search(pattern, top[0].behaviour.text, re.IGNORECASE), (query, top[0].behaviour.text)
