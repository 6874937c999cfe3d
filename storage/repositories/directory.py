"""The users.list sweep's position (storage.models.DirectorySweep) and people by Slack user id."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import DirectorySweep, Person, Workspace
from storage.repositories._base import Repository


class DirectoryRepository(Repository):
    def sweep(self, name: str) -> DirectorySweep:
        """The sweep's row, created (never run) on first use; a unit of work scoped to one workspace has
        that workspace's own row (each installation's users.list is its own directory)."""
        if self.scoped_workspace_id is not None:
            name = f"{name}@{self.scoped_workspace_id}"
        row = self.session.get(DirectorySweep, name)
        if row is None:  # two ticks may get here at once: the second insert is a no-op
            module = postgresql if self.dialect == "postgresql" else sqlite
            table = DirectorySweep.__table__
            self.session.execute(module.insert(table).values(name=name, pages=0).on_conflict_do_nothing())
            row = self.session.get(DirectorySweep, name)
            assert row is not None
        return row

    def people_by_slack_ids(self, slack_user_ids: Iterable[str], team_id: str | None = None) -> Sequence[Person]:
        """Everyone with one of these Slack ids (in `team_id`'s workspace when given; in a unit of work
        scoped to one workspace, in that one: a Grid organisation's users name their own workspace's
        team id), in one query."""
        wanted = list(dict.fromkeys(slack_user_ids))
        if not wanted:
            return []
        query = select(Person).where(Person.slack_user_id.in_(wanted))
        if self.scoped_workspace_id is not None:
            query = query.where(Person.workspace_id == self.scoped_workspace_id)
        elif team_id is not None:
            query = query.join(Workspace, Workspace.id == Person.workspace_id).where(Workspace.team_id == team_id)
        return self.session.scalars(query.order_by(Person.id)).all()
