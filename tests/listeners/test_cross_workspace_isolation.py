"""Nothing of one workspace is visible from, or changed by, another.

Workspace A (the harness's team) has an engineer with evidence, a manager, a pending report, a check-in
and an on-demand digest: every message, Home and modal the bot showed them there is captured. Then
people of workspace B replay every one of those surfaces' buttons, selects and modal submissions, with
the very values and private metadata A's people were given, and run the commands that name A's people.
One of B's people has the same Slack user id as A's manager (as on Enterprise Grid, where user ids are
org-wide): being the same id in another workspace grants nothing. After each request, nothing B receives
may carry A's evidence, names or notes, and A's rows are unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery.tick import run_tick
from bot.testing.slack_requests import SlackRequests
from storage.models import Base, ManagerLinkStatus
from tests.listeners.harness import SIGNING_SECRET, Harness

T0 = datetime(2025, 3, 10, 9, 0)
OTHER_TEAM = "T0OTHER"
SECRETS = ("Zanzibar migration", "Quetzal", "Pemberton", "Orinoco")  # A's evidence, names, note


@pytest.fixture
def harness(harness_any: Harness) -> Harness:
    return harness_any


def _seed_workspace_a(a: Harness) -> None:
    a.set_now(T0)
    a.seed_person("UENG", name="Quetzal", manager="UMGR", weekday=0)
    a.seed_person("UNEW", name="Pemberton", manager="UMGR", manager_status=ManagerLinkStatus.PENDING)
    first = a.next_behaviour_ids("UENG")[0]
    a.add_evidence("UENG", "Led the Zanzibar migration", [first], created_at=T0 - timedelta(days=2))
    run_tick(a.deps, instance_id="a")  # consent DM for the pending link; the prompt when due
    a.set_now(T0 + timedelta(hours=2))
    run_tick(a.deps, instance_id="a")
    a.command("UENG", "checkin")
    a.command("UMGR", "digest <@UENG>")
    for user in ("UENG", "UMGR", "UNEW"):
        a.open_home(user)
    a.command("UENG", "log Orinoco rollout")  # opens the evidence modal with the text


def _surfaces(a: Harness) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(owner, message or view, is_view) for everything A's people were shown."""
    fake = a.fake
    for message in fake.messages():
        yield str(message.get("channel", "")), message, False
    for message in fake.ephemeral_messages():
        yield str(message.get("user") or message.get("target_user") or ""), message, False
    for user, view in fake.views_published.items():
        yield user, view, True
    for view in [*fake.opened_views, *fake.pushed_views]:
        yield "", view, True


