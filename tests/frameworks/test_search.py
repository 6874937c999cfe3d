from __future__ import annotations

import re

import pytest

from frameworks import Library, load_library, search
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
