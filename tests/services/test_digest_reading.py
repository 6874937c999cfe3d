"""Issue 13's digest rules in the services: an away week says so, "no change" is said once, talking
points rotate (preferring disagreements, disputes, flags and focus) and say why, the last evidence is
the one "last answer"."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import away, last_evidence
from bot.services.assessments import CurrentVerdicts, VerdictView
from bot.services.digest_content import (
    POINTS_KEY,
    BehaviourStat,
    DisputedTag,
    EvidenceItem,
    PromptActivity,
    TagRef,
    TalkingPointKind,
)
from bot.services.digests import NOTHING_NEW, DigestInputs, assemble_digest, build_digest
from storage.models import Person, Prompt, PromptState, Rater, Verdict
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, add_evidence, add_prompt, load_ladder, make_world

LIBRARY = load_ladder()
FRAMEWORK = LIBRARY[LADDER_ID]
END = datetime(2025, 3, 10, 14, 0)
START = END - timedelta(days=7)
LEVEL_2 = [b.id for b in FRAMEWORK.behaviours if b.level_id == "2"]  # six behaviours, none evidenced


def _inputs(**kwargs) -> DigestInputs:
    defaults = dict(
        report=Person(id=2, workspace_id=1, slack_user_id="UR", display_name="Riley Report", tz="UTC"),
        manager=None,
        period_start=START,
        period_end=END,
        framework=FRAMEWORK,
        framework_id=FRAMEWORK.id,
        levels_by_area={"delivery": "1", "quality": "1", "mentoring": "1"},
    )
    defaults.update(kwargs)
    return DigestInputs(**defaults)


# --- away ------------------------------------------------------------------------------------------


def test_a_week_away_says_so_instead_of_asking_what_got_in_the_way() -> None:
    content = assemble_digest(_inputs(prompts=PromptActivity(away=1)))
    assert content.nothing_new and NOTHING_NEW not in content.notes
    assert (
        content.notes[0]
        == "Nothing new since the last 1:1: Riley was away (1 prompt skipped), so no evidence was expected."
    )
    assert "got in the way" not in " ".join(content.notes)
    plain = assemble_digest(_inputs(prompts=PromptActivity(asked=1)))
    assert plain.notes[0] == NOTHING_NEW  # answered nothing while here: still worth asking


def test_skip_reasons_written_by_the_tick_are_read_as_away() -> None:
    assert away.is_away_skip(away.away_skip_reason(":palm_tree: Vacation"))
    assert away.is_away_skip(away.quiet_day_skip_reason(END.date()))
    assert not away.is_away_skip("missed: 30.0 h late, over the 1 day late window")
    assert not away.is_away_skip(None)


def test_build_digest_counts_prompts_skipped_while_away_in_the_period(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        for due, reason in (
            (START + timedelta(days=1), away.away_skip_reason(":palm_tree: Vacation")),
            (START + timedelta(days=2), away.quiet_day_skip_reason((START + timedelta(days=2)).date())),
            (START + timedelta(days=3), "no ladder"),  # skipped, but not because they were away
            (START - timedelta(days=3), away.away_skip_reason("OOO")),  # before the period
        ):
            uow.session.add(
                Prompt(
                    person_id=world.report_id,
                    idempotency_key=f"{world.report_id}:{due.isoformat()}",
                    framework_id=LADDER_ID,
                    behaviour_ids=[],
                    due_at=due,
                    state=PromptState.SKIPPED,
                    skip_reason=reason,
                )
            )
        add_prompt(uow, world.report_id, START + timedelta(days=4))  # sent, not answered
    with db.uow() as uow:
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        content = build_digest(uow, LIBRARY, (manager, report), START, END)
    assert (content.prompts.asked, content.prompts.answered, content.prompts.away) == (1, 0, 2)
    assert "was away (2 prompts skipped)" in content.notes[0]


# --- last evidence ---------------------------------------------------------------------------------


def test_the_last_answer_is_the_last_evidence_saved_by_any_path(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        add_prompt(uow, world.report_id, START - timedelta(days=20), answered_at=START - timedelta(days=20))
        add_evidence(uow, LIBRARY, world.report_id, "logged, no prompt", START - timedelta(days=3))
        add_evidence(uow, LIBRARY, world.report_id, "deleted", START - timedelta(days=1), deleted_at=START)
        add_evidence(uow, LIBRARY, world.report_id, "after the period", END + timedelta(days=1))
    with db.uow() as uow:
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        content = build_digest(uow, LIBRARY, (manager, report), START, END)
    assert content.last_evidence_at == START - timedelta(days=3)
    assert content.prompts.last_answer_at == START - timedelta(days=20)  # not what surfaces show


# --- coverage change --------------------------------------------------------------------------------


def test_no_change_anywhere_is_one_fact_not_one_per_area() -> None:
    previous = {"delivery": {"covered": 0, "total": 3}, "quality": {"covered": 0}, "mentoring": {"covered": 0}}
    assert assemble_digest(_inputs(), previous).coverage_unchanged
    moved = assemble_digest(_inputs(stats={"delivery-2-01": BehaviourStat(1, END)}), previous)
    assert not moved.coverage_unchanged
    assert not assemble_digest(_inputs()).coverage_unchanged  # nothing to compare with


# --- talking points ---------------------------------------------------------------------------------


def _next(content, previous=None):
    """The following week's digest, fed the memory the last one stored."""
    snapshot = content.coverage_snapshot()
    return assemble_digest(_inputs(), {**(previous or {}), **snapshot})


