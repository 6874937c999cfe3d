"""The saved-confirmation's one rule (bot.services.tag_suggestions.suggest_for) and the auto-tag / modal
suggestions on the evidence ranker (bot.services.evidence.Ladder), on the shipped ladders."""

from __future__ import annotations

from bot.services.evidence import Ladder
from bot.services.tag_suggestions import Suggestion, WeakMatch, suggest_for
from frameworks.lookups import next_milestone
from storage.models import Person
from tests.listeners.harness import bundled_library

DEMO = "Presented the new search ranking at Friday's weekly demo"


def ladder(framework_id: str = "luko-execution", level: str = "1") -> Ladder:
    framework = bundled_library()[framework_id]
    levels = {area.id: level for area in framework.areas}
    milestone = tuple(next_milestone(framework, levels, None).behaviours)
    return Ladder(Person(slack_user_id="U1"), framework, levels, None, milestone)


def test_a_clearly_better_behaviour_is_suggested_over_the_tag() -> None:
    offer = suggest_for(ladder(), DEMO, ["quality-2-03"])
    assert isinstance(offer, Suggestion) and offer.behaviour_id == "communication-3-01"
    assert offer.score >= 2 * offer.tagged_score and "weekly demos" in offer.label
    assert offer.label.startswith("Communication · Milestone 3: ")


def test_no_offer_when_the_tag_is_the_best_or_close_to_it() -> None:
    assert suggest_for(ladder(), DEMO, ["communication-3-01"]) is None
    assert suggest_for(ladder(), DEMO, ["quality-2-03", "communication-3-01"]) is None


def test_weak_text_and_blank_text() -> None:
    assert suggest_for(ladder(), "had a good week overall, nothing special", ["quality-2-03"]) == WeakMatch()
    assert suggest_for(ladder(), " \u200b", ["quality-2-03"]) is None


def test_untagged_evidence_gets_the_clear_best_match() -> None:
    offer = suggest_for(ladder(), DEMO, [])
    assert isinstance(offer, Suggestion) and offer.behaviour_id == "communication-3-01" and offer.tagged_score == 0


def test_the_auto_tag_ranks_the_next_milestone_with_the_evidence_ranker() -> None:
    mine = ladder()
    milestone = {b.id for b in mine.milestone}
    best = mine.best_match(DEMO)
    assert best is not None and best.id == "quality-2-03" and best.id in milestone  # then the offer above
    found = mine.suggestions("fixed the flaky tests in CI")
    assert found[0].id == "quality-2-01" and len(found) == 5
    # The next milestone's matches first; then matches from elsewhere on the ladder, never before them.
    in_milestone = [b.id in milestone for b in found]
    assert in_milestone == sorted(in_milestone, reverse=True)


def test_suggestions_add_matches_from_elsewhere_on_the_ladder_after_the_milestones() -> None:
    mine = ladder()
    milestone = {b.id for b in mine.milestone}
    found = mine.suggestions("Provided accurate estimations for the billing migration tasks")
    assert "delivery-1-01" in [b.id for b in found] and "delivery-1-01" not in milestone


def test_the_auto_tag_falls_back_to_a_clear_match_elsewhere_or_none() -> None:
    mine = ladder()
    # Nothing of the next milestone shares a word; Milestone 1's estimation behaviour matches clearly.
    best = mine.best_match("Provided accurate estimations for the billing migration tasks")
    assert best is not None and best.id == "delivery-1-01"
    assert mine.best_match("zzz qqq") is None and mine.best_match("") is None
    assert mine.suggestions("") == list(mine.milestone[:5])
