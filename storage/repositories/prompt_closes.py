"""The queue of replaced prompts whose buttons are still to be taken off (`prompts.close_pending_at`):
marked when a newer prompt is recorded sent, taken in leased batches by each tick, settled when done."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select, update

from storage.models import Prompt, PromptState
from storage.repositories._base import Repository


class PromptCloseRepository(Repository):
    def mark_pending(self, prompt_ids: Iterable[int], now: datetime) -> int:
        """The buttons of these prompts, replaced by newer ones while unanswered, are to be taken off
        (`take`); answered or already closed ones are left alone. Returns how many were marked."""
        wanted = list(dict.fromkeys(prompt_ids))
        if not wanted:
            return 0
        result = self.session.execute(
            update(Prompt)
            .where(
                Prompt.id.in_(wanted),
                Prompt.state == PromptState.SENT,
                Prompt.closed_at.is_(None),
                Prompt.close_pending_at.is_(None),
            )
            .values(close_pending_at=now),
            execution_options={"synchronize_session": False},
        )
        return result.rowcount or 0  # type: ignore[attr-defined]

    def take(self, now: datetime, limit: int, lease: timedelta, sent_after: datetime) -> list[Prompt]:
        """Up to `limit` prompts whose close is due, oldest first, each leased until `now + lease` (a close
        that fails is taken again then; concurrent instances take disjoint rows, as prompt claims do).
        A due close of a prompt answered since, or sent before `sent_after`, is dropped, not returned."""
        pending = (
            select(Prompt.id)
            .where(
                Prompt.close_pending_at.is_not(None), Prompt.close_pending_at <= now, *self.in_scope(Prompt.person_id)
            )
            .order_by(Prompt.close_pending_at, Prompt.id)
            .limit(limit)
        )
        still_wanted = and_(Prompt.state == PromptState.SENT, Prompt.sent_at >= sent_after)
        lease_them = update(Prompt).values(close_pending_at=case((still_wanted, now + lease), else_=None))
        ids = self.take_disjoint(pending, lease_them, Prompt.id)
        if not ids:
            return []
        return list(
            self.session.scalars(
                select(Prompt)
                .where(Prompt.id.in_(ids), Prompt.close_pending_at.is_not(None))
                .order_by(Prompt.id)
                .execution_options(populate_existing=True)
            )
        )

    def settle(self, prompt_ids: Iterable[int], *, closed_at: datetime | None) -> None:
        """No close pending for these prompts any more: done at `closed_at`, or None: nothing to close."""
        wanted = list(dict.fromkeys(prompt_ids))
        if wanted:
            self.session.execute(
                update(Prompt).where(Prompt.id.in_(wanted)).values(close_pending_at=None, closed_at=closed_at),
                execution_options={"synchronize_session": False},
            )

    def count_pending(self) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(Prompt)
                .where(Prompt.close_pending_at.is_not(None), *self.in_scope(Prompt.person_id))
            )
            or 0
        )
