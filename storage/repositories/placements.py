"""Where people sit on a ladder, with history: a promotion closes one placement and opens the next."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select

from storage.clock import utcnow
from storage.models import Placement
from storage.repositories._base import Repository


class PlacementRepository(Repository):
    def current_for(self, person_id: int) -> Placement | None:
        return self.session.scalar(
            select(Placement).where(Placement.person_id == person_id, Placement.ended_at.is_(None))
        )

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
