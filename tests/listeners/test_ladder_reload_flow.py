"""End to end: a ladder file replaced on disk while people use it (issue 14). Nothing anyone has is lost:
evidence on a removed behaviour shows as a retired behaviour on Home, and a person placed on a removed
level keeps working (`/ladder me`, Home, the prompt tick, the digest) and is told what happened."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery.digests import tick_digests
from bot.delivery.tick import run_tick
from bot.scheduler import tick as scheduler_tick
from bot.services import prompt_controls
from frameworks import LibraryHolder
from tests.conftest import Database
from tests.listeners.harness import Harness, message_text, start_harness

LADDER_ID = "reload-ladder"
GONE = "delivery-2-02"
GONE_TEXT = "Flags risks to the plan early."
SET_UP_AT = datetime(2025, 3, 19, 12, 0)  # Wednesday
SLOT = datetime(2025, 3, 24, 9, 0)  # Monday 10:00 CET


def ladder_yaml(
    levels: Sequence[str] = ("1", "2", "3"), *, drop: Sequence[str] = (), tracks: Sequence[str] = ()
) -> str:
    """A two-area ladder with these levels; `drop` leaves those behaviour ids out; each of `tracks` adds
    a track with one behaviour of its own per delivery level."""
    texts = {
        "delivery": ["Ships small changes safely.", GONE_TEXT],
        "quality": ["Writes tests for the code they change.", "Fixes flaky tests."],
    }
    lines = [f"id: {LADDER_ID}", "name: Reload Ladder", "version: 1", "levels:"]
    lines += [f'  - {{id: "{lv}", name: Level {lv}}}' for lv in levels]
    if tracks:
        lines.append("tracks:")
        lines += [f"  - {{id: {track}, name: {track.title()}}}" for track in tracks]
    lines.append("areas:")
    for area, behaviours in texts.items():
        lines += [f"  - id: {area}", f"    name: {area.title()}", "    cells:"]
        for lv in levels:
            lines += [f'      - level: "{lv}"', "        behaviours:"]
            for n, text in enumerate(behaviours, start=1):
                behaviour_id = f"{area}-{lv}-{n:02d}"
                if behaviour_id not in drop:
                    lines.append(f"          - {{id: {behaviour_id}, text: Level {lv} {text}}}")
            if area == "delivery":
                for track in tracks:
                    behaviour = f"id: delivery-{lv}-{track}, text: Level {lv} {track} work., track: {track}"
                    lines.append(f"          - {{{behaviour}}}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def ladder_dir(tmp_path: Path) -> Path:
    (tmp_path / "reload.yaml").write_text(ladder_yaml(), encoding="utf-8")
    return tmp_path


@pytest.fixture
def reloading(sqlite_db: Database, ladder_dir: Path) -> Iterator[Harness]:
    with start_harness(sqlite_db, ladders=LibraryHolder([ladder_dir])) as running:
        yield running


def replace_ladder(harness: Harness, ladder_dir: Path, text: str) -> None:
    """Replace the file and let the scheduler's tick reload it, as in production."""
    (ladder_dir / "reload.yaml").write_text(text, encoding="utf-8")
    before = harness.deps.library
    scheduler_tick(harness.deps)
    assert harness.deps.library is not before


def test_a_retired_behaviour_shows_on_home_with_its_snapshot_after_the_file_is_replaced(
    reloading: Harness, ladder_dir: Path
) -> None:
    harness = reloading
    harness.set_now(SET_UP_AT)
    harness.seed_person("UREP", framework_id=LADDER_ID, level="1")
    harness.add_evidence("UREP", "Raised the migration risk in planning", [GONE], created_at=SET_UP_AT)
    harness.open_home("UREP")
    assert f"Level 2 {GONE_TEXT}" in harness.home_text("UREP")
    assert "retired behaviour" not in harness.home_text("UREP")

    replace_ladder(harness, ladder_dir, ladder_yaml(drop=[GONE]))
    harness.open_home("UREP")
    text = harness.home_text("UREP")
    assert "Raised the migration risk in planning" in text
    assert f"Level 2 {GONE_TEXT} (retired behaviour)" in text


