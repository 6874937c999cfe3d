"""Test data for the digest, packet, access, consent and digesting tests, written with the ORM directly."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.deps import Deps
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from frameworks import Library, LibraryHolder, load_paths
from storage.models import (
    Evidence,
    EvidenceSource,
    EvidenceTag,
    ManagerLink,
    ManagerLinkStatus,
    Person,
    Placement,
    Prompt,
    PromptState,
    Workspace,
)
from storage.uow import UnitOfWork
from tests.conftest import Database

DATA_DIR = Path(__file__).parent / "data"
LADDER_ID = "digest-ladder"


def load_ladder() -> Library:
    return load_paths([DATA_DIR / "digest_ladder.yaml"])


@dataclass
class World:
    workspace_id: int
    manager_id: int
    report_id: int
    outsider_id: int
    admin_id: int


def add_person(uow: UnitOfWork, workspace_id: int, slack_id: str, name: str, tz: str = "UTC") -> Person:
    person = Person(workspace_id=workspace_id, slack_user_id=slack_id, display_name=name, tz=tz)
    uow.session.add(person)
    uow.session.flush()
    return person


def make_world(
    uow: UnitOfWork,
    *,
    link: ManagerLinkStatus | None = ManagerLinkStatus.ACTIVE,
    level: str = "1",
    manager_tz: str = "UTC",
    report_tz: str = "UTC",
    placed: bool = True,
) -> World:
    workspace = Workspace(team_id="T1", name="Acme")
    uow.session.add(workspace)
    uow.session.flush()
    manager = add_person(uow, workspace.id, "UMANAGER", "Morgan Manager", manager_tz)
    report = add_person(uow, workspace.id, "UREPORT", "Riley Report", report_tz)
    outsider = add_person(uow, workspace.id, "UOTHER", "Olive Outsider")
    admin = add_person(uow, workspace.id, "UADMIN", "Ada Admin")
    if placed:
        uow.session.add(
            Placement(
                person_id=report.id,
                framework_id=LADDER_ID,
                levels={"delivery": level, "quality": level, "mentoring": level},
                reason="setup",
                started_at=datetime(2024, 1, 1),
            )
        )
    if link is not None:
        uow.session.add(
            ManagerLink(person_id=report.id, manager_id=manager.id, status=link, created_at=datetime(2024, 1, 1))
        )
    uow.session.flush()
    return World(workspace.id, manager.id, report.id, outsider.id, admin.id)


def add_evidence(
    uow: UnitOfWork,
    library: Library,
    person_id: int,
    text: str,
    at: datetime,
    behaviour_ids: Sequence[str] = (),
    *,
    link: str | None = None,
    to_discuss: bool = False,
    deleted_at: datetime | None = None,
) -> Evidence:
    framework = library[LADDER_ID]
    evidence = Evidence(
        person_id=person_id,
        text=text,
        link=link,
        source=EvidenceSource.COMMAND,
        to_discuss=to_discuss,
        created_at=at,
        deleted_at=deleted_at,
    )
    for behaviour_id in behaviour_ids:
        behaviour = framework.behaviour(behaviour_id)
        evidence.tags.append(
            EvidenceTag(
                person_id=person_id,
                framework_id=framework.id,
                framework_version=framework.version,
                behaviour_id=behaviour.id,
                area_id=behaviour.area_id,
                level_id=behaviour.level_id,
                behaviour_text=behaviour.text,
                created_at=at,
            )
        )
    uow.session.add(evidence)
    uow.session.flush()
    return evidence


def add_prompt(
    uow: UnitOfWork, person_id: int, due_at: datetime, *, answered_at: datetime | None = None, behaviour: str = ""
) -> Prompt:
    prompt = Prompt(
        person_id=person_id,
        idempotency_key=f"{person_id}:{due_at.isoformat()}",
        framework_id=LADDER_ID,
        behaviour_ids=[behaviour] if behaviour else [],
        due_at=due_at,
        state=PromptState.ANSWERED if answered_at else PromptState.SENT,
        sent_at=due_at,
        answered_at=answered_at,
    )
    uow.session.add(prompt)
    uow.session.flush()
    return prompt


def offline_deps(db: Database, library: Library, **settings: Any) -> Deps:
    """Deps for use cases that never call Slack: its client points nowhere."""
    config = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-unused", **settings)  # type: ignore[call-arg]
    client = WebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/api/")
    return Deps(settings=config, uow=db.uow, ladders=LibraryHolder(library=library), client=client)


@contextmanager
def fake_slack_deps(db: Database, library: Library, **settings: Any) -> Iterator[tuple[Deps, FakeSlack]]:
    """Deps wired to a fresh fake Slack (users UMANAGER, UREPORT, UOTHER, UADMIN) and `db`."""
    with FakeSlack(team_id="T1") as fake:
        for slack_id, name in (("UMANAGER", "morgan"), ("UREPORT", "riley"), ("UOTHER", "olive"), ("UADMIN", "ada")):
            fake.add_user(slack_id, name, tz="UTC")
        values: dict[str, Any] = {"SLACK_BOT_TOKEN": fake.bot_token, "SLACK_API_URL": fake.api_url}
        values.update(settings)
        config = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        client = make_web_client(config, retry_interval=FixedValueRetryIntervalCalculator(0.01))
        yield Deps(settings=config, uow=db.uow, ladders=LibraryHolder(library=library), client=client), fake
