"""bench/ack's database: the people who type commands, and the people due for the fan-out run."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import insert

from frameworks import Framework, load_library
from frameworks.lookups import next_milestone
from storage.clock import utcnow
from storage.db import make_engine
from storage.migrate import upgrade_to_head
from storage.models import (
    Evidence,
    EvidenceSource,
    EvidenceTag,
    Person,
    Placement,
    PromptSchedule,
    Workspace,
)

TEAM_ID = "T0001"
LADDERS = ("luko-execution", "vio-execution", "attest-engineering", "flow")
NOW = datetime(2026, 6, 1, 9, 0)
BATCH = 5_000


def _batched(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def seed(url: str, people: int, evidence: int, rng: random.Random) -> list[str]:
    """A migrated database with `people` set-up people and `evidence` tagged items; their Slack ids."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    library = load_library()
    ladders: list[Framework] = [library[name] for name in LADDERS]
    person_rows, placement_rows, schedule_rows, evidence_rows, tag_rows = [], [], [], [], []
    per_person = evidence // people
    evidence_id = tag_id = 0
    for n in range(1, people + 1):
        framework = ladders[n % len(ladders)]
        base = rng.choice(framework.levels[:-1]).id
        levels = {area.id: base for area in framework.areas}
        person_rows.append(
            {
                "id": n,
                "workspace_id": 1,
                "slack_user_id": f"U{n:06d}",
                "display_name": f"Person {n}",
                "tz": "Europe/Paris",
                "active": True,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        placement_rows.append(
            {"person_id": n, "framework_id": framework.id, "levels": levels, "started_at": NOW, "reason": "setup"}
        )
        schedule_rows.append(
            {
                "person_id": n,
                "weekday": n % 5,
                "local_time": clock_time(10, 0),
                "cadence": "weekly",
                "paused": False,
                "next_due_at": utcnow() + timedelta(days=7),  # not due during the run
                "updated_at": NOW,
            }
        )
        upcoming = list(next_milestone(framework, levels).behaviours) or list(framework.behaviours)
        everything = list(framework.behaviours)
        for k in range(per_person + (1 if n <= evidence % people else 0)):
            evidence_id += 1
            created = NOW - timedelta(days=k * 3, hours=rng.randrange(24))
            evidence_rows.append(
                {
                    "id": evidence_id,
                    "person_id": n,
                    "text": f"Evidence {k} of person {n}: shipped something.",
                    "source": EvidenceSource.MODAL.value,
                    "created_at": created,
                    "to_discuss": False,
                }
            )
            pool = upcoming if rng.random() < 0.6 else everything
            for behaviour in rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2)))):
                tag_id += 1
                tag_rows.append(
                    {
                        "id": tag_id,
                        "evidence_id": evidence_id,
                        "person_id": n,
                        "framework_id": framework.id,
                        "framework_version": framework.version,
                        "behaviour_id": behaviour.id,
                        "area_id": behaviour.area_id,
                        "level_id": behaviour.level_id,
                        "behaviour_text": behaviour.text,
                        "created_at": created,
                    }
                )
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": 1, "team_id": TEAM_ID, "created_at": NOW}])
        for model, rows in (
            (Person, person_rows),
            (Placement, placement_rows),
            (PromptSchedule, schedule_rows),
            (Evidence, evidence_rows),
            (EvidenceTag, tag_rows),
        ):
            for batch in _batched(rows):
                connection.execute(insert(model), batch)
    engine.dispose()
    return [row["slack_user_id"] for row in person_rows]


def seed_due(url: str, people: int, first_id: int) -> list[str]:
    """`people` more people (UTC, no evidence) whose weekly prompt is due this minute; their Slack ids."""
    due = utcnow().replace(second=0, microsecond=0)
    ids = range(first_id, first_id + people)
    slack_ids = [f"UF{n:06d}" for n in ids]
    engine = make_engine(url)
    with engine.begin() as connection:
        for model, rows in (
            (
                Person,
                [
                    {"id": n, "workspace_id": 1, "slack_user_id": slack_id, "display_name": slack_id, "tz": "UTC",
                     "active": True, "created_at": NOW, "updated_at": NOW}
                    for n, slack_id in zip(ids, slack_ids, strict=True)
                ],
            ),
            (
                Placement,
                [
                    {"person_id": n, "framework_id": "luko-execution", "levels": {"delivery": "1"},
                     "started_at": NOW, "reason": "setup"}
                    for n in ids
                ],
            ),
            (
                PromptSchedule,
                [
                    {"person_id": n, "weekday": due.weekday(), "local_time": due.time(), "cadence": "weekly",
                     "paused": False, "next_due_at": due, "updated_at": NOW}
                    for n in ids
                ],
            ),
        ):  # fmt: skip
            for batch in _batched(rows):
                connection.execute(insert(model), batch)
    engine.dispose()
    return slack_ids
