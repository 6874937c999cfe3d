"""Focus behaviours: the few behaviours of their next milestone a person chose to work on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select

from storage.models import FocusBehaviour
from storage.repositories._base import Repository, column_values


class FocusRepository(Repository):
    def for_person(self, person_id: int) -> Sequence[FocusBehaviour]:
        """The person's focus behaviours on any ladder, oldest choice first."""
        return self.session.scalars(
            select(FocusBehaviour)
            .where(FocusBehaviour.person_id == person_id)
            .order_by(FocusBehaviour.created_at, FocusBehaviour.id)
        ).all()

    def for_many(self, person_ids: Iterable[int]) -> dict[int, list[FocusBehaviour]]:
        """person id -> their focus behaviours, oldest first, in one query (everyone asked for is present)."""
        wanted = list(dict.fromkeys(person_ids))
        found: dict[int, list[FocusBehaviour]] = {person_id: [] for person_id in wanted}
        if not wanted:
            return found
        rows = self.session.scalars(
            select(FocusBehaviour)
            .where(FocusBehaviour.person_id.in_(wanted))
            .order_by(FocusBehaviour.created_at, FocusBehaviour.id)
        )
        for row in rows:
            found[row.person_id].append(row)
        return found

    def count_for(self, person_id: int) -> int:
        return int(self.session.scalar(select(func.count()).where(FocusBehaviour.person_id == person_id)) or 0)

    def add_once(self, person_id: int, framework_id: str, behaviour_id: str, now: datetime) -> bool:
        """Add a focus behaviour; False if it was already there (a double click adds one row)."""
        candidate = FocusBehaviour(
            person_id=person_id, framework_id=framework_id, behaviour_id=behaviour_id, created_at=now
        )
        table = FocusBehaviour.__table__
        new_id = self.session.scalar(
            self.insert_ignoring_conflict(
                table, column_values(candidate, table), ["person_id", "framework_id", "behaviour_id"]
            )
        )
        return new_id is not None

    def remove(self, person_id: int, pairs: Iterable[tuple[str, str]]) -> int:
        """Remove the person's focus on these (framework id, behaviour id) pairs; how many went."""
        removed = 0
        for framework_id, behaviour_id in pairs:
            result = self.session.execute(
                delete(FocusBehaviour).where(
                    FocusBehaviour.person_id == person_id,
                    FocusBehaviour.framework_id == framework_id,
                    FocusBehaviour.behaviour_id == behaviour_id,
                ),
                execution_options={"synchronize_session": False},
            )
            removed += result.rowcount or 0  # type: ignore[attr-defined]
        return removed

    def delete_all_for(self, person_id: int) -> int:
        result = self.session.execute(
            delete(FocusBehaviour).where(FocusBehaviour.person_id == person_id),
            execution_options={"synchronize_session": False},
        )
        return result.rowcount or 0  # type: ignore[attr-defined]
