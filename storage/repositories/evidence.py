"""Evidence and its behaviour tags. Saving is idempotent on `source_key`: a retried Slack delivery
never stores the same thing twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, select, update
from sqlalchemy.orm import contains_eager, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from storage.clock import utcnow
from storage.models import Evidence, EvidenceSource, EvidenceTag
from storage.repositories._base import Repository, column_values

# Sources a person saved from Slack, who expects to be shown it was saved.
SLACK_SOURCES = (EvidenceSource.PROMPT_REPLY, EvidenceSource.MODAL, EvidenceSource.COMMAND, EvidenceSource.SHORTCUT)


class BehaviourCoverage(NamedTuple):
    count: int
    last_at: datetime | None


class _FrameworkLike(Protocol):
    id: str
    version: int


class _BehaviourLike(Protocol):
    id: str
    text: str
    area_id: str
    level_id: str


_tags = EvidenceTag.__table__


def _coverage_of(*conditions: ColumnElement[bool], keys: Sequence[str], since: bool = False) -> Select[Any]:
    """Per group of `keys` of the tags matching `conditions`: how many items show it (a tag is unique per
    item and behaviour) and the latest one's time. A tag counts when its item is not deleted (`item_at`
    is set) and, with `since`, saved at or after the `since` parameter; a tag the manager disputed
    ("doesn't show this") is shown, never counted.

    Read from ix_evidence_tags_person alone: it leads with the person, so no plan reads the ladder's tags
    of the whole organisation, and it holds every column read here, so no tag's item or row is looked up
    (one random read per tag before 0016: about 2,900 for a manager's Home). The item's time is copied
    onto its tags for that. tests/storage/test_query_plans.py checks the plans at a realistic size.
    """
    counted = [_tags.c.disputed_at.is_(None), _tags.c.item_at.is_not(None)]
    if since:
        counted.append(_tags.c.item_at >= bindparam("since"))
    groups = [_tags.c[key] for key in keys]
    return select(*groups, func.count(), func.max(_tags.c.item_at)).where(*conditions, *counted).group_by(*groups)


_persons_ladder = (_tags.c.person_id == bindparam("person_id"), _tags.c.framework_id == bindparam("framework_id"))
_wanted = _tags.c.behaviour_id.in_(bindparam("behaviour_ids", expanding=True))
# Built once: `/ladder me|next` and the App Home run this on every call, and building and keying an
# ORM statement each time cost several times what SQLite spends answering it.
_COVERAGE = _coverage_of(*_persons_ladder, _wanted, keys=("behaviour_id",))
_COVERAGE_SINCE = _coverage_of(*_persons_ladder, _wanted, keys=("behaviour_id",), since=True)
# A digest's coverage: per behaviour of one ladder the person has evidence for, the items showing it
# and the latest one's time.
_BEHAVIOUR_STATS = _coverage_of(*_persons_ladder, keys=("behaviour_id",))
_FOR_PEOPLE_KEYS = ("person_id", "framework_id", "behaviour_id")


class EvidenceRepository(Repository):
    def get(self, evidence_id: int) -> Evidence | None:
        return self.session.get(Evidence, evidence_id)

    def get_by_source_key(self, source_key: str) -> Evidence | None:
        return self.session.scalar(select(Evidence).where(Evidence.source_key == source_key))

    def add_once(
        self,
        *,
        person_id: int,
        text: str,
        source: EvidenceSource,
        source_key: str | None = None,
        link: str | None = None,
        prompt_id: int | None = None,
        author_slack_id: str | None = None,
        to_discuss: bool = False,
        now: datetime | None = None,
    ) -> tuple[Evidence, bool]:
        """(evidence, created). With a `source_key` already stored, returns that row untouched, also when
        another transaction stored it concurrently (INSERT ... ON CONFLICT DO NOTHING).

        Raises FieldTooLong for text or a link over the limit; nothing is truncated.
        """
        candidate = Evidence(
            person_id=person_id,
            text=text,
            source=source,
            source_key=source_key,
            link=link,
            prompt_id=prompt_id,
            author_slack_id=author_slack_id,
            to_discuss=to_discuss,
            created_at=now or utcnow(),
        )
        if source_key is None:
            self.session.add(candidate)
            self.session.flush()
            return candidate, True
        table = Evidence.__table__
        new_id = self.session.scalar(
            self.insert_ignoring_conflict(table, column_values(candidate, table), ["source_key"])
        )
        evidence = self.get_by_source_key(source_key)
        assert evidence is not None
        return evidence, new_id is not None

    def tag(
        self,
        evidence: Evidence,
        *,
        framework_id: str,
        framework_version: int,
        behaviour_id: str,
        area_id: str,
        level_id: str,
        behaviour_text: str,
        now: datetime | None = None,
    ) -> EvidenceTag:
        """Tag evidence with a behaviour, snapshotting its text and the framework version; tagging the same
        behaviour again returns the existing tag (its snapshot is kept)."""
        for existing in evidence.tags:
            if existing.framework_id == framework_id and existing.behaviour_id == behaviour_id:
                return existing
        tag = EvidenceTag(
            person_id=evidence.person_id,
            framework_id=framework_id,
            framework_version=framework_version,
            behaviour_id=behaviour_id,
            area_id=area_id,
            level_id=level_id,
            behaviour_text=behaviour_text,
            created_at=now or utcnow(),
        )
        evidence.tags.append(tag)
        self.session.flush()
        return tag

    def tag_behaviour(
        self, evidence: Evidence, framework: _FrameworkLike, behaviour: _BehaviourLike, now: datetime | None = None
    ) -> EvidenceTag:
        """`tag` from a loaded framework and one of its behaviours."""
        return self.tag(
            evidence,
            framework_id=framework.id,
            framework_version=framework.version,
            behaviour_id=behaviour.id,
            area_id=behaviour.area_id,
            level_id=behaviour.level_id,
            behaviour_text=behaviour.text,
            now=now,
        )

    def untag(self, evidence: Evidence, framework_id: str, behaviour_id: str) -> bool:
        for existing in list(evidence.tags):
            if existing.framework_id == framework_id and existing.behaviour_id == behaviour_id:
                evidence.tags.remove(existing)
                self.session.flush()
                return True
        return False

    def dispute_tag(self, tag_id: int, *, by_id: int, comment: str | None, now: datetime) -> bool:
        """Mark a tag disputed (compare-and-set: only an undisputed tag changes); False if it already was."""
        result = self.session.execute(
            update(EvidenceTag)
            .where(EvidenceTag.id == tag_id, EvidenceTag.disputed_at.is_(None))
            .values(disputed_at=now, disputed_by_id=by_id, dispute_comment=comment)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    def disputed_for(
        self, person_id: int, framework_id: str | None = None, *, since: datetime | None = None
    ) -> list[tuple[Evidence, EvidenceTag]]:
        """The person's not-deleted evidence with a disputed tag, (item, tag), oldest dispute first; the
        items' tags are loaded too (two statements)."""
        query = (
            select(Evidence, EvidenceTag)
            .join(EvidenceTag, EvidenceTag.evidence_id == Evidence.id)
            .options(lazyload(Evidence.tags))
            .where(EvidenceTag.person_id == person_id, EvidenceTag.disputed_at.is_not(None))
            .where(Evidence.deleted_at.is_(None))
        )
        if framework_id is not None:
            query = query.where(EvidenceTag.framework_id == framework_id)
        if since is not None:
            query = query.where(EvidenceTag.disputed_at >= since)
        rows = [
            (evidence, tag)
            for evidence, tag in self.session.execute(query.order_by(EvidenceTag.disputed_at, EvidenceTag.id))
        ]
        self._load_tags(person_id, [evidence for evidence, _ in rows])
        return rows

    def for_person_since(self, person_id: int, since: datetime, until: datetime | None = None) -> Sequence[Evidence]:
        """Not-deleted evidence created in [since, until), oldest first, tags loaded (two statements)."""
        items = self.session.scalars(
            self._since(person_id, since, until)
            .options(lazyload(Evidence.tags))
            .order_by(Evidence.created_at, Evidence.id)
        ).all()
        return self._load_tags(person_id, items)

    def grouped_by_behaviour(
        self, person_id: int, since: datetime, until: datetime | None = None
    ) -> dict[tuple[str, str], list[Evidence]]:
        """(framework id, behaviour id) -> evidence showing it, oldest first. Untagged evidence is absent;
        an item tagged with two behaviours appears under both."""
        grouped: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
        for evidence in self.for_person_since(person_id, since, until):
            for tag in evidence.tags:
                grouped[(tag.framework_id, tag.behaviour_id)].append(evidence)
        return dict(grouped)

    def coverage(
        self,
        person_id: int,
        framework_id: str,
        behaviour_ids: Iterable[str],
        since: datetime | None = None,
    ) -> dict[str, BehaviourCoverage]:
        """behaviour id -> (how many not-deleted items show it, the latest one's time), in one query.
        Every requested behaviour is in the result; one with no evidence is (0, None)."""
        wanted = list(dict.fromkeys(behaviour_ids))
        result = {behaviour_id: BehaviourCoverage(0, None) for behaviour_id in wanted}
        if not wanted:
            return result
        params: dict[str, object] = {"person_id": person_id, "framework_id": framework_id, "behaviour_ids": wanted}
        query = _COVERAGE
        if since is not None:
            query, params["since"] = _COVERAGE_SINCE, since
        for behaviour_id, count, last_at in self.session.execute(query, params):
            result[behaviour_id] = BehaviourCoverage(int(count), last_at)
        return result

    def behaviour_stats(self, person_id: int, framework_id: str) -> dict[str, BehaviourCoverage]:
        """behaviour id -> (not-deleted items showing it, the latest one's time), for every behaviour of
        this ladder the person has evidence for. One statement over the person's own tags (no list of
        behaviour ids to match), so its cost follows their evidence, not the whole organisation's."""
        params = {"person_id": person_id, "framework_id": framework_id}
        return {
            behaviour_id: BehaviourCoverage(int(count), last_at)
            for behaviour_id, count, last_at in self.session.execute(_BEHAVIOUR_STATS, params)
        }

    def with_tags(
        self,
        person_id: int,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        to_discuss_only: bool = False,
    ) -> list[Evidence]:
        """Not-deleted evidence created in [since, until), oldest first, tags loaded by a join: one
        statement whatever the amount of evidence (digests and promotion packets rely on that)."""
        query = (
            select(Evidence)
            .outerjoin(Evidence.tags)
            .options(contains_eager(Evidence.tags))
            .where(Evidence.person_id == person_id, Evidence.deleted_at.is_(None))
        )
        if since is not None:
            query = query.where(Evidence.created_at >= since)
        if until is not None:
            query = query.where(Evidence.created_at < until)
        if to_discuss_only:
            query = query.where(Evidence.to_discuss.is_(True))
        query = query.order_by(Evidence.created_at, Evidence.id, EvidenceTag.id)
        return list(self.session.scalars(query).unique())

    def clear_to_discuss(self, evidence_ids: Sequence[int]) -> int:
        """Unflag items once a digest delivered them to the manager; returns how many changed."""
        if not evidence_ids:
            return 0
        result = self.session.execute(
            update(Evidence)
            .where(Evidence.id.in_(list(evidence_ids)), Evidence.to_discuss.is_(True))
            .values(to_discuss=False)
        )
        return result.rowcount or 0  # type: ignore[attr-defined]

    def coverage_for_people(self, person_ids: Iterable[int]) -> dict[int, dict[tuple[str, str], BehaviourCoverage]]:
        """person id -> (framework id, behaviour id) -> coverage, for many people in one query (the tick
        picks each due person's next behaviour from this). People without evidence map to {}."""
        wanted = list(dict.fromkeys(person_ids))
        result: dict[int, dict[tuple[str, str], BehaviourCoverage]] = {person_id: {} for person_id in wanted}
        if not wanted:
            return result
        rows = self.session.execute(_coverage_of(_tags.c.person_id.in_(wanted), keys=_FOR_PEOPLE_KEYS))
        for person_id, framework_id, behaviour_id, count, last_at in rows:
            result[person_id][(framework_id, behaviour_id)] = BehaviourCoverage(int(count), last_at)
        return result

    def latest_at_for_people(self, person_ids: Iterable[int], *, until: datetime | None = None) -> dict[int, datetime]:
        """person id -> when their latest not-deleted item (saved at or before `until`) was saved, in one
        query (bot.services.last_evidence)."""
        wanted = list(dict.fromkeys(person_ids))
        if not wanted:
            return {}
        conditions = [Evidence.person_id.in_(wanted), Evidence.deleted_at.is_(None)]
        if until is not None:
            conditions.append(Evidence.created_at <= until)
        rows = self.session.execute(
            select(Evidence.person_id, func.max(Evidence.created_at)).where(*conditions).group_by(Evidence.person_id)
        )
        return {person_id: latest for person_id, latest in rows}

    def count_for_prompt(self, prompt_id: int) -> int:
        """Not-deleted items recorded as answers to one prompt."""
        return int(
            self.session.scalar(
                select(func.count(Evidence.id)).where(Evidence.prompt_id == prompt_id, Evidence.deleted_at.is_(None))
            )
            or 0
        )

    def mark_confirmed(self, evidence_id: int, now: datetime) -> bool:
        """Record that the person was shown this evidence was saved; False if it already was (another
        delivery or instance confirmed it), so exactly one caller goes on to tell them."""
        result = self.session.execute(
            update(Evidence)
            .where(Evidence.id == evidence_id, Evidence.confirmed_at.is_(None))
            .values(confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    def unconfirmed(self, saved_after: datetime, saved_before: datetime, limit: int) -> Sequence[Evidence]:
        """Evidence saved from Slack between the two times and never confirmed, oldest first."""
        return self.session.scalars(
            select(Evidence)
            .where(
                Evidence.confirmed_at.is_(None),
                Evidence.created_at >= saved_after,
                Evidence.created_at < saved_before,
                Evidence.deleted_at.is_(None),
                Evidence.source.in_(SLACK_SOURCES),
                *self.in_scope(Evidence.person_id),
            )
            .order_by(Evidence.created_at, Evidence.id)
            .limit(limit)
        ).all()

    def set_link(self, evidence: Evidence, link: str | None) -> None:
        """Attach a link found after saving (e.g. a saved message's permalink). Raises FieldTooLong."""
        evidence.link = link
        self.session.flush()

    def recent(self, person_id: int, n: int) -> Sequence[Evidence]:
        """The person's `n` latest not-deleted items, newest first, tags loaded."""
        items = self.session.scalars(
            select(Evidence)
            .options(lazyload(Evidence.tags))
            .where(Evidence.person_id == person_id, Evidence.deleted_at.is_(None))
            .order_by(Evidence.created_at.desc(), Evidence.id.desc())
            .limit(n)
        ).all()
        return self._load_tags(person_id, items)

    def set_to_discuss(self, evidence: Evidence, to_discuss: bool) -> None:
        evidence.to_discuss = to_discuss
        self.session.flush()

    def soft_delete(self, evidence: Evidence, now: datetime | None = None) -> None:
        """Hide an item from every view; it stays until the person's data is deleted."""
        if evidence.deleted_at is None:
            evidence.deleted_at = now or utcnow()
            self.session.flush()

    def restore(self, evidence: Evidence) -> None:
        evidence.deleted_at = None
        self.session.flush()

    def all_for(self, person_id: int) -> Sequence[Evidence]:
        """Everything, soft-deleted included, oldest first (for the person's data export)."""
        return self.session.scalars(
            select(Evidence).where(Evidence.person_id == person_id).order_by(Evidence.created_at, Evidence.id)
        ).all()

    def delete_all_for(self, person_id: int) -> tuple[int, int]:
        """Hard-delete the person's evidence and its tags; returns (evidence count, tag count)."""
        tags = self.session.execute(delete(EvidenceTag).where(EvidenceTag.person_id == person_id))
        items = self.session.execute(delete(Evidence).where(Evidence.person_id == person_id))
        return items.rowcount or 0, tags.rowcount or 0  # type: ignore[attr-defined]

    def _load_tags(self, person_id: int, items: Sequence[Evidence]) -> Sequence[Evidence]:
        """Fill the items' tags in one statement through the person's tag index. The relationship's own
        `selectin` load (`evidence_id IN (...)`) is one too, but PostgreSQL without statistics
        estimated thousands of rows for it and started parallel workers: 20-40 ms instead of 0.1."""
        if not items:
            return items
        by_item: dict[int, list[EvidenceTag]] = defaultdict(list)
        for tag in self.session.scalars(
            select(EvidenceTag)
            .where(EvidenceTag.person_id == person_id, EvidenceTag.evidence_id.in_({item.id for item in items}))
            .order_by(EvidenceTag.id)
        ):
            by_item[tag.evidence_id].append(tag)
        for item in items:
            set_committed_value(item, "tags", by_item.get(item.id, []))
        return items

    def _since(self, person_id: int, since: datetime, until: datetime | None) -> Select[tuple[Evidence]]:
        query = select(Evidence).where(
            Evidence.person_id == person_id, Evidence.deleted_at.is_(None), Evidence.created_at >= since
        )
        if until is not None:
            query = query.where(Evidence.created_at < until)
        return query
