from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.services.data_rights import (
    DELETED_REASON,
    EXPORT_FORMAT,
    DeletionReport,
    PersonNotFound,
    delete_person_data,
    export_person,
    find_person,
)
from storage.models import (
    AuditEntry,
    Digest,
    Evidence,
    EvidenceSource,
    EvidenceTag,
    FocusBehaviour,
    ManagerLinkStatus,
    Placement,
    Prompt,
    PromptSchedule,
)
from tests.conftest import Database

NOW = datetime(2025, 3, 3, 10, 0)


def _seed(db: Database) -> dict[str, int]:
    """Ada (report of Mia) with a placement history, a schedule, prompts, evidence, a 1:1 and a digest;
    Bob with evidence of his own that must survive Ada's deletion."""
    with db.uow() as uow:
        workspace = uow.workspaces.get_or_create("T1")
        ada = uow.people.add(workspace.id, "UADA", imported_name="Ada", email="ada@example.com", tz="Europe/Paris")
        mia = uow.people.add(workspace.id, "UMIA", imported_name="Mia")
        bob = uow.people.add(workspace.id, "UBOB", imported_name="Bob")
        uow.placements.open(ada.id, "vio-execution", {"delivery": "1"}, reason="import", now=NOW)
        uow.placements.open(ada.id, "vio-execution", {"delivery": "2"}, reason="promotion", now=NOW + timedelta(1))
        uow.managers.accept(uow.managers.request(ada.id, mia.id, now=NOW), now=NOW)
        uow.managers.request(bob.id, ada.id, now=NOW)  # Ada is named as Bob's manager
        uow.schedules.upsert(ada.id, weekday=0, local_time=time(10), next_due_at=NOW)
        prompt, _ = uow.prompts.add_if_absent(
            person_id=ada.id, idempotency_key="ada:1", framework_id="vio-execution", behaviour_ids=["d1"], due_at=NOW
        )
        uow.prompts.mark_sent(prompt, channel_id="DADA", message_ts="1.1", now=NOW)
        for i, text in enumerate(["Shipped <the thing> & more", "Ran the retro"]):
            evidence, _ = uow.evidence.add_once(
                person_id=ada.id,
                text=text,
                source=EvidenceSource.PROMPT_REPLY,
                source_key=f"T1:DADA:{i}",
                prompt_id=prompt.id,
                now=NOW + timedelta(hours=i),
            )
            uow.evidence.tag(
                evidence,
                framework_id="vio-execution",
                framework_version=1,
                behaviour_id="d1",
                area_id="delivery",
                level_id="2",
                behaviour_text="Delivers moderately complex features on time.",
            )
        uow.evidence.soft_delete(evidence, now=NOW + timedelta(days=2))
        bobs, _ = uow.evidence.add_once(person_id=bob.id, text="Bob's", source=EvidenceSource.COMMAND)
        one_on_one = uow.one_on_ones.add(mia.id, ada.id, weekday=1, local_time=time(14), now=NOW)
        digest = uow.digests.claim(
            one_on_one.id,
            "2025-03-04T13:00",
            period_start=NOW - timedelta(weeks=1),
            period_end=NOW,
            due_at=NOW,
            instance_id="a",
            now=NOW,
        )
        uow.digests.mark_sent(digest, channel_id="DMIA", message_ts=["9.9"], coverage={"delivery": 0.25}, now=NOW)
        uow.audit.record("UMIA", "viewed_evidence", "UADA", {"items": 2}, now=NOW)
        uow.focus.add_once(ada.id, "vio-execution", "d2", NOW + timedelta(days=1))
        uow.focus.add_once(bob.id, "vio-execution", "d2", NOW)  # Bob's own: survives Ada's deletion
        return {"ada": ada.id, "mia": mia.id, "bob": bob.id, "bobs_evidence": bobs.id, "one_on_one": one_on_one.id}