def _elements(surface: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for block in surface.get("blocks") or []:
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id"):
                yield {**element, "_block_id": block.get("block_id")}


def _clicks(element: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The action payloads a click on this element could carry."""
    kind = element.get("type")
    if kind == "button":
        yield {"type": "button", "value": element.get("value", "")}
    elif kind in ("static_select", "radio_buttons", "overflow", "checkboxes"):
        for option in (element.get("options") or [])[:4]:
            if kind == "checkboxes":
                yield {"type": kind, "selected_options": [option]}
            else:
                yield {"type": kind, "selected_option": option}
    elif kind == "users_select":
        yield {"type": kind, "selected_user": "UENG"}
    elif kind == "datepicker":
        yield {"type": kind, "selected_date": "2025-03-20"}


def _snapshot(a: Harness) -> dict[str, list[tuple[str, ...]]]:
    """Every row that belongs to workspace A: its people, and rows pointing at them or at their rows."""
    owned: dict[str, set[Any]] = {}
    snapshot: dict[str, list[tuple[str, ...]]] = {}
    with a.db.engine.connect() as connection:
        workspace_id = connection.execute(
            select(Base.metadata.tables["workspaces"].c.id).where(
                Base.metadata.tables["workspaces"].c.team_id == a.team_id
            )
        ).scalar_one()
        for table in Base.metadata.sorted_tables:  # parents before children
            rows = connection.execute(select(table)).mappings().all()
            mine = []
            for row in rows:
                if table.name == "workspaces":
                    keep = row["id"] == workspace_id
                elif "workspace_id" in row and table.name == "people":
                    keep = row["workspace_id"] == workspace_id
                else:
                    keep = any(
                        row[fk.parent.name] in owned.get(fk.column.table.name, set()) for fk in table.foreign_keys
                    )
                if keep:
                    mine.append(row)
            if "id" in table.c:
                owned[table.name] = {row["id"] for row in mine}
            snapshot[table.name] = sorted(tuple(str(value) for value in row.values()) for row in mine)
    return snapshot


def _everything_shown(harness: Harness) -> list[str]:
    """Every message, ephemeral, Home, modal and response_url post the fake holds, as JSON strings."""
    fake = harness.fake
    shown = [*fake.messages(), *fake.ephemeral_messages(), *fake.views_published.values()]
    shown += [*fake.opened_views, *fake.pushed_views, *fake.updated_views]
    shown += [post.body if hasattr(post, "body") else post for post in fake.response_url_posts]
    return [json.dumps(item, default=str, sort_keys=True) for item in shown]


def test_workspace_b_sees_and_changes_nothing_of_workspace_a(harness: Harness) -> None:
    a = harness
    _seed_workspace_a(a)
    surfaces = list(_surfaces(a))
    assert any(_elements(surface) for _, surface, _ in surfaces), "workspace A showed no buttons"
    b = replace(a, requests=SlackRequests(a.url, SIGNING_SECRET, a.fake, team_id=OTHER_TEAM), team_id=OTHER_TEAM)
    b.seed_person("UMGR", name="Bo")  # the same user id as A's manager, in another workspace
    b.seed_person("UBEE", name="Bea", manager="UMGR")
    attackers = ("UMGR", "UBEE")
    a_views = {view.get("id") for _, view, is_view in surfaces if is_view}
    before = _snapshot(a)
    shown_before = set(_everything_shown(a))
    a_before = {u: len(a.ephemerals(u)) for u in ("UENG", "UNEW")}

    replayed = 0
    for _, surface, is_view in surfaces:
        for element in _elements(surface):
            for click in _clicks(element):
                for attacker in attackers:
                    options: dict[str, Any] = {"view": surface} if is_view else {"message": surface}
                    b.requests.block_action(
                        attacker,
                        element["action_id"],
                        click.get("value"),
                        block_id=element["_block_id"],
                        action=click,
                        **options,
                    )
                    replayed += 1
        if is_view and surface.get("callback_id"):
            for attacker in attackers:
                b.requests.view_submission(
                    attacker,
                    surface["callback_id"],
                    {},
                    private_metadata=surface.get("private_metadata"),
                    view=surface,
                )
                replayed += 1
    for command in ("digest <@UENG>", "team", "checkin <@UENG>", "promote <@UENG>", "me", "1on1 <@UENG>"):
        for attacker in attackers:
            b.requests.slash_command(attacker, command)
            replayed += 1
    b.settle()

    assert replayed > 40
    # A's people (and A's UMGR, whose DM is the same channel in the fake) were shown these before B's
    # requests; anything new since is what B's requests produced.
    new = "\n".join(sorted(set(_everything_shown(b)) - shown_before))
    leaked = [secret for secret in SECRETS if secret in new]
    assert not leaked, f"workspace B was shown {leaked}"
    assert _snapshot(a) == before
    assert not a.executor.escaped and not a.fake.internal_errors
    # A's engineer was told nothing about B's clicks either.
    assert {u: len(a.ephemerals(u)) for u in ("UENG", "UNEW")} == a_before
    updated = [v for v in a.fake.updated_views if v.get("id") in a_views]
    assert not [v for v in updated if any(s in json.dumps(v) for s in ("Bo", "Bea"))]
