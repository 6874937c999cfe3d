from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError

from storage.models import ManagerLink, ManagerLinkStatus
from tests.conftest import Database
from tests.storage.conftest import add_people

NOW = datetime(2025, 3, 3, 10, 0)
LATER = datetime(2025, 4, 1, 10, 0)


def test_request_accept_and_reports(db: Database) -> None:
    with db.uow() as uow:
        ada, mia = add_people(uow, "UADA", "UMIA")
        link = uow.managers.request(ada.id, mia.id, requested_by_id=mia.id, now=NOW)
        assert link.status is ManagerLinkStatus.PENDING
        assert uow.managers.request(ada.id, mia.id) is link  # asking again changes nothing
        assert uow.managers.active_manager_of(ada.id) is None
        assert [p.id for p in uow.managers.pending_for(ada.id)] == [link.id]
        assert [lk.person.slack_user_id for lk in uow.managers.reports_of(mia.id, [ManagerLinkStatus.PENDING])] == [
            "UADA"
        ]
        assert uow.managers.reports_of(mia.id) == []
    with db.uow() as uow:
        link = uow.managers.get(link.id)
        uow.managers.accept(link, now=LATER)
    with db.uow() as uow:
        assert uow.managers.active_manager_of(ada.id).slack_user_id == "UMIA"
        link = uow.managers.active_link_of(ada.id)
        assert link.decided_at == LATER and link.manager.display_name == "Name UMIA"
        assert [lk.person.id for lk in uow.managers.reports_of(mia.id)] == [ada.id]
        assert uow.managers.pending_for(ada.id) == []


def test_new_manager_accepted_ends_the_old_one_and_keeps_history(db: Database) -> None:
    with db.uow() as uow:
        ada, mia, max_ = add_people(uow, "UADA", "UMIA", "UMAX")
        uow.managers.accept(uow.managers.request(ada.id, mia.id, now=NOW), now=NOW)
        new = uow.managers.request(ada.id, max_.id, now=LATER)
        # The active link stays until the report accepts the new one.
        assert uow.managers.active_manager_of(ada.id).id == mia.id
        uow.managers.accept(new, now=LATER)
    with db.uow() as uow:
        assert uow.managers.active_manager_of(ada.id).id == max_.id
        history = uow.managers.history_for(ada.id)
        assert [(lk.manager_id, lk.status) for lk in history] == [
            (mia.id, ManagerLinkStatus.ENDED),
            (max_.id, ManagerLinkStatus.ACTIVE),
        ]
        assert history[0].ended_at == LATER
        assert [lk.person_id for lk in uow.managers.history_for(mia.id)] == [ada.id]


def test_a_new_request_supersedes_a_pending_one(db: Database) -> None:
    with db.uow() as uow:
        ada, mia, max_ = add_people(uow, "UADA", "UMIA", "UMAX")
        first = uow.managers.request(ada.id, mia.id, now=NOW)
        second = uow.managers.request(ada.id, max_.id, now=LATER)
        assert first.status is ManagerLinkStatus.ENDED
        assert [lk.id for lk in uow.managers.pending_for(ada.id)] == [second.id]
        assert uow.managers.latest_between(ada.id, mia.id).id == first.id


def test_decline_and_end(db: Database) -> None:
    with db.uow() as uow:
        ada, mia = add_people(uow, "UADA", "UMIA")
        declined = uow.managers.decline(uow.managers.request(ada.id, mia.id, now=NOW), now=LATER)
        assert declined.status is ManagerLinkStatus.DECLINED and declined.decided_at == LATER
        with pytest.raises(ValueError, match="only a pending link"):
            uow.managers.accept(declined)
        link = uow.managers.accept(uow.managers.request(ada.id, mia.id, now=LATER))
        uow.managers.end(link, now=LATER)
        assert link.status is ManagerLinkStatus.ENDED and link.ended_at == LATER
        assert uow.managers.active_manager_of(ada.id) is None
        with pytest.raises(ValueError, match="only a pending link"):
            uow.managers.decline(link)


def test_end_all_involving(db: Database) -> None:
    with db.uow() as uow:
        ada, mia, bob = add_people(uow, "UADA", "UMIA", "UBOB")
        uow.managers.accept(uow.managers.request(ada.id, mia.id))
        uow.managers.request(mia.id, bob.id)
        uow.managers.request(bob.id, ada.id)
        assert uow.managers.end_all_involving(ada.id, now=LATER) == 2
        assert [lk.status for lk in uow.managers.history_for(mia.id)] == [
            ManagerLinkStatus.ENDED,
            ManagerLinkStatus.PENDING,
        ]


def test_self_management_is_refused(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        with pytest.raises(ValueError):
            uow.managers.request(ada.id, ada.id)


def test_database_refuses_two_active_managers(db: Database) -> None:
    with pytest.raises(IntegrityError), db.uow() as uow:
        ada, mia, max_ = add_people(uow, "UADA", "UMIA", "UMAX")
        for manager in (mia, max_):
            uow.session.add(ManagerLink(person_id=ada.id, manager_id=manager.id, status=ManagerLinkStatus.ACTIVE))
        uow.session.flush()
