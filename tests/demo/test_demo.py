"""`growthbot demo` end to end, in-process: the real app over HTTP, the fake Slack, a simulated clock.

One four-week run (module fixture) is checked for the demo's key moments; shorter runs check the
command line, determinism and seeds.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.demo import render
from bot.demo.play import DemoOptions, DemoResult, run_demo
from bot.demo.shown import Shown
from bot.demo.team import load_team
from bot.ids import PromptAction

pytestmark = pytest.mark.slow

TEAM = load_team()
WIDTH = 100
_NEW_ITEMS = re.compile(r"(\d+) new evidence items?")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoResult, str, Path]:
    json_dir = tmp_path_factory.mktemp("blockkit")
    out = io.StringIO()
    result = run_demo(DemoOptions(weeks=4, seed=7, json_dir=json_dir, out=out, width=WIDTH, reader_tz="UTC"))
    return result, out.getvalue(), json_dir


@pytest.fixture(scope="module")
def full_run() -> tuple[DemoResult, str]:
    out = io.StringIO()
    result = run_demo(DemoOptions(weeks=4, seed=7, out=out, width=WIDTH, full=True, reader_tz="Europe/London"))
    return result, out.getvalue()


def _has_action(shown: Shown, action_id: str) -> bool:
    for block in shown.payload.get("blocks") or []:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return True
    return False


def _prompts(result: DemoResult, slack_id: str) -> list[Shown]:
    return [
        item
        for item in result.shown
        if item.method == "chat.postMessage"
        and item.kind == "message"
        and item.user_ids == (slack_id,)
        and _has_action(item, PromptAction.ADD_EVIDENCE)
    ]


def test_the_demo_finishes_cleanly(run: tuple[DemoResult, str, Path]) -> None:
    result, text, _ = run
    assert result.problems == []
    assert result.exit_code == 0
    assert "PROBLEM" not in text
    assert "Traceback" not in text


def test_every_step_of_the_script_is_available(run: tuple[DemoResult, str, Path]) -> None:
    result, text, _ = run
    assert result.log.unavailable == []
    assert result.unhandled == []
    assert "not available yet" not in text


def test_each_engineer_is_prompted_at_their_local_time(run: tuple[DemoResult, str, Path]) -> None:
    result, _, _ = run
    for member in TEAM.engineers:
        prompts = _prompts(result, member.slack_id)
        away_weeks = [week for slack_id, week in result.log.vacations if slack_id == member.slack_id]
        assert len(prompts) == 4 - len(away_weeks), member.name
        for prompt in prompts:
            local = prompt.at.replace(tzinfo=UTC).astimezone(ZoneInfo(member.tz))
            assert local.weekday() == member.prompt_weekday, (member.name, local)
            assert local.time() == member.prompt_time, (member.name, local)


def test_utc_times_move_across_daylight_saving_while_local_times_stay(run: tuple[DemoResult, str, Path]) -> None:
    result, _, _ = run
    ava = next(member for member in TEAM.engineers if member.tz == "Australia/Sydney")
    utc_times = {prompt.at.time() for prompt in _prompts(result, ava.slack_id)}
    # Sydney leaves summer time on 6 April: 09:00 local is 22:00 UTC before, 23:00 UTC after.
    assert len(utc_times) == 2


def test_vacation_skips_that_weeks_prompt_and_records_it(run: tuple[DemoResult, str, Path]) -> None:
    result, _, _ = run
    assert len(result.log.vacations) == 1
    slack_id, _ = result.log.vacations[0]
    engineer = next(item for item in result.summary.engineers if item.slack_id == slack_id)
    assert engineer.prompts["skipped"] == 1
    assert any("away" in reason or "palm_tree" in reason for reason in engineer.skip_reasons)


def test_every_way_of_capturing_evidence_is_played(run: tuple[DemoResult, str, Path]) -> None:
    result, _, _ = run
    assert {capture.method for capture in result.log.captures} == {"modal", "thread", "log", "shortcut"}
    assert len(result.log.nothing_weeks) == 1


def test_each_capture_is_stored_exactly_once(run: tuple[DemoResult, str, Path]) -> None:
    result, _, _ = run
    rows = result.summary.evidence_rows
    assert len(rows) == len(result.log.captures)
    for capture in result.log.captures:
        matching = [row for row in rows if row[0] == capture.slack_id and row[1] == capture.text]
        assert len(matching) == 1, capture
    keys = [key for _, _, key in rows if key is not None]
    assert len(keys) == len(set(keys))


def test_digests_reach_the_manager_before_each_one_on_one_with_the_right_counts(
    run: tuple[DemoResult, str, Path],
) -> None:
    result, _, _ = run
    digests = result.summary.digests
    # Three weekly 1:1s over four weeks.
    assert len(digests) == 12
    for record in digests:
        assert record.manager_slack_id == TEAM.manager.slack_id
        assert record.sent_at < record.meeting_at
        assert record.meeting_at - record.sent_at == timedelta(hours=2)
        captured = [
            capture
            for capture in result.log.captures
            if capture.slack_id == record.report_slack_id and record.period_start <= capture.at < record.period_end
        ]
        assert record.evidence_in_period == len(captured)
        sent = [
            item
            for item in result.shown
            if item.method == "chat.postMessage"
            and item.at == record.sent_at
            and item.user_ids == (record.manager_slack_id,)
        ]
        assert sent, record
        notification = str(sent[0].params.get("text", ""))
        found = _NEW_ITEMS.search(notification)
        assert (int(found.group(1)) if found else 0) == len(captured), notification
        shown_text = " ".join(" ".join(line for item in sent for line in item.lines).split())
        for capture in captured:
            assert " ".join(render.emojize(capture.text).split()) in shown_text, capture


def test_the_engineer_gets_a_preview_of_each_digest_at_the_same_time(run: tuple[DemoResult, str, Path]) -> None:
    result, _, _ = run
    for record in result.summary.digests:
        previews = [
            item
            for item in result.shown
            if item.method == "chat.postMessage"
            and item.at == record.sent_at
            and item.user_ids == (record.report_slack_id,)
            and "preview" in str(item.params.get("text", "")).lower()
        ]
        assert len(previews) == 1, record


def test_lookups_and_the_final_summary_are_shown(
    run: tuple[DemoResult, str, Path], full_run: tuple[DemoResult, str]
) -> None:
    _, text, _ = run
    full_text = full_run[1]
    assert full_text.count("types /ladder me.") == 1
    assert full_text.count("types /ladder search") == 1
    assert "The final digest" in text
    assert "Coverage summary" in text
    for member in TEAM.engineers:
        assert f"{member.name} · " in text.split("Coverage summary", 1)[1]


def test_escaped_user_text_is_shown_as_typed(run: tuple[DemoResult, str, Path]) -> None:
    _, text, _ = run
    assert "&lt;" not in text and "&amp;" not in text


def test_json_dir_holds_every_payload_ready_for_block_kit_builder(run: tuple[DemoResult, str, Path]) -> None:
    result, _, json_dir = run
    files = sorted(json_dir.glob("*.json"))
    assert len(files) == sum(1 for item in result.shown if item.payload)
    assert files[0].name.startswith("001-")
    for path in files:
        payload = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(payload.get("blocks"), list) and payload["blocks"]
        if payload.get("type") == "modal":
            assert payload["title"]["text"]


def test_same_seed_same_run_and_another_seed_changes_it() -> None:
    def transcript(seed: int) -> str:
        out = io.StringIO()
        result = run_demo(DemoOptions(weeks=1, seed=seed, out=out))
        assert result.exit_code == 0
        return re.sub(r"Done in [\d.]+ s\.", "", out.getvalue())

    first = transcript(7)
    assert transcript(7) == first
    assert transcript(8) != first


def test_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "999-message-stale.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["demo", "--weeks", "1", "--quiet", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "Coverage summary" in result.output
    assert "┌ DM to" not in result.output.split("═", 1)[0]  # quiet: no transcript before the summary
    assert (out / "001-modal-camille.json").exists()
    assert not (out / "999-message-stale.json").exists()  # a previous run's payloads never mix in
    assert (out / "notes.txt").read_text() == "mine"


# ---------------------------------------------------------------- the demo tells the truth (issue 13)

_SHORTCODE = re.compile(r":[a-z0-9_+\-]{2,}:")
_BOLD = re.compile(r"(?<![\w*])\*\w[^*\n]*\w\*(?![\w*])")
_PERMALINK_TS = re.compile(r"/archives/[A-Z0-9]+/p(\d{10})\d{6}")


def _transcript(text: str) -> list[str]:
    return text.split("\n")


def test_the_default_transcript_reads_in_a_few_minutes_and_full_shows_everything(
    run: tuple[DemoResult, str, Path], full_run: tuple[DemoResult, str]
) -> None:
    _, text, _ = run
    assert len(_transcript(text.rstrip("\n"))) <= 300
    assert len(_transcript(full_run[1])) > 2 * len(_transcript(text))


def test_every_line_fits_the_width(run: tuple[DemoResult, str, Path], full_run: tuple[DemoResult, str]) -> None:
    for text in (run[1], full_run[1]):
        wide = [line for line in _transcript(text) if render.display_width(line) > WIDTH]
        assert wide == []


def test_no_raw_slack_markup_or_shortcodes(run: tuple[DemoResult, str, Path], full_run: tuple[DemoResult, str]) -> None:
    for text in (run[1], full_run[1]):
        assert "`" not in text
        assert "<@" not in text and "<!" not in text and "<http" not in text
        assert _SHORTCODE.findall(text) == []
        assert _BOLD.findall(text) == []
    assert "✅" in run[1] and "🌱" in run[1]


def test_headings_and_times_are_in_the_readers_zone(full_run: tuple[DemoResult, str]) -> None:
    text = full_run[1]
    assert "(UTC)" not in text  # a reader in London sees their own times
    assert "Week 1 · Monday 17 March 2025" in text
    assert "Mon 17 Mar 10:00 in Kolkata (04:30 your time)" in text
    # London moves to summer time on 30 March: the same 10:00 in Kolkata is 05:30 there afterwards.
    assert "Mon 31 Mar 10:00 in Kolkata (05:30 your time)" in text


def test_permalinks_carry_the_simulated_dates(full_run: tuple[DemoResult, str]) -> None:
    found = [int(ts) for ts in _PERMALINK_TS.findall(full_run[1])]
    assert found
    start, end = TEAM.week_one - timedelta(days=7), TEAM.week_one + timedelta(days=28)
    for seconds in found:
        assert start.replace(tzinfo=UTC).timestamp() <= seconds <= end.replace(tzinfo=UTC).timestamp()


def test_every_story_saved_is_tagged_to_a_behaviour_it_shows(run: tuple[DemoResult, str, Path]) -> None:
    result, _, _ = run
    for capture in result.log.captures:
        assert capture.shows, capture
        tags = result.summary.evidence_tags[(capture.slack_id, capture.text)]
        assert tags and set(tags) <= set(capture.shows), (capture.text, tags, capture.shows)


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_tag_every_story_truly_too(seed: int) -> None:
    result = run_demo(DemoOptions(weeks=4, seed=seed, out=io.StringIO()))
    assert result.problems == []
    for capture in result.log.captures:
        tags = result.summary.evidence_tags[(capture.slack_id, capture.text)]
        assert tags and set(tags) <= set(capture.shows), (capture.text, tags, capture.shows)


def test_a_checkin_is_revealed_to_both_and_a_promotion_follows(run: tuple[DemoResult, str, Path]) -> None:
    result, text, _ = run
    assert "types /ladder checkin" in text
    reveals = [item for item in result.shown if "check-in result" in str(item.params.get("text", "")).lower()]
    engineer = next(m for m in TEAM.engineers if any(m.slack_id in item.user_ids for item in reveals))
    assert {item.user_ids for item in reveals} == {(engineer.slack_id,), (TEAM.manager.slack_id,)}
    assert "One step apart" in text  # the engineer was harder on themself than their manager
    assert "/ladder promote @" in text
    [modal] = [item for item in result.shown if item.kind == "modal" and item.title == "Promotion"]
    assert "Ready for P3 in Flow" in modal.text
    [told] = [item for item in result.shown if "Congratulations" in str(item.params.get("text", ""))]
    assert told.user_ids == (engineer.slack_id,) and "Congratulations" in text
    after = [item for item in _prompts(result, engineer.slack_id) if item.at > told.at]
    assert after and "towards P4" in after[0].text  # the next prompt is from the new milestone
