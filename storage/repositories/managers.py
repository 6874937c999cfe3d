"""Who manages whom. A link starts PENDING and becomes ACTIVE only with the report's consent.

A person has at most one ACTIVE manager (a partial unique index enforces it); ended and declined links
are kept as history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import or_, select, update

from storage.clock import utcnow
from storage.models import ManagerLink, ManagerLinkStatus, Person
from storage.repositories._base import Repository

OPEN_STATUSES = (ManagerLinkStatus.PENDING, ManagerLinkStatus.ACTIVE)


class ManagerLinkRepository(Repository):
    def get(self, link_id: int) -> ManagerLink | None:
        return self.session.get(ManagerLink, link_id)

    def active_link_of(self, person_id: int) -> ManagerLink | None:
        return self.session.scalar(
            select(ManagerLink).where(
                ManagerLink.person_id == person_id, ManagerLink.status == ManagerLinkStatus.ACTIVE
            )
        )

    def active_manager_of(self, person_id: int) -> Person | None:
        link = self.active_link_of(person_id)
        return link.manager if link is not None else None

    def open_links_of_many(self, person_ids: Sequence[int]) -> Sequence[ManagerLink]:
        """Pending and active links where these people are the report, in one query, oldest first."""
        if not person_ids:
            return []
        return self.session.scalars(
            select(ManagerLink)
            .where(ManagerLink.person_id.in_(list(person_ids)), ManagerLink.status.in_(OPEN_STATUSES))
            .order_by(ManagerLink.created_at, ManagerLink.id)
        ).all()

    def pending_for(self, person_id: int) -> Sequence[ManagerLink]:
        """Links waiting for this person's consent, newest first."""
        return self.session.scalars(
            select(ManagerLink)
            .where(ManagerLink.person_id == person_id, ManagerLink.status == ManagerLinkStatus.PENDING)
            .order_by(ManagerLink.created_at.desc(), ManagerLink.id.desc())
        ).all()

    def reports_of(
        self, manager_id: int, statuses: Iterable[ManagerLinkStatus] = (ManagerLinkStatus.ACTIVE,)
    ) -> Sequence[ManagerLink]:
        """The manager's links in these states; each link has `.person` (the report) loaded."""
        return self.session.scalars(
            select(ManagerLink)
            .where(ManagerLink.manager_id == manager_id, ManagerLink.status.in_(list(statuses)))
            .order_by(ManagerLink.created_at, ManagerLink.id)
        ).all()

    def latest_between(self, person_id: int, manager_id: int) -> ManagerLink | None:
        return self.session.scalar(
            select(ManagerLink)
            .where(ManagerLink.person_id == person_id, ManagerLink.manager_id == manager_id)
            .order_by(ManagerLink.created_at.desc(), ManagerLink.id.desc())
            .limit(1)
        )

    def history_for(self, person_id: int) -> Sequence[ManagerLink]:
        """Every link where the person is the report or the manager, oldest first."""
        return self.session.scalars(
            select(ManagerLink)
            .where(or_(ManagerLink.person_id == person_id, ManagerLink.manager_id == person_id))
            .order_by(ManagerLink.created_at, ManagerLink.id)
        ).all()

    def request(
        self,
        person_id: int,
        manager_id: int,
        *,
        requested_by_id: int | None = None,
        now: datetime | None = None,
    ) -> ManagerLink:
        """Ask `person_id` to accept `manager_id`. An open link to the same manager is returned as is;
        other pending requests for the person are superseded (ENDED). The active link, if any, stays
        until the new one is accepted."""
        if person_id == manager_id:
            raise ValueError("a person cannot be their own manager")
        now = now or utcnow()
        for link in self._open_links(person_id):
            if link.manager_id == manager_id:
                return link
            if link.status is ManagerLinkStatus.PENDING:
                link.status, link.ended_at = ManagerLinkStatus.ENDED, now
        link = ManagerLink(
            person_id=person_id,
            manager_id=manager_id,
            status=ManagerLinkStatus.PENDING,
            requested_by_id=requested_by_id,
            created_at=now,
        )
        self.session.add(link)
        self.session.flush()
        return link

    def request_many(self, pairs: Sequence[tuple[int, int]], *, now: datetime) -> None:
        """`request` for (person id, manager id) pairs where the person has no open link yet (people a first
        import just added): each a PENDING request, in a statement per batch."""
        for person_id, manager_id in pairs:
            if person_id == manager_id:
                raise ValueError("a person cannot be their own manager")
        links = [
            {"person_id": person_id, "manager_id": manager_id, "status": ManagerLinkStatus.PENDING, "created_at": now}
            for person_id, manager_id in pairs
        ]
        self.insert_many(ManagerLink, links)

    def accept(self, link: ManagerLink, now: datetime | None = None) -> ManagerLink:
        """The report consents: this link becomes ACTIVE and any previous active link ends."""
        now = now or utcnow()
        if link.status is ManagerLinkStatus.ACTIVE:
            return link
        if link.status is not ManagerLinkStatus.PENDING:
            raise ValueError(f"only a pending link can be accepted; this one is {link.status.value}")
        previous = self.active_link_of(link.person_id)
        if previous is not None:
            previous.status, previous.ended_at = ManagerLinkStatus.ENDED, now
            self.session.flush()  # the partial unique index allows one active link at a time
        link.status, link.decided_at = ManagerLinkStatus.ACTIVE, now
        self.session.flush()
        return link

    def decline(self, link: ManagerLink, now: datetime | None = None) -> ManagerLink:
        if link.status is not ManagerLinkStatus.PENDING:
            raise ValueError(f"only a pending link can be declined; this one is {link.status.value}")
        link.status, link.decided_at = ManagerLinkStatus.DECLINED, now or utcnow()
        self.session.flush()
        return link

    def end(self, link: ManagerLink, now: datetime | None = None) -> ManagerLink:
        """Either side ends the relationship; the link stays as history."""
        if link.status in OPEN_STATUSES:
            link.status, link.ended_at = ManagerLinkStatus.ENDED, now or utcnow()
            self.session.flush()
        return link

    def end_all_involving(self, person_id: int, now: datetime | None = None) -> int:
        """End every open link where the person is the report or the manager; returns how many."""
        now = now or utcnow()
        links = self.session.scalars(
            select(ManagerLink).where(
                or_(ManagerLink.person_id == person_id, ManagerLink.manager_id == person_id),
                ManagerLink.status.in_(OPEN_STATUSES),
            )
        ).all()
        for link in links:
            link.status, link.ended_at = ManagerLinkStatus.ENDED, now
        self.session.flush()
        return len(links)

    def pending_without_notice(self, limit: int = 100) -> list[int]:
        """Ids of pending links whose report has not been sent the consent DM yet, oldest first."""
        return list(
            self.session.scalars(
                select(ManagerLink.id)
                .where(
                    ManagerLink.status == ManagerLinkStatus.PENDING,
                    ManagerLink.notified_at.is_(None),
                    *self.in_scope(ManagerLink.person_id),
                )
                .order_by(ManagerLink.created_at, ManagerLink.id)
                .limit(limit)
            )
        )

    def claim_consent_notice(self, link_id: int, now: datetime) -> bool:
        """Mark the consent DM as being sent, only if nobody did (compare-and-set): True for the winner."""
        result = self.session.execute(
            update(ManagerLink)
            .where(
                ManagerLink.id == link_id,
                ManagerLink.status == ManagerLinkStatus.PENDING,
                ManagerLink.notified_at.is_(None),
            )
            .values(notified_at=now),
            execution_options={"synchronize_session": False},
        )
        return (result.rowcount or 0) == 1  # type: ignore[attr-defined]

    def release_consent_notice(self, link_id: int) -> None:
        """The DM failed: let a later tick try again."""
        self.session.execute(
            update(ManagerLink).where(ManagerLink.id == link_id).values(notified_at=None),
            execution_options={"synchronize_session": False},
        )

    def _open_links(self, person_id: int) -> Sequence[ManagerLink]:
        return self.session.scalars(
            select(ManagerLink).where(ManagerLink.person_id == person_id, ManagerLink.status.in_(OPEN_STATUSES))
        ).all()