def _count(db: Database, model: type) -> int:
    with db.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def test_export_holds_everything_and_is_json(db: Database) -> None:
    ids = _seed(db)
    with db.uow() as uow:
        data = export_person(uow, uow.people.get(ids["ada"]), actor="UADA", now=NOW + timedelta(days=3))
    assert json.loads(json.dumps(data)) == data
    assert data["format"] == EXPORT_FORMAT and data["exported_at"] == "2025-03-06T10:00:00Z"
    assert data["person"]["slack_user_id"] == "UADA" and data["person"]["email"] == "ada@example.com"
    assert data["person"]["workspace_team_id"] == "T1"
    assert [(p["reason"], p["levels"]) for p in data["placements"]] == [
        ("import", {"delivery": "1"}),
        ("promotion", {"delivery": "2"}),
    ]
    assert [(link["role"], link["other_slack_id"], link["status"]) for link in data["manager_links"]] == [
        ("report", "UMIA", "active"),
        ("manager", "UBOB", "pending"),
    ]
    assert data["schedule"]["local_time"] == "10:00" and data["schedule"]["cadence"] == "weekly"
    assert [(p["state"], p["message_ts"]) for p in data["prompts"]] == [("sent", "1.1")]
    texts = [(e["text"], e["deleted_at"]) for e in data["evidence"]]
    assert texts == [("Shipped <the thing> & more", None), ("Ran the retro", "2025-03-05T10:00:00Z")]
    assert data["evidence"][0]["tags"][0]["behaviour_text"] == "Delivers moderately complex features on time."
    assert data["evidence"][0]["source"] == "prompt_reply"
    assert [(o["role"], o["other_slack_id"], o["local_time"]) for o in data["one_on_ones"]] == [
        ("report", "UMIA", "14:00")
    ]
    assert data["digests"][0]["coverage"] == {"delivery": 0.25}
    assert data["focus"] == [
        {"framework_id": "vio-execution", "behaviour_id": "d2", "created_at": "2025-03-04T10:00:00Z"}
    ]
    assert [(a["actor_slack_id"], a["action"]) for a in data["audit"]] == [("UMIA", "viewed_evidence")]
    with db.uow() as uow:
        (entry, _) = uow.audit.for_subject("UADA")
        assert (entry.actor_slack_id, entry.action) == ("UADA", "exported_person_data")


def test_a_managers_export_leaves_out_the_reports_coverage(db: Database) -> None:
    ids = _seed(db)
    with db.uow() as uow:
        data = export_person(uow, uow.people.get(ids["mia"]))
    assert data["evidence"] == [] and data["one_on_ones"][0]["role"] == "manager"
    assert "coverage" not in data["digests"][0]


def test_delete_removes_the_data_and_leaves_an_audit_record(db: Database) -> None:
    ids = _seed(db)
    with db.uow() as uow:
        report = delete_person_data(uow, uow.people.get(ids["ada"]), actor="UADMIN", now=NOW + timedelta(days=5))
    assert report == DeletionReport(
        evidence=2,
        tags=2,
        prompts=1,
        schedules=1,
        placements=2,
        digests=1,
        manager_links_ended=2,
        one_on_ones_ended=1,
        focus=1,
    )
    with db.uow() as uow:
        assert uow.session.scalars(select(Evidence.person_id)).all() == [ids["bob"]]
        assert uow.session.scalars(select(FocusBehaviour.person_id)).all() == [ids["bob"]]
        assert _count(db, EvidenceTag) == 0 and _count(db, Prompt) == 0 and _count(db, PromptSchedule) == 0
        assert _count(db, Placement) == 0 and _count(db, Digest) == 0
        ada = uow.people.get(ids["ada"])
        assert (ada.display_name, ada.email, ada.active, ada.inactive_reason) == (None, None, False, DELETED_REASON)
        assert uow.managers.active_manager_of(ids["ada"]) is None
        assert {link.status for link in uow.managers.history_for(ids["ada"])} == {ManagerLinkStatus.ENDED}
        assert not uow.one_on_ones.get(ids["one_on_one"]).active
        entry = uow.audit.for_subject("UADA")[0]
        assert (entry.actor_slack_id, entry.action, entry.workspace_team_id) == ("UADMIN", "deleted_person_data", "T1")
        assert entry.details == report.as_dict()
        # Counts only: nothing of the deleted content is in the audit log.
        rows = uow.session.scalars(select(AuditEntry)).all()
        assert "Shipped" not in json.dumps([r.details for r in rows])
        assert uow.people.list_active() and ids["ada"] not in {p.id for p in uow.people.list_active()}
    assert report.summary() == (
        "2 evidence items, 2 tags, 1 prompt, 1 schedule, 2 placements, 1 digest, 2 manager links ended, 1 1:1 ended, "
        "0 verdicts, 0 check-ins, 1 focus behaviour"
    )


def test_find_person(db: Database) -> None:
    ids = _seed(db)
    with db.uow() as uow:
        assert find_person(uow, str(ids["ada"])).slack_user_id == "UADA"
        assert find_person(uow, "ADA@example.com").id == ids["ada"]
        assert find_person(uow, "UMIA").id == ids["mia"]
        for ref in ("999", "nobody@example.com", "UNOBODY"):
            with pytest.raises(PersonNotFound):
                find_person(uow, ref)
        uow.people.add(uow.workspaces.get_or_create("T2").id, "UMIA")
        with pytest.raises(PersonNotFound, match="several workspaces"):
            find_person(uow, "UMIA")
