"""How well evidence text finds its behaviour: `python bench/ranking.py [--misses]`.

Ranks every sentence of tests/frameworks/evidence/labelled_evidence.yaml against its whole ladder (every
level and track) with the previous ranker (`suggest_behaviours`, kept in bench/previous_ranker.py) and the evidence
ranker (`frameworks.evidence_rank.rank_behaviours`), and prints top-1 / top-3 accuracy for the tuning
items, the held-out items (every fourth, position % 4 == 3) and all of them. No assertions, no timing.
`--misses` lists the sentences the new ranker gets wrong at top-1; `--margins` prints how far the first
suggestion leads the labelled behaviour when it is not labelled (for the "clearly better" margin).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from previous_ranker import suggest_behaviours  # bench/previous_ranker.py (run as a script)

from frameworks import Framework, load_library
from frameworks.evidence_rank import rank_behaviours

DATA = Path(__file__).resolve().parent.parent / "tests" / "frameworks" / "evidence" / "labelled_evidence.yaml"

Ranker = Callable[[Framework, str], list[str]]


def previous(framework: Framework, text: str) -> list[str]:
    return [b.id for b in suggest_behaviours(framework, text, framework.behaviours, limit=3)]


def evidence(framework: Framework, text: str) -> list[str]:
    return [r.behaviour.id for r in rank_behaviours(framework, text, limit=3)]


def load_items(path: Path = DATA) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["items"]


def is_held_out(position: int) -> bool:
    return position % 4 == 3


def accuracy(ranker: Ranker, items: Sequence[tuple[Framework, dict[str, Any]]]) -> tuple[float, float]:
    top1 = top3 = 0
    for framework, item in items:
        found = ranker(framework, item["text"])
        labels = set(item["behaviours"])
        top1 += bool(found[:1]) and found[0] in labels
        top3 += bool(labels & set(found[:3]))
    return top1 / len(items), top3 / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the new ranker's top-1 misses")
    parser.add_argument("--margins", action="store_true", help="score of the first suggestion vs the label")
    args = parser.parse_args()
    library = load_library()
    items = [(library[item["ladder"]], item) for item in load_items()]
    splits = {
        "tuning": [x for i, x in enumerate(items) if not is_held_out(i)],
        "held out": [x for i, x in enumerate(items) if is_held_out(i)],
        "all": items,
    }
    print(f"{'ranker':<34} {'set':<9} {'n':>3} {'top-1':>6} {'top-3':>6}")
    for name, ranker in (("previous (search.suggest_behaviours)", previous), ("evidence_rank", evidence)):
        for split, chosen in splits.items():
            top1, top3 = accuracy(ranker, chosen)
            print(f"{name:<34} {split:<9} {len(chosen):>3} {top1:>6.2f} {top3:>6.2f}")
    if args.misses:
        for position, (framework, item) in enumerate(items):
            found = evidence(framework, item["text"])
            if not found or found[0] not in item["behaviours"]:
                mark = "H" if is_held_out(position) else " "
                print(f"{mark} {item['text'][:70]:<70} want {item['behaviours']} got {found}")
    if args.margins:
        margins(items)


def margins(items: Sequence[tuple[Framework, dict[str, Any]]]) -> None:
    """For each candidate margin: how often a suggestion would be wrong, and how often it would help.

    wrong: the labelled behaviour was prompted, yet an unlabelled one leads it by the margin.
    helps: an unlabelled behaviour was prompted (averaged over all of them), and the first suggestion is
    labelled and leads the prompted one by the margin.
    """
    print(f"\n{'ratio':>5} {'min':>4} {'wrong':>6} {'helps':>6}")
    scored = [(rank_behaviours(framework, item["text"]), set(item["behaviours"])) for framework, item in items]
    for ratio in (1.0, 1.25, 1.5, 2.0, 3.0):
        for minimum in (1.0, 2.0, 3.0):
            wrong = helps = 0.0
            for ranked, labels in scored:
                best_label = max(r.score for r in ranked if r.behaviour.id in labels)
                others = [r.score for r in ranked if r.behaviour.id not in labels]
                top = ranked[0]
                wrong += top.behaviour.id not in labels and top.score >= minimum and top.score > best_label * ratio
                if top.behaviour.id in labels and top.score >= minimum:
                    helps += sum(top.score > o * ratio for o in others) / len(others)
            print(f"{ratio:>5.2f} {minimum:>4.1f} {wrong / len(scored):>6.2f} {helps / len(scored):>6.2f}")


if __name__ == "__main__":
    main()
