"""Where people sit on a ladder, with history: a promotion closes one placement and opens the next."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, select

from storage.clock import utcnow
from storage.models import Person, Placement, Workspace
from storage.repositories._base import Repository


class CurrentPlacement(NamedTuple):
    """A person's open placement as plain values: what read-only answers such as `/ladder next` need."""

    person_id: int
    display_name: str | None
    framework_id: str
    levels: dict[str, Any]
    track: str | None


class FirstPlacement(NamedTuple):
    person_id: int
    framework_id: str
    levels: Mapping[str, str]
    track: str | None


_people, _placements, _workspaces = Person.__table__, Placement.__table__, Workspace.__table__
# Built once, and one statement instead of workspace, person and placement one after the other: it
# runs for every `/ladder me|next`, where building ORM statements cost more than SQLite's work.
_CURRENT_BY_SLACK_USER = (
    select(_people.c.id, _people.c.display_name, _placements.c.framework_id, _placements.c.levels, _placements.c.track)
    .select_from(_workspaces)
    .join(_people, _people.c.workspace_id == _workspaces.c.id)
    .join(_placements, _placements.c.person_id == _people.c.id)
    .where(
        _workspaces.c.team_id == bindparam("team_id"),
        _people.c.slack_user_id == bindparam("slack_user_id"),
        _placements.c.ended_at.is_(None),
    )
)


class PlacementRepository(Repository):
    def current_for_slack_user(self, team_id: str, slack_user_id: str) -> CurrentPlacement | None:
        """The open placement of this Slack user in this team; None for an unknown or unplaced person."""
        row = self.session.execute(_CURRENT_BY_SLACK_USER, {"team_id": team_id, "slack_user_id": slack_user_id}).first()
        return None if row is None else CurrentPlacement(*row)

    def current_for(self, person_id: int) -> Placement | None:
        return self.session.scalar(
            select(Placement).where(Placement.person_id == person_id, Placement.ended_at.is_(None))
        )

    def current_on(self, framework_ids: Sequence[str]) -> list[tuple[str, Placement]]:
        """(Slack user id, open placement) of everyone currently placed on these ladders, in one query (the
        reload's check for people placed on a level a changed ladder dropped)."""
        if not framework_ids:
            return []
        rows = self.session.execute(
            select(Person.slack_user_id, Placement)
            .join(Person, Person.id == Placement.person_id)
            .where(Placement.framework_id.in_(list(framework_ids)), Placement.ended_at.is_(None))
            .order_by(Person.slack_user_id)
        )
        return [(slack_id, placement) for slack_id, placement in rows]

    def current_for_many(self, person_ids: Sequence[int]) -> dict[int, Placement]:
        """person id -> open placement, in one query (for digests and imports over many people)."""
        if not person_ids:
            return {}
        rows = self.session.scalars(
            select(Placement).where(Placement.person_id.in_(person_ids), Placement.ended_at.is_(None))
        )
        return {placement.person_id: placement for placement in rows}

    def open(
        self,
        person_id: int,
        framework_id: str,
        levels: Mapping[str, str],
        *,
        track: str | None = None,
        reason: str,
        now: datetime | None = None,
    ) -> Placement:
        """Close the person's open placement (if any) and open this one; the old one stays as history."""
        now = now or utcnow()
        previous = self.current_for(person_id)
        if previous is not None:
            previous.ended_at = now
            # The partial unique index allows one open placement: close before opening.
            self.session.flush()
        placement = Placement(
            person_id=person_id,
            framework_id=framework_id,
            levels=dict(levels),
            track=track,
            reason=reason,
            started_at=now,
        )
        self.session.add(placement)
        self.session.flush()
        return placement

    def open_first_many(self, placements: Sequence[FirstPlacement], *, reason: str, now: datetime) -> None:
        """`open` for many people who have no placement yet (a first import): a statement per batch."""
        self.insert_many(
            Placement,
            [
                {
                    "person_id": first.person_id,
                    "framework_id": first.framework_id,
                    "levels": dict(first.levels),
                    "track": first.track,
                    "reason": reason,
                    "started_at": now,
                }
                for first in placements
            ],
        )

    def close(self, placement: Placement, now: datetime | None = None) -> None:
        placement.ended_at = now or utcnow()
        self.session.flush()

    def history_for(self, person_id: int) -> Sequence[Placement]:
        """Every placement, oldest first (the open one last)."""
        return self.session.scalars(
            select(Placement).where(Placement.person_id == person_id).order_by(Placement.started_at, Placement.id)
        ).all()

    def delete_all_for(self, person_id: int) -> int:
        result = self.session.execute(delete(Placement).where(Placement.person_id == person_id))
        return result.rowcount or 0  # type: ignore[attr-defined]
