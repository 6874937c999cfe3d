from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest

from bot.services.prompt_choice import RECENT_WINDOW, EvidenceStat, pick_prompt_behaviour, why_line
from frameworks import Behaviour


def ladder(shape: dict[str, int]) -> list[Behaviour]:
    return [
        Behaviour(id=f"{area}-{i}", text=f"{area} behaviour {i}", area_id=area, level_id="L2", framework_id="f")
        for area, count in shape.items()
        for i in range(count)
    ]


def random_ladder(rng: random.Random) -> list[Behaviour]:
    return ladder({f"a{n}": rng.randint(1, 6) for n in range(rng.randint(1, 5))})


def random_stats(rng: random.Random, candidates: list[Behaviour]) -> dict[str, EvidenceStat]:
    stats = {}
    for behaviour in candidates:
        if rng.random() < 0.5:
            stats[behaviour.id] = EvidenceStat(
                rng.randint(1, 5), datetime(2024, 1, 1) + timedelta(days=rng.randrange(300))
            )
    return stats


def test_nothing_to_pick_from() -> None:
    assert pick_prompt_behaviour([], [], {}, seed=1) is None


def test_single_candidate_is_never_asked_twice_in_a_row() -> None:
    [only] = ladder({"a": 1})
    assert pick_prompt_behaviour([only], [], {}, seed=1) == only
    assert pick_prompt_behaviour([only], [only.id], {}, seed=1) is None
    assert pick_prompt_behaviour([only], [only.id, None], {}, seed=1) is None


def test_deterministic_for_same_history_and_seed() -> None:
    rng = random.Random(7)
    for _ in range(300):
        candidates = random_ladder(rng)
        history = [rng.choice(candidates).id for _ in range(rng.randrange(6))]
        stats = random_stats(rng, candidates)
        seed = rng.randrange(1000)
        first = pick_prompt_behaviour(candidates, history, stats, seed)
        shuffled = candidates[:]
        rng.shuffle(shuffled)
        # Same answer on a second call and regardless of the order the candidates arrive in.
        assert pick_prompt_behaviour(candidates, history, stats, seed) == first
        assert pick_prompt_behaviour(shuffled, history, stats, seed) == first


def test_never_the_same_behaviour_two_prompts_in_a_row() -> None:
    rng = random.Random(11)
    for _ in range(500):
        candidates = random_ladder(rng)
        if len(candidates) < 2:
            continue
        history = [rng.choice(candidates).id for _ in range(rng.randint(1, 8))]
        chosen = pick_prompt_behaviour(candidates, history, random_stats(rng, candidates), rng.randrange(100))
        assert chosen is not None
        assert chosen.id != history[-1]


def test_prefers_no_evidence_and_not_recently_asked() -> None:
    rng = random.Random(3)
    for _ in range(500):
        candidates = random_ladder(rng)
        history = [rng.choice(candidates).id for _ in range(rng.randrange(8))]
        stats = random_stats(rng, candidates)
        chosen = pick_prompt_behaviour(candidates, history, stats, rng.randrange(100))
        if chosen is None:
            continue
        recent = set(history[-RECENT_WINDOW:])
        fresh = [b for b in candidates if b.id not in recent]
        if fresh:
            assert chosen.id not in recent
            if any(b.id not in stats for b in fresh):
                assert chosen.id not in stats


def test_rotates_across_areas_on_a_fresh_ladder() -> None:
    candidates = ladder({"delivery": 4, "craft": 4, "people": 4})
    history: list[str] = []
    areas = []
    for _ in range(9):
        chosen = pick_prompt_behaviour(candidates, history, {}, seed="p1")
        assert chosen is not None
        history.append(chosen.id)
        areas.append(chosen.area_id)
    # Each window of three consecutive prompts covers all three areas.
    for start in range(len(areas) - 2):
        assert len(set(areas[start : start + 3])) == 3
    assert len(set(history)) == 9


def test_every_behaviour_asked_eventually_without_evidence() -> None:
    rng = random.Random(5)
    for _ in range(100):
        candidates = random_ladder(rng)
        if len(candidates) < 2:
            continue
        history: list[str] = []
        areas = {b.area_id for b in candidates}
        biggest = max(Counter(b.area_id for b in candidates).values())
        for _ in range(len(areas) * biggest + RECENT_WINDOW * 2):
            chosen = pick_prompt_behaviour(candidates, history, {}, seed=rng.randrange(10))
            assert chosen is not None
            history.append(chosen.id)
        assert set(history) == {b.id for b in candidates}


def test_fully_evidenced_ladder_keeps_rotating_favouring_oldest_evidence() -> None:
    candidates = ladder({"craft": 5})
    stats = {b.id: EvidenceStat(1, datetime(2024, 1, 1) + timedelta(days=i)) for i, b in enumerate(candidates)}
    chosen = pick_prompt_behaviour(candidates, [], stats, seed=1)
    assert chosen is not None and chosen.id == "craft-0"  # the oldest evidence
    # Simulate answering each prompt: the answered behaviour's evidence becomes the newest.
    now = datetime(2025, 1, 1)
    history: list[str] = []
    for week in range(15):
        chosen = pick_prompt_behaviour(candidates, history, stats, seed=1)
        assert chosen is not None
        history.append(chosen.id)
        stats[chosen.id] = EvidenceStat(stats[chosen.id].count + 1, now + timedelta(weeks=week))
    assert history[:5] == [f"craft-{i}" for i in range(5)]
    assert history[5:10] == history[:5]  # a steady rotation, oldest evidence first
    assert Counter(history) == {b.id: 3 for b in candidates}


def test_least_evidence_wins_among_evidenced() -> None:
    candidates = ladder({"craft": 3})
    stats = {
        "craft-0": EvidenceStat(4, datetime(2024, 1, 1)),
        "craft-1": EvidenceStat(1, datetime(2024, 6, 1)),
        "craft-2": EvidenceStat(2, datetime(2024, 2, 1)),
    }
    chosen = pick_prompt_behaviour(candidates, [], stats, seed=0)
    assert chosen is not None and chosen.id == "craft-1"


def test_history_with_behaviours_no_longer_on_the_ladder() -> None:
    candidates = ladder({"craft": 2})
    chosen = pick_prompt_behaviour(candidates, ["old-behaviour", None], {}, seed=0)
    assert chosen in candidates


@pytest.mark.parametrize("count,expected", [(0, "no evidence for it yet"), (1, "1 item of"), (3, "3 items of")])
def test_why_line(count: int, expected: str) -> None:
    [behaviour] = ladder({"craft": 1})
    assert expected in why_line(behaviour, EvidenceStat(count), "Senior", "Craft")


def test_why_line_says_when_it_is_a_focus_behaviour() -> None:
    [behaviour] = ladder({"craft": 1})
    assert why_line(behaviour, None, "Senior", "Craft", focused=True) == (
        "One of your focus behaviours. It is part of reaching Senior in Craft, and you have no evidence for it yet."
    )
    fallback = why_line(behaviour, EvidenceStat(2), "Senior", "Craft", "From your current level", focused=True)
    assert fallback == "One of your focus behaviours. From your current level. You have 2 items of evidence so far."
    assert "focus" not in why_line(behaviour, None, "Senior", "Craft")
