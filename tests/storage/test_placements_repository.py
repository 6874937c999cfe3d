from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError

from storage.models import FieldTooLong, Placement
from storage.repositories.placements import CurrentPlacement
from tests.conftest import Database
from tests.storage.conftest import StatementCounter, add_people

T0 = datetime(2025, 1, 6, 9, 0)
T1 = datetime(2025, 7, 1, 9, 0)


def test_open_then_promotion_keeps_history(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        assert uow.placements.current_for(ada.id) is None
        first = uow.placements.open(ada.id, "vio-execution", {"delivery": "1", "quality": "1"}, reason="import", now=T0)
    with db.uow() as uow:
        promoted = uow.placements.open(
            ada.id, "vio-execution", {"delivery": "2", "quality": "1"}, track="ic", reason="promotion", now=T1
        )
    with db.uow() as uow:
        current = uow.placements.current_for(ada.id)
        assert current.id == promoted.id and current.levels == {"delivery": "2", "quality": "1"}
        assert current.track == "ic" and current.reason == "promotion" and current.ended_at is None
        history = uow.placements.history_for(ada.id)
        assert [p.id for p in history] == [first.id, promoted.id]
        assert history[0].ended_at == T1 and history[0].levels == {"delivery": "1", "quality": "1"}
        assert uow.placements.current_for_many([ada.id, 999]) == {ada.id: current}
        assert uow.placements.current_for_many([]) == {}


def test_close(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        placement = uow.placements.open(ada.id, "flow", {"flow": "P1"}, reason="setup", now=T0)
        uow.placements.close(placement, now=T1)
    with db.uow() as uow:
        assert uow.placements.current_for(ada.id) is None
        assert uow.placements.history_for(ada.id)[0].ended_at == T1


def test_database_refuses_two_open_placements(db: Database) -> None:
    with pytest.raises(IntegrityError), db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        uow.session.add(Placement(person_id=ada.id, framework_id="f", levels={}, reason="a"))
        uow.session.add(Placement(person_id=ada.id, framework_id="f", levels={}, reason="b"))
        uow.session.flush()


def test_long_reason_is_refused(db: Database) -> None:
    with pytest.raises(FieldTooLong), db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        uow.placements.open(ada.id, "flow", {"flow": "P1"}, reason="r" * 201)


def test_current_for_slack_user_reads_person_and_open_placement_in_one_statement(db: Database) -> None:
    with db.uow() as uow:
        ada, mia = add_people(uow, "UADA", "UMIA")
        (other_ada,) = add_people(uow, "UADA", team_id="T2")
        uow.placements.open(ada.id, "vio-execution", {"delivery": "1"}, reason="setup", now=T0)
        uow.placements.open(ada.id, "vio-execution", {"delivery": "2"}, track="ic", reason="promotion", now=T1)
        closed = uow.placements.open(mia.id, "flow", {"flow": "P1"}, reason="setup", now=T0)
        uow.placements.close(closed, now=T1)
        uow.placements.open(other_ada.id, "flow", {"flow": "P2"}, reason="setup", now=T0)
        ada_id = ada.id
    with db.uow() as uow, StatementCounter(db.engine) as counter:
        assert uow.placements.current_for_slack_user("T1", "UADA") == CurrentPlacement(
            ada_id, "Name UADA", "vio-execution", {"delivery": "2"}, "ic"
        )
        assert uow.placements.current_for_slack_user("T2", "UADA").framework_id == "flow"
        assert uow.placements.current_for_slack_user("T1", "UMIA") is None  # placement closed
        assert uow.placements.current_for_slack_user("T1", "UNOBODY") is None
        assert uow.placements.current_for_slack_user("T9", "UADA") is None
    assert len(counter.statements) == 5
