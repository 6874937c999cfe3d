"""Workspaces (Slack teams) and the people in them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update

from storage.clock import utcnow
from storage.models import Person, Workspace
from storage.repositories._base import Repository, column_values


class WorkspaceRepository(Repository):
    def get(self, workspace_id: int) -> Workspace | None:
        return self.session.get(Workspace, workspace_id)

    def get_by_team(self, team_id: str) -> Workspace | None:
        return self.session.scalar(select(Workspace).where(Workspace.team_id == team_id))

    def get_or_create(self, team_id: str, name: str | None = None) -> Workspace:
        """The workspace for a Slack team, created on first sight; safe when two requests race."""
        existing = self.get_by_team(team_id)
        if existing is not None:
            return existing
        candidate = Workspace(team_id=team_id, name=name)
        table = Workspace.__table__
        self.session.execute(self.insert_ignoring_conflict(table, column_values(candidate, table), ["team_id"]))
        workspace = self.get_by_team(team_id)
        assert workspace is not None
        return workspace

    def list_all(self) -> Sequence[Workspace]:
        return self.session.scalars(select(Workspace).order_by(Workspace.id)).all()

    def uninstalled_before(self, cutoff: datetime, limit: int) -> Sequence[Workspace]:
        """Workspaces uninstalled before `cutoff` whose data is not deleted yet, oldest first."""
        return self.session.scalars(
            select(Workspace)
            .where(Workspace.uninstalled_at < cutoff, Workspace.data_deleted_at.is_(None))
            .order_by(Workspace.uninstalled_at)
            .limit(limit)
        ).all()


class NewPerson(NamedTuple):
    slack_user_id: str
    imported_name: str | None
    slack_real_name: str | None
    slack_display_name: str | None
    email: str | None
    tz: str


class AddedPerson(NamedTuple):
    """Someone `add_many` just wrote, as plain values (no ORM instance: a first import adds 100,000)."""

    id: int
    workspace_id: int
    slack_user_id: str
    display_name: str | None
    tz: str


class PersonRepository(Repository):
    def get(self, person_id: int) -> Person | None:
        return self.session.get(Person, person_id)

    def get_many(self, person_ids: Iterable[int]) -> dict[int, Person]:
        """person id -> person, in one query (unknown ids are absent)."""
        wanted = list(dict.fromkeys(person_ids))
        if not wanted:
            return {}
        return {person.id: person for person in self.session.scalars(select(Person).where(Person.id.in_(wanted)))}

    def get_by_slack_id(self, workspace_id: int, slack_user_id: str) -> Person | None:
        return self.session.scalar(
            select(Person).where(Person.workspace_id == workspace_id, Person.slack_user_id == slack_user_id)
        )

    def find_by_slack_id(self, slack_user_id: str) -> Sequence[Person]:
        """Every person with this Slack user id, across workspaces (for the CLI, which has no team)."""
        return self.session.scalars(
            select(Person).where(Person.slack_user_id == slack_user_id).order_by(Person.id)
        ).all()

    def get_by_email(self, email: str, workspace_id: int | None = None) -> Person | None:
        """Case-insensitive (emails are stored lower-case). Without a workspace, the first match."""
        query = select(Person).where(Person.email == email.strip().lower())
        if workspace_id is not None:
            query = query.where(Person.workspace_id == workspace_id)
        return self.session.scalars(query.order_by(Person.id).limit(1)).first()

    def list_active(self, workspace_id: int | None = None) -> Sequence[Person]:
        query = select(Person).where(Person.active.is_(True))
        if workspace_id is not None:
            query = query.where(Person.workspace_id == workspace_id)
        return self.session.scalars(query.order_by(Person.id)).all()

    def in_workspace_except(self, workspace_id: int, inactive_reason: str, limit: int) -> Sequence[Person]:
        """Up to `limit` people of the workspace not made inactive for `inactive_reason`, by id."""
        return self.session.scalars(
            select(Person)
            .where(Person.workspace_id == workspace_id, Person.inactive_reason.is_distinct_from(inactive_reason))
            .order_by(Person.id)
            .limit(limit)
        ).all()

    def list_in_workspace(self, workspace_id: int) -> Sequence[Person]:
        return self.session.scalars(select(Person).where(Person.workspace_id == workspace_id).order_by(Person.id)).all()

    def add(
        self,
        workspace_id: int,
        slack_user_id: str,
        *,
        imported_name: str | None = None,
        email: str | None = None,
        tz: str | None = None,
    ) -> Person:
        """A new person; `imported_name` is a name from outside Slack (Slack's names come from users.info)."""
        person = Person(
            workspace_id=workspace_id,
            slack_user_id=slack_user_id,
            imported_name=imported_name,
            email=email,
            tz=tz or "UTC",
            active=True,
        )
        self.session.add(person)
        self.session.flush()
        return person

    def add_many(self, workspace_id: int, people: Sequence[NewPerson]) -> list[AddedPerson]:
        """`add` for many people at once (a first import), in the order given: two statements, the INSERT
        and one read of the workspace's ids (cheaper than RETURNING through insertmanyvalues)."""
        if not people:
            return []
        rows = [{"workspace_id": workspace_id, "active": True, **new._asdict()} for new in people]
        written = self.insert_many(Person, rows)
        in_workspace = select(Person.slack_user_id, Person.id).where(Person.workspace_id == workspace_id)
        ids: dict[str, int] = {slack_id: person_id for slack_id, person_id in self.session.execute(in_workspace)}
        return [
            AddedPerson(ids[row["slack_user_id"]], workspace_id, row["slack_user_id"], row["display_name"], row["tz"])
            for row in written
        ]

    def get_or_add(
        self,
        workspace_id: int,
        slack_user_id: str,
        *,
        imported_name: str | None = None,
        email: str | None = None,
        tz: str | None = None,
    ) -> tuple[Person, bool]:
        """(person, created): the person with this Slack id, added if new; safe when two events race."""
        existing = self.get_by_slack_id(workspace_id, slack_user_id)
        if existing is not None:
            return existing, False
        candidate = Person(
            workspace_id=workspace_id,
            slack_user_id=slack_user_id,
            imported_name=imported_name,
            email=email,
            tz=tz or "UTC",
            active=True,
        )
        table = Person.__table__
        new_id = self.session.scalar(
            self.insert_ignoring_conflict(table, column_values(candidate, table), ["workspace_id", "slack_user_id"])
        )
        person = self.get_by_slack_id(workspace_id, slack_user_id)
        assert person is not None
        return person, new_id is not None

    def mark_inactive(self, person: Person, reason: str, now: datetime | None = None) -> None:
        """Stop prompting someone (left the company, deactivated in Slack, asked to stop)."""
        person.active = False
        person.inactive_reason = reason
        person.updated_at = now or utcnow()
        self.session.flush()

    def mark_workspace_inactive(self, workspace_id: int, reason: str, now: datetime) -> int:
        """`mark_inactive` for every active person of the workspace, in one statement; how many."""
        result = self.session.execute(
            update(Person)
            .where(Person.workspace_id == workspace_id, Person.active.is_(True))
            .values(active=False, inactive_reason=reason, updated_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def reactivate_workspace(self, workspace_id: int, reason: str, now: datetime) -> int:
        """`reactivate` everyone of the workspace made inactive for `reason` (and for nothing else)."""
        result = self.session.execute(
            update(Person)
            .where(Person.workspace_id == workspace_id, Person.active.is_(False), Person.inactive_reason == reason)
            .values(active=True, inactive_reason=None, updated_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def reactivate(self, person: Person, now: datetime | None = None) -> None:
        person.active = True
        person.inactive_reason = None
        person.updated_at = now or utcnow()
        self.session.flush()
