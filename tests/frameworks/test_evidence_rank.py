from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from frameworks import Library, load_library
from frameworks.evidence_rank import CLEAR_RATIO, CLEAR_SCORE, Ranked, clearly_better, rank_behaviours

LABELLED = Path(__file__).parent / "evidence" / "labelled_evidence.yaml"


@pytest.fixture(scope="module")
def bundled() -> Library:
    return load_library()


@pytest.mark.parametrize(
    ("ladder", "text", "expected"),
    [
        ("vio-execution", "Presented the new search ranking at Friday's weekly demo", "communication-3-01"),
        ("vio-execution", "Took ownership of the flaky nightly export job nobody owned", "optimisation-3-01"),
        ("attest-engineering", "Led the interview loop", "hiring-reputation-iv-02"),
    ],
)
def test_the_issues_examples_rank_the_right_behaviour_first(
    bundled: Library, ladder: str, text: str, expected: str
) -> None:
    [first] = rank_behaviours(bundled[ladder], text, limit=1)
    assert first.behaviour.id == expected and first.score >= CLEAR_SCORE


def test_past_tenses_jargon_and_typos_meet_the_ladder_words(bundled: Library) -> None:
    org = bundled["org-wide-engineering"]
    assert rank_behaviours(org, "hardened our secuirty setup", limit=1)[0].behaviour.area_id == "security"
    attest = bundled["attest-engineering"]
    assert rank_behaviours(attest, "wrote the RCA for the sev1 outage", limit=3)[0].behaviour.area_id == (
        "debugging-troubleshooting"
    )


def test_candidates_limit_the_ranking_and_keep_their_order_on_ties(bundled: Library) -> None:
    vio = bundled["vio-execution"]
    pool = [vio.behaviour("delivery-1-01"), vio.behaviour("quality-1-02")]
    ranked = rank_behaviours(vio, "zzz nothing matches", pool)
    assert [r.behaviour.id for r in ranked] == ["delivery-1-01", "quality-1-02"] and {r.score for r in ranked} == {0}
    foreign = bundled["luko-execution"].behaviour("delivery-1-01")
    assert rank_behaviours(vio, "estimates", [foreign]) == []


def test_clearly_better_needs_a_good_score_and_the_ratio(bundled: Library) -> None:
    behaviour = bundled["vio-execution"].behaviour("delivery-1-01")
    assert clearly_better(Ranked(behaviour, CLEAR_SCORE), 0.0)
    assert not clearly_better(Ranked(behaviour, CLEAR_SCORE - 0.1), 0.0)
    assert not clearly_better(Ranked(behaviour, 10.0), 10.0 / CLEAR_RATIO + 0.1)


def test_the_labelled_set_is_well_formed(bundled: Library) -> None:
    items = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["items"]
    assert len(items) >= 80
    assert {item["ladder"] for item in items} == set(bundled)  # all five bundled ladders
    for item in items:
        assert isinstance(item["text"], str) and item["text"].strip(), item
        assert item["behaviours"], item
        for behaviour_id in item["behaviours"]:
            assert bundled[item["ladder"]].find_behaviour(behaviour_id) is not None, (item, behaviour_id)