def test_talking_points_rotate_instead_of_repeating_the_same_three() -> None:
    first = assemble_digest(_inputs())
    second = _next(first)
    third = _next(second)
    keys = [[p.key for p in c.talking_points] for c in (first, second, third)]
    assert all(len(k) == 3 for k in keys)
    assert set(keys[0]).isdisjoint(keys[1])  # six candidates: the next three get their turn
    assert set(keys[0]) | set(keys[1]) == {f"never:{b}" for b in LEVEL_2}
    assert set(keys[2]) == set(keys[0])  # then the least recently shown come back
    assert first.coverage_snapshot()[POINTS_KEY]["last"] == keys[0]


def test_every_point_says_why_it_is_there() -> None:
    content = assemble_digest(_inputs())
    assert all(p.why for p in content.talking_points)
    assert content.talking_points[0].why == "a behaviour of the next milestone with no evidence at all"


def _verdict(behaviour_id: str, rater: Rater, verdict: Verdict) -> VerdictView:
    behaviour = FRAMEWORK.behaviour(behaviour_id)
    return VerdictView(
        id=1 if rater is Rater.SELF else 2,
        behaviour_id=behaviour_id,
        area_id=behaviour.area_id,
        level_id=behaviour.level_id,
        behaviour_text=behaviour.text,
        rater=rater,
        verdict=verdict,
        comment=None,
        evidence_ids=(),
        created_at=END - timedelta(days=1),
        checkin_id=None,
        framework_version=FRAMEWORK.version,
    )


def test_disagreements_disputes_flags_and_focus_come_first_with_their_reasons() -> None:
    verdicts = CurrentVerdicts(
        self_verdicts={"delivery-2-01": _verdict("delivery-2-01", Rater.SELF, Verdict.CONSISTENTLY)},
        manager_verdicts={"delivery-2-01": _verdict("delivery-2-01", Rater.MANAGER, Verdict.NOT_YET)},
    )
    b = FRAMEWORK.behaviour("quality-2-01")
    tag = TagRef(FRAMEWORK.id, b.id, b.area_id, b.level_id, b.text, True, "not flaky")
    disputed = EvidenceItem(9, END - timedelta(days=1), "Fixed a test", tags=(tag,))
    flagged = EvidenceItem(10, END - timedelta(days=40), "Big launch", to_discuss=True)
    inputs = _inputs(
        verdicts=verdicts,
        disputes=[DisputedTag(disputed, b.id, b.text, "not flaky")],
        flagged=[flagged],
        focus=["mentoring-2-01"],
    )
    points = assemble_digest(inputs).talking_points
    assert [p.kind for p in points] == [
        TalkingPointKind.DISAGREEMENT,
        TalkingPointKind.DISPUTED,
        TalkingPointKind.FLAGGED,
    ]
    assert [p.why for p in points] == [
        "your verdicts differ",
        "the manager disputed this tag since the last 1:1",
        "Riley asked to talk about it",
    ]
    assert assemble_digest(inputs).talking_points == points  # deterministic: same inputs, same points

    focus_only = assemble_digest(_inputs(focus=["mentoring-2-01"])).talking_points
    assert focus_only[0].kind is TalkingPointKind.FOCUS and focus_only[0].key == "focus:mentoring-2-01"
    assert focus_only[0].why == "one of Riley's focus behaviours"
    assert "never:mentoring-2-01" not in [p.key for p in focus_only]  # not twice


def test_a_point_shown_last_time_waits_behind_fresh_ones_and_says_it_is_still_open() -> None:
    verdicts = CurrentVerdicts(
        self_verdicts={"delivery-2-01": _verdict("delivery-2-01", Rater.SELF, Verdict.CONSISTENTLY)},
        manager_verdicts={"delivery-2-01": _verdict("delivery-2-01", Rater.MANAGER, Verdict.NOT_YET)},
    )
    first = assemble_digest(_inputs(verdicts=verdicts))
    assert first.talking_points[0].kind is TalkingPointKind.DISAGREEMENT
    second = assemble_digest(_inputs(verdicts=verdicts), first.coverage_snapshot())
    assert "disagreement:delivery-2-01" not in [p.key for p in second.talking_points]
    third = assemble_digest(_inputs(verdicts=verdicts), second.coverage_snapshot())
    assert third.talking_points[0].key == "disagreement:delivery-2-01"  # back the week after
    # With nothing fresh left, a repeat is shown and says so.
    few = _inputs(verdicts=verdicts, stats={b: BehaviourStat(1, END) for b in LEVEL_2})
    again = assemble_digest(few, assemble_digest(few).coverage_snapshot())
    assert again.talking_points[0].why == "your verdicts differ; still open since the last digest"


# --- the packet: the same last evidence, the reader's dates ----------------------------------------


def test_the_packet_shows_the_same_last_evidence_in_the_readers_local_date(db: Database) -> None:
    from bot.services.packet import build_packet
    from bot.services.packet_render import render_markdown

    late = datetime(2025, 3, 8, 23, 30)  # Saturday in UTC, Sunday in Paris
    with db.uow() as uow:
        world = make_world(uow)
        add_evidence(uow, LIBRARY, world.report_id, "earlier", late - timedelta(days=5), ["delivery-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "late one", late)
    with db.uow() as uow:
        report = uow.people.get(world.report_id)
        packet = build_packet(uow, LIBRARY, report, now=END)
        assert packet.last_evidence_at == last_evidence.last_evidence_of(uow, world.report_id) == late
    assert "last evidence: 2025-03-08" in render_markdown(packet)  # the person's own zone: UTC
    paris = render_markdown(packet, "Europe/Paris")
    assert "last evidence: 2025-03-09" in paris and "2025-03-09: late one" in paris.replace("  - ", "")
