from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import FieldTooLong, Person, Workspace
from tests.conftest import Database
from tests.storage.conftest import add_people


def test_workspace_get_or_create_is_idempotent(db: Database) -> None:
    with db.uow() as uow:
        first = uow.workspaces.get_or_create("T1", name="Acme")
        again = uow.workspaces.get_or_create("T1")
        assert first.id == again.id
    with db.uow() as uow:
        assert uow.workspaces.get_or_create("T1").name == "Acme"
        assert uow.workspaces.get_by_team("T2") is None
        assert [w.team_id for w in uow.workspaces.list_all()] == ["T1"]
        assert uow.session.scalar(select(func.count()).select_from(Workspace)) == 1


def test_person_lookups(db: Database) -> None:
    with db.uow() as uow:
        ada, bob = add_people(uow, "UADA", "UBOB")
        workspace_id = ada.workspace_id
        uow.people.add(uow.workspaces.get_or_create("T2").id, "UADA", email="Other@Example.com")
    with db.uow() as uow:
        assert uow.people.get(ada.id).slack_user_id == "UADA"
        assert uow.people.get_by_slack_id(workspace_id, "UBOB").id == bob.id
        assert uow.people.get_by_slack_id(workspace_id, "UNONE") is None
        assert uow.people.get_by_email("  UADA@example.COM ").id == ada.id
        assert uow.people.get_by_email("other@example.com", workspace_id=workspace_id) is None
        assert uow.people.get_by_email("OTHER@example.com") is not None
        assert len(uow.people.find_by_slack_id("UADA")) == 2


def test_emails_are_stored_lower_case(db: Database) -> None:
    with db.uow() as uow:
        workspace = uow.workspaces.get_or_create("T1")
        person = uow.people.add(workspace.id, "U1", email="Ada.Lovelace@Example.COM")
    assert person.email == "ada.lovelace@example.com"


def test_list_active_and_mark_inactive(db: Database) -> None:
    with db.uow() as uow:
        ada, bob, _cy = add_people(uow, "UADA", "UBOB", "UCY")
        uow.people.mark_inactive(bob, "deactivated in Slack")
    with db.uow() as uow:
        assert [p.slack_user_id for p in uow.people.list_active()] == ["UADA", "UCY"]
        assert [p.slack_user_id for p in uow.people.list_active(ada.workspace_id)] == ["UADA", "UCY"]
        bob = uow.people.get(bob.id)
        assert not bob.active and bob.inactive_reason == "deactivated in Slack"
        uow.people.reactivate(bob)
    with db.uow() as uow:
        assert len(uow.people.list_active()) == 3
        assert uow.people.get(bob.id).inactive_reason is None


def test_get_or_add_is_idempotent(db: Database) -> None:
    with db.uow() as uow:
        workspace = uow.workspaces.get_or_create("T1")
        person, created = uow.people.get_or_add(workspace.id, "U1", imported_name="Ada", tz="Europe/Paris")
        assert created and person.tz == "Europe/Paris" and person.active
        again, created_again = uow.people.get_or_add(workspace.id, "U1", imported_name="Other")
        assert not created_again and again.id == person.id and again.display_name == "Ada"
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Person)) == 1


def test_too_long_names_are_refused_not_truncated(db: Database) -> None:
    with pytest.raises(FieldTooLong) as raised, db.uow() as uow:
        workspace = uow.workspaces.get_or_create("T1")
        uow.people.add(workspace.id, "U1", imported_name="x" * 201)
    assert raised.value.field == "imported_name" and raised.value.limit == 200
    assert "201 characters" in str(raised.value)
    with pytest.raises(FieldTooLong), db.uow() as uow:
        workspace = uow.workspaces.get_or_create("T1")
        uow.people.get_or_add(workspace.id, "U" * 40)
    with pytest.raises(FieldTooLong), db.uow() as uow:
        uow.workspaces.get_or_create("T1", name="n" * 300)
    with db.uow() as uow:  # the failed units of work left nothing behind
        assert uow.session.scalar(select(func.count()).select_from(Workspace)) == 0