def seed_on_level_2(harness: Harness, ladder_dir: Path) -> int:
    harness.set_now(SET_UP_AT)
    person_id = harness.seed_person("UREP", framework_id=LADDER_ID, level="2", manager="UMGR")
    with harness.deps.uow() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        prompt_controls.resume(uow, person, SET_UP_AT)
    replace_ladder(harness, ladder_dir, ladder_yaml(("1", "3")))
    return person_id


def test_ladder_me_and_home_tell_a_person_their_level_is_gone(reloading: Harness, ladder_dir: Path) -> None:
    harness = reloading
    seed_on_level_2(harness, ladder_dir)
    harness.command("UREP", "me")
    text = harness.last_ephemeral_text("UREP")
    assert "Your level 2 in Delivery and Quality is no longer on the ladder" in text, text
    assert "/ladder setup" in text

    harness.open_home("UREP")
    home = harness.home_text("UREP")
    assert "Your level 2 in Delivery and Quality is no longer on the ladder" in home, home


def test_the_prompt_tick_and_the_digest_work_for_a_person_on_a_removed_level(
    reloading: Harness, ladder_dir: Path
) -> None:
    harness = reloading
    seed_on_level_2(harness, ladder_dir)
    harness.command("UMGR", "1on1 <@UREP|urep> monday 10:00")
    assert "1:1 with" in harness.last_ephemeral_text("UMGR"), harness.last_ephemeral_text("UMGR")
    report = tick_digests(harness.deps, SLOT - timedelta(hours=2))
    assert report.sent == 1, report
    digest = harness.fake.messages(harness.fake.dm_channel_for("UMGR"))[-1]
    assert "level 2 in Delivery and Quality is no longer on the ladder" in message_text(digest), message_text(digest)

    harness.set_now(SLOT)
    counts = dict(run_tick(harness.deps, instance_id="e2e").counts)
    assert counts.get("sent") == 1, counts
    prompt = harness.fake.messages(harness.fake.dm_channel_for("UREP"))[-1]
    assert "level 2 in Delivery and Quality is no longer on the ladder" in message_text(prompt), message_text(prompt)


def test_admins_are_warned_about_people_on_a_removed_level(
    sqlite_db: Database, ladder_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with start_harness(sqlite_db, ladders=LibraryHolder([ladder_dir]), GROWTHBOT_ADMINS="UADMIN") as harness:
        harness.add_slack_user("UADMIN")
        with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
            seed_on_level_2(harness, ladder_dir)
        warnings = [r.getMessage() for r in caplog.records if r.name == "bot.scheduler"]
        named = "UREP: level 2 in Delivery, level 2 in Quality"
        assert any("no longer has" in w and named in w for w in warnings), warnings

        harness.command("UADMIN", "admin people")
        text = harness.last_ephemeral_text("UADMIN")
        assert "⚠ level 2 in Delivery; level 2 in Quality no longer on the ladder" in text, text


def test_a_removed_track_is_said_everywhere_its_person_looks_and_warned_to_admins(
    sqlite_db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "reload.yaml").write_text(ladder_yaml(tracks=("staff",)), encoding="utf-8")
    with start_harness(sqlite_db, ladders=LibraryHolder([tmp_path]), GROWTHBOT_ADMINS="UADMIN") as harness:
        harness.add_slack_user("UADMIN")
        harness.set_now(SET_UP_AT)
        harness.seed_person("UREP", framework_id=LADDER_ID, level="1", track="staff")
        harness.command("UREP", "next")
        assert "Level 2 staff work." in harness.last_ephemeral_text("UREP")
        with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
            replace_ladder(harness, tmp_path, ladder_yaml())
        warnings = [r.getMessage() for r in caplog.records if r.name == "bot.scheduler"]
        assert any("UREP: track staff" in w for w in warnings), warnings

        harness.command("UREP", "me")
        text = harness.last_ephemeral_text("UREP")
        assert "Your track “staff” (only the behaviours every track shares count now) is no longer" in text, text
        harness.open_home("UREP")
        assert "track “staff”" in harness.home_text("UREP")
        harness.command("UADMIN", "admin people")
        assert "⚠ track staff no longer on the ladder" in harness.last_ephemeral_text("UADMIN")
