"""Prompts: one per person per slot (idempotency key), claimed row by row so instances never double-send."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, bindparam, case, delete, false, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.clock import utcnow
from storage.models import MAX_NAME, Prompt, PromptState, check_length
from storage.repositories._base import Repository, column_values

CLAIM_EXPIRED = "claim expired: its instance stopped before recording the outcome"


class SentRow(NamedTuple):
    """One prompt that reached Slack, for `record_sent_many`."""

    prompt_id: int
    channel_id: str
    message_ts: str


class PromptActivityRow(NamedTuple):
    asked: int
    answered: int
    last_answer_at: datetime | None
    away: int  # skipped because the person was away


class PromptRepository(Repository):
    def get(self, prompt_id: int) -> Prompt | None:
        return self.session.get(Prompt, prompt_id)

    def get_by_key(self, idempotency_key: str) -> Prompt | None:
        return self.session.scalar(select(Prompt).where(Prompt.idempotency_key == idempotency_key))

    def add_if_absent(
        self,
        *,
        person_id: int,
        idempotency_key: str,
        framework_id: str,
        behaviour_ids: Sequence[str],
        due_at: datetime,
        state: PromptState = PromptState.DUE,
        skip_reason: str | None = None,
        now: datetime | None = None,
    ) -> tuple[Prompt, bool]:
        """(prompt, created): the prompt for this slot, inserted unless one exists (even from another
        instance in a concurrent transaction: INSERT ... ON CONFLICT DO NOTHING)."""
        candidate = Prompt(
            person_id=person_id,
            idempotency_key=idempotency_key,
            framework_id=framework_id,
            behaviour_ids=list(behaviour_ids),
            due_at=due_at,
            state=state,
            skip_reason=skip_reason,
            created_at=now or utcnow(),
        )
        table = Prompt.__table__
        new_id = self.session.scalar(
            self.insert_ignoring_conflict(table, column_values(candidate, table), ["idempotency_key"])
        )
        prompt = self.get_by_key(idempotency_key)
        assert prompt is not None
        return prompt, new_id is not None

    def count_due(self, now: datetime) -> int:
        """How many prompts `claim_due` would hand out at `now` (the tick plans its sends with it)."""
        return int(
            self.session.scalar(
                select(func.count()).select_from(Prompt).where(_claimable(now), *self.in_scope(Prompt.person_id))
            )
            or 0
        )

    def claim_due(
        self, now: datetime, instance_id: str, limit: int = 50, claim_ttl: timedelta = timedelta(minutes=5)
    ) -> list[Prompt]:
        """Claim up to `limit` prompts that are due (or whose earlier claim expired), earliest first.

        PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent instances take disjoint rows.
        SQLite: one UPDATE ... WHERE id IN (SELECT ...) RETURNING, atomic under SQLite's single writer.
        Each claim counts as an attempt. The caller commits, sends, then marks each prompt in a new
        unit of work; a claim not marked before `claim_ttl` passes is taken again by the next tick.
        """
        check_length("instance_id", instance_id, MAX_NAME)
        claimable = _claimable(now)
        candidates = (
            select(Prompt.id)
            .where(claimable, *self.in_scope(Prompt.person_id))
            .order_by(Prompt.due_at, Prompt.id)
            .limit(limit)
        )
        claim = update(Prompt).values(
            state=PromptState.CLAIMED,
            claimed_by=instance_id,
            claim_expires_at=now + claim_ttl,
            attempts=Prompt.attempts + 1,
            # SET reads the row as it was: a prompt still CLAIMED here lost its instance mid-send.
            last_error=case((Prompt.state == PromptState.CLAIMED, CLAIM_EXPIRED), else_=Prompt.last_error),
        )
        ids = self.take_disjoint(candidates, claim, Prompt.id)
        if not ids:
            return []
        return list(
            self.session.scalars(
                select(Prompt)
                .where(Prompt.id.in_(ids))
                .order_by(Prompt.due_at, Prompt.id)
                .execution_options(populate_existing=True)
            )
        )

    def mark_sent(self, prompt: Prompt, *, channel_id: str, message_ts: str, now: datetime | None = None) -> None:
        prompt.state = PromptState.SENT
        prompt.channel_id, prompt.message_ts = channel_id, message_ts
        prompt.sent_at = now or utcnow()
        prompt.claim_expires_at = None
        prompt.last_error = None
        self.session.flush()

    def mark_failed(
        self,
        prompt: Prompt,
        error: str,
        *,
        now: datetime | None = None,
        retry_at: datetime | None = None,
        count_attempt: bool = True,
    ) -> None:
        """Record a failed send: back to DUE for another try at `retry_at`, or FAILED for good.
        `count_attempt=False` gives back the attempt the claim took (Slack refused: not the prompt's fault)."""
        prompt.last_error = error
        if not count_attempt:
            prompt.attempts = max(prompt.attempts - 1, 0)
        prompt.claim_expires_at = None
        if retry_at is not None:
            prompt.state, prompt.next_attempt_at = PromptState.DUE, retry_at
        else:
            prompt.state, prompt.next_attempt_at = PromptState.FAILED, None
        self.session.flush()

    def retime(self, prompt: Prompt, due_at: datetime) -> None:
        """Release a claimed prompt to be sent at `due_at` instead (the person moved time zone); the
        claim that found out does not count as an attempt."""
        prompt.state, prompt.due_at, prompt.next_attempt_at = PromptState.DUE, due_at, due_at
        prompt.claimed_by, prompt.claim_expires_at = None, None
        prompt.attempts = max(prompt.attempts - 1, 0)
        self.session.flush()

    def mark_answered(self, prompt: Prompt, now: datetime | None = None) -> None:
        """The person replied; a later reply keeps the first answer time."""
        prompt.state = PromptState.ANSWERED
        prompt.answered_at = prompt.answered_at or now or utcnow()
        self.session.flush()

    def mark_skipped(self, prompt: Prompt, reason: str, now: datetime | None = None) -> None:
        prompt.state, prompt.skip_reason = PromptState.SKIPPED, reason
        prompt.claim_expires_at = None
        self.session.flush()

    def mark_expired(self, prompt: Prompt) -> None:
        prompt.state = PromptState.EXPIRED
        prompt.claim_expires_at = None
        self.session.flush()

    def mark_reminded(self, prompt: Prompt, now: datetime | None = None) -> None:
        prompt.reminder_sent_at = now or utcnow()
        self.session.flush()

    def find_by_message(self, channel_id: str, message_ts: str) -> Prompt | None:
        """The prompt a Slack message is (a thread reply's `thread_ts` names its parent)."""
        return self.session.scalar(
            select(Prompt).where(Prompt.channel_id == channel_id, Prompt.message_ts == message_ts).limit(1)
        )

    def latest_sent_for(self, person_id: int) -> Prompt | None:
        """The most recent prompt the person received (sent or already answered)."""
        return self.session.scalar(
            select(Prompt)
            .where(
                Prompt.person_id == person_id,
                Prompt.state.in_((PromptState.SENT, PromptState.ANSWERED)),
            )
            .order_by(Prompt.due_at.desc(), Prompt.id.desc())
            .limit(1)
        )

    def last_prompts_for(self, person_id: int, n: int) -> Sequence[Prompt]:
        """The person's `n` latest prompts, newest first (for picking the next behaviour)."""
        return self.session.scalars(
            select(Prompt)
            .where(Prompt.person_id == person_id)
            .order_by(Prompt.due_at.desc(), Prompt.id.desc())
            .limit(n)
        ).all()

    def unanswered_needing_reminder(self, now: datetime, after: timedelta, limit: int = 500) -> Sequence[Prompt]:
        """Prompts sent at least `after` ago, still unanswered and not yet reminded, oldest first."""
        return self.session.scalars(
            select(Prompt)
            .where(
                Prompt.state == PromptState.SENT,
                Prompt.reminder_sent_at.is_(None),
                Prompt.sent_at <= now - after,
            )
            .order_by(Prompt.sent_at, Prompt.id)
            .limit(limit)
        ).all()

    def all_for(self, person_id: int) -> Sequence[Prompt]:
        return self.session.scalars(
            select(Prompt).where(Prompt.person_id == person_id).order_by(Prompt.due_at, Prompt.id)
        ).all()

    def activity(
        self,
        person_id: int,
        since: datetime,
        until: datetime,
        *,
        away_reasons: Sequence[str] = (),
        answer_skip_reasons: Sequence[str] = (),
    ) -> PromptActivityRow:
        """Prompts sent in [since, until), how many of those were answered, the latest answer before
        `until`, and the prompts due in [since, until) skipped with a reason starting with one of
        `away_reasons`, in one statement: the digest's response rate and away weeks.

        Answered is bot.services.backoff.answered in SQL: evidence came (`answered_at`), or the prompt
        was skipped with one of `answer_skip_reasons` (the person's own "nothing this week")."""
        in_period = and_(Prompt.sent_at >= since, Prompt.sent_at < until)
        answered_skip = and_(
            Prompt.state == PromptState.SKIPPED,
            Prompt.skip_reason.in_(list(answer_skip_reasons)) if answer_skip_reasons else false(),
        )
        is_answered = or_(Prompt.answered_at.is_not(None), answered_skip)
        away = and_(
            Prompt.state == PromptState.SKIPPED,
            Prompt.due_at >= since,
            Prompt.due_at < until,
            or_(false(), *(Prompt.skip_reason.startswith(prefix, autoescape=True) for prefix in away_reasons)),
        )
        asked, answered, last_answer_at, away_count = self.session.execute(
            select(
                func.coalesce(func.sum(case((in_period, 1), else_=0)), 0),
                func.coalesce(func.sum(case((and_(in_period, is_answered), 1), else_=0)), 0),
                func.max(case((Prompt.answered_at < until, Prompt.answered_at))),
                func.coalesce(func.sum(case((away, 1), else_=0)), 0),
            ).where(Prompt.person_id == person_id)
        ).one()
        return PromptActivityRow(int(asked), int(answered), last_answer_at, int(away_count))

    def delete_all_for(self, person_id: int) -> int:
        result = self.session.execute(delete(Prompt).where(Prompt.person_id == person_id))
        return result.rowcount or 0  # type: ignore[attr-defined]

    # ---- batch planning and reminders (the tick in bot/services/prompting.py) ----

    def add_many_if_absent(self, rows: Iterable[dict[str, Any]], now: datetime | None = None) -> set[str]:
        """Insert prompts (dicts of Prompt fields, each with an `idempotency_key`) unless their key exists;
        returns the keys inserted by this call. Several statements of at most 200 rows each."""
        table = Prompt.__table__
        values = []
        for row in rows:
            candidate = Prompt(**{"state": PromptState.DUE, "attempts": 0, "created_at": now or utcnow(), **row})
            values.append(column_values(candidate, table))
        # A multi-row VALUES needs the same columns in every row; unset ones are NULL.
        columns = {key for row in values for key in row}
        values = [{key: row.get(key) for key in columns} for row in values]
        created: set[str] = set()
        module = postgresql if self.dialect == "postgresql" else sqlite
        for start in range(0, len(values), 200):
            statement = (
                module.insert(table)
                .values(values[start : start + 200])
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
                .returning(table.c.idempotency_key)
            )
            created.update(self.session.scalars(statement))
        return created

    def recent_behaviours_for_many(self, person_ids: Iterable[int], n: int) -> dict[int, list[str | None]]:
        """person id -> the first behaviour id of each of their `n` latest delivered prompts, oldest first
        (None for a prompt without one). Everyone asked for is in the result."""
        wanted = list(dict.fromkeys(person_ids))
        result: dict[int, list[str | None]] = {person_id: [] for person_id in wanted}
        if not wanted:
            return result
        ranked = (
            select(
                Prompt.person_id,
                Prompt.behaviour_ids,
                func.row_number()
                .over(partition_by=Prompt.person_id, order_by=(Prompt.due_at.desc(), Prompt.id.desc()))
                .label("rank"),
            )
            .where(Prompt.person_id.in_(wanted), Prompt.sent_at.is_not(None))
            .subquery()
        )
        rows = self.session.execute(
            select(ranked.c.person_id, ranked.c.behaviour_ids)
            .where(ranked.c.rank <= n)
            .order_by(ranked.c.person_id, ranked.c.rank.desc())
        )
        for person_id, behaviour_ids in rows:
            result[person_id].append(behaviour_ids[0] if behaviour_ids else None)
        return result

    def delivered_for_many(self, person_ids: Iterable[int], n: int) -> dict[int, list[Prompt]]:
        """person id -> their `n` latest delivered prompts (sent at some point), newest first: the
        response rate and the back-off's unanswered streak. Everyone asked for is in the result."""
        wanted = list(dict.fromkeys(person_ids))
        result: dict[int, list[Prompt]] = {person_id: [] for person_id in wanted}
        if not wanted:
            return result
        ranked = (
            select(
                Prompt.id,
                func.row_number()
                .over(partition_by=Prompt.person_id, order_by=(Prompt.due_at.desc(), Prompt.id.desc()))
                .label("rank"),
            )
            .where(Prompt.person_id.in_(wanted), Prompt.sent_at.is_not(None))
            .subquery()
        )
        rows = self.session.scalars(
            select(Prompt)
            .join(ranked, ranked.c.id == Prompt.id)
            .where(ranked.c.rank <= n)
            .order_by(Prompt.person_id, ranked.c.rank)
            .execution_options(populate_existing=True)
        )
        for prompt in rows:
            result[prompt.person_id].append(prompt)
        return result

    def set_reminder(self, prompt: Prompt, remind_at: datetime | None) -> None:
        """For a SENT prompt, `next_attempt_at` is when its one reminder is due (None: no reminder).
        Setting a time (a snooze) allows a reminder again."""
        prompt.next_attempt_at = remind_at
        if remind_at is not None:
            prompt.reminder_sent_at = None
        self.session.flush()

    def reminders_due(self, now: datetime, horizon: timedelta, limit: int = 500) -> Sequence[Prompt]:
        """SENT prompts sent within `horizon` before now whose reminder time has come, oldest first.

        One range of ix_prompts_reminder_due (state, reminder_sent_at, next_attempt_at): only sent, not
        yet reminded prompts whose reminder time has come are read, however many are pending."""
        return self.session.scalars(
            select(Prompt)
            .where(
                Prompt.state == PromptState.SENT,
                Prompt.reminder_sent_at.is_(None),
                Prompt.sent_at >= now - horizon,
                Prompt.next_attempt_at <= now,
                *self.in_scope(Prompt.person_id),
            )
            .order_by(Prompt.next_attempt_at, Prompt.id)
            .limit(limit)
        ).all()

    def claim_reminder(self, prompt_id: int, now: datetime) -> bool:
        """Take the right to send this prompt's one reminder; False if another instance (or an answer)
        got there first. Marked before sending: a reminder is sent at most once, never twice."""
        result = self.session.execute(
            update(Prompt)
            .where(
                Prompt.id == prompt_id,
                Prompt.state == PromptState.SENT,
                Prompt.reminder_sent_at.is_(None),
                Prompt.next_attempt_at <= now,
            )
            .values(reminder_sent_at=now, next_attempt_at=None),
            execution_options={"synchronize_session": False},
        )
        return (result.rowcount or 0) == 1  # type: ignore[attr-defined]

    def release_reminder(self, prompt_id: int, retry_at: datetime) -> bool:
        """Give back a claimed reminder that certainly did not reach Slack, due again at `retry_at`;
        False if the prompt was answered (or closed) meanwhile."""
        result = self.session.execute(
            update(Prompt)
            .where(Prompt.id == prompt_id, Prompt.state == PromptState.SENT, Prompt.reminder_sent_at.is_not(None))
            .values(reminder_sent_at=None, next_attempt_at=retry_at),
            execution_options={"synchronize_session": False},
        )
        return (result.rowcount or 0) == 1  # type: ignore[attr-defined]

    def cancel_older_reminders(self, person_id: int, newer_prompt_id: int) -> int:
        """A newer prompt reached the person: older unanswered ones get no reminder."""
        result = self.session.execute(
            _OLDER_REMINDERS_CANCELLED,
            {"b_person": person_id, "b_id": newer_prompt_id},
            execution_options={"synchronize_session": False},
        )
        return result.rowcount or 0  # type: ignore[attr-defined]

    def cancel_reminders_for(self, person_id: int) -> int:
        """The person paused prompts: none of their open prompts gets a reminder."""
        result = self.session.execute(
            update(Prompt)
            .where(
                Prompt.person_id == person_id,
                Prompt.state == PromptState.SENT,
                Prompt.next_attempt_at.is_not(None),
            )
            .values(next_attempt_at=None),
            execution_options={"synchronize_session": "fetch"},
        )
        return result.rowcount or 0  # type: ignore[attr-defined]

    def latest_delivered_for(self, person_ids: Iterable[int]) -> dict[int, Prompt]:
        """person id -> their latest delivered prompt (people never prompted are absent): its DM channel
        spares the fan-out a conversations.open, and if still unanswered it is the one a new prompt closes."""
        wanted = list(dict.fromkeys(person_ids))
        if not wanted:
            return {}
        latest = (
            select(Prompt.person_id, func.max(Prompt.id).label("prompt_id"))
            .where(Prompt.person_id.in_(wanted), Prompt.channel_id.is_not(None))
            .group_by(Prompt.person_id)
            .subquery()
        )
        rows = self.session.scalars(
            select(Prompt)
            .join(latest, Prompt.id == latest.c.prompt_id)
            .execution_options(populate_existing=True)  # rows changed by bulk UPDATEs in this session
        )
        return {prompt.person_id: prompt for prompt in rows}

    def dm_channels_for(self, person_ids: Iterable[int]) -> dict[int, str]:
        """person id -> the DM channel their latest delivered prompt went to."""
        return {
            person_id: prompt.channel_id
            for person_id, prompt in self.latest_delivered_for(person_ids).items()
            if prompt.channel_id
        }

    def record_sent(
        self, prompt_id: int, *, channel_id: str, message_ts: str, now: datetime, remind_at: datetime | None
    ) -> bool:
        """`mark_sent` plus `set_reminder` by id (`record_sent_many` of one); False if the row is gone or
        no longer claimed. Older unanswered prompts of the person lose their reminder."""
        return prompt_id in self.record_sent_many([SentRow(prompt_id, channel_id, message_ts)], now, remind_at)

    def record_sent_many(self, sends: Sequence[SentRow], now: datetime, remind_at: datetime | None) -> set[int]:
        """`record_sent` for a batch of sends in three statements whatever their number (executemany):
        returns the ids recorded. A prompt no longer claimed (its claim expired and another attempt
        settled it) is left as it is, as in `record_sent`. The prompts the recorded ones replace get
        no reminder (and `PromptCloseRepository.mark_pending` takes their buttons off)."""
        if not sends:
            return set()
        table = Prompt.__table__
        self.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.state == PromptState.CLAIMED)
            .values(
                state=PromptState.SENT,
                channel_id=bindparam("b_channel"),
                message_ts=bindparam("b_ts"),
                sent_at=now,
                claim_expires_at=None,
                last_error=None,
                next_attempt_at=remind_at,
                reminder_sent_at=None,
            ),
            [{"b_id": send.prompt_id, "b_channel": send.channel_id, "b_ts": send.message_ts} for send in sends],
        )
        # Recorded: SENT now with this message (a row that was not claimed any more kept its own).
        wanted = {send.prompt_id: send.message_ts for send in sends}
        rows = self.session.execute(
            select(table.c.id, table.c.person_id, table.c.message_ts).where(
                table.c.id.in_(list(wanted)), table.c.state == PromptState.SENT
            )
        )
        newest: dict[int, int] = {}  # person id -> their newest prompt recorded here
        recorded = set()
        for prompt_id, person_id, message_ts in rows:
            if message_ts == wanted[prompt_id]:
                recorded.add(prompt_id)
                newest[person_id] = max(newest.get(person_id, prompt_id), prompt_id)
        if newest:  # `cancel_older_reminders` for each person, in one executemany
            self.session.execute(
                _OLDER_REMINDERS_CANCELLED,
                [{"b_person": person_id, "b_id": prompt_id} for person_id, prompt_id in newest.items()],
            )
        return recorded


# The person's (`b_person`) unanswered prompts other than `b_id`, the newer one, lose their reminder.
_OLDER_REMINDERS_CANCELLED = (
    update(Prompt.__table__)
    .where(
        Prompt.__table__.c.person_id == bindparam("b_person"),
        Prompt.__table__.c.id != bindparam("b_id"),
        Prompt.__table__.c.state == PromptState.SENT,
        Prompt.__table__.c.next_attempt_at.is_not(None),
    )
    .values(next_attempt_at=None)
)


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Due (and past any retry time), or claimed by an instance whose claim expired."""
    return or_(
        and_(
            Prompt.state == PromptState.DUE,
            Prompt.due_at <= now,
            or_(Prompt.next_attempt_at.is_(None), Prompt.next_attempt_at <= now),
        ),
        and_(Prompt.state == PromptState.CLAIMED, Prompt.claim_expires_at <= now),
    )
