"""Pre-1:1 digests: at most one per 1:1 and period, claimed so two instances never send it twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from storage.clock import utcnow
from storage.models import MAX_NAME, Digest, DigestState, check_length
from storage.repositories._base import Repository, column_values


class DigestRepository(Repository):
    def get(self, digest_id: int) -> Digest | None:
        return self.session.get(Digest, digest_id)

    def get_for_period(self, one_on_one_id: int, period_key: str) -> Digest | None:
        return self.session.scalar(
            select(Digest).where(Digest.one_on_one_id == one_on_one_id, Digest.period_key == period_key)
        )

    def claim(
        self,
        one_on_one_id: int,
        period_key: str,
        *,
        period_start: datetime,
        period_end: datetime,
        due_at: datetime,
        instance_id: str,
        now: datetime,
        claim_ttl: timedelta = timedelta(minutes=10),
    ) -> Digest | None:
        """The digest row for this 1:1 and period, claimed by `instance_id`; None when it was already sent,
        skipped or failed, or another instance holds a live claim. An expired claim is taken over."""
        check_length("instance_id", instance_id, MAX_NAME)
        candidate = Digest(
            one_on_one_id=one_on_one_id,
            period_key=period_key,
            period_start=period_start,
            period_end=period_end,
            due_at=due_at,
            state=DigestState.CLAIMED,
            claimed_by=instance_id,
            claim_expires_at=now + claim_ttl,
            attempts=1,
            message_ts=[],
            coverage={},
        )
        table = Digest.__table__
        new_id = self.session.scalar(
            self.insert_ignoring_conflict(table, column_values(candidate, table), ["one_on_one_id", "period_key"])
        )
        if new_id is None:
            new_id = self.session.scalar(
                update(Digest)
                .where(
                    Digest.one_on_one_id == one_on_one_id,
                    Digest.period_key == period_key,
                    Digest.state == DigestState.CLAIMED,
                    Digest.claim_expires_at <= now,
                )
                .values(claimed_by=instance_id, claim_expires_at=now + claim_ttl, attempts=Digest.attempts + 1)
                .returning(Digest.id),
                execution_options={"synchronize_session": False},
            )
            if new_id is None:
                return None
        return self.session.scalars(
            select(Digest).where(Digest.id == new_id).execution_options(populate_existing=True)
        ).one()

    def mark_sent(
        self,
        digest: Digest,
        *,
        channel_id: str,
        message_ts: Sequence[str],
        coverage: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        digest.state = DigestState.SENT
        digest.channel_id = channel_id
        digest.message_ts = list(message_ts)
        digest.coverage = dict(coverage or {})
        digest.sent_at = now or utcnow()
        digest.claim_expires_at = None
        digest.last_error = None
        self.session.flush()

    def mark_failed(self, digest: Digest, error: str, *, retry_at: datetime | None = None) -> None:
        """Record a failed send: claimable again from `retry_at`, or FAILED for good."""
        digest.last_error = error
        if retry_at is not None:
            digest.state, digest.claim_expires_at = DigestState.CLAIMED, retry_at
        else:
            digest.state, digest.claim_expires_at = DigestState.FAILED, None
        self.session.flush()

    def mark_skipped(self, digest: Digest, reason: str | None = None) -> None:
        digest.state, digest.claim_expires_at = DigestState.SKIPPED, None
        digest.last_error = reason
        self.session.flush()

    def last_sent_for(self, one_on_one_id: int) -> Digest | None:
        return self.session.scalar(
            select(Digest)
            .where(Digest.one_on_one_id == one_on_one_id, Digest.state == DigestState.SENT)
            .order_by(Digest.sent_at.desc(), Digest.id.desc())
            .limit(1)
        )

    def for_one_on_ones(self, one_on_one_ids: Sequence[int]) -> Sequence[Digest]:
        if not one_on_one_ids:
            return []
        return self.session.scalars(
            select(Digest).where(Digest.one_on_one_id.in_(one_on_one_ids)).order_by(Digest.due_at, Digest.id)
        ).all()

    def delete_for_one_on_ones(self, one_on_one_ids: Sequence[int]) -> int:
        if not one_on_one_ids:
            return 0
        result = self.session.execute(delete(Digest).where(Digest.one_on_one_id.in_(one_on_one_ids)))
        return result.rowcount or 0  # type: ignore[attr-defined]
