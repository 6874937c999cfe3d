"""The script the demo plays: the team sets growthbot up, then several weeks of prompts, answers and 1:1s.

Every step is something a person does in Slack (a slash command, a button, a modal, a message, a
shortcut, a status change), sent to the real app through `DemoWorld`; everything the bot does in return
is read back from the fake Slack. Between steps the real tick runs on the simulated clock, so prompts
and digests go out when the bot itself decides they are due.

This module is the timetable: who does what, when. What each step does is in onboarding.py (setup and
consent), answering.py (the weekly answers and lookups), one_on_ones.py (1:1s and digest previews) and
judging.py (the check-in and the promotion).

The week plan (which engineer answers how) is fixed; `seed` shuffles who plays which part and which
story each tells, so every seed still shows every way of capturing evidence.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo import answering, judging, onboarding, one_on_ones
from bot.demo.runner import DemoWorld
from bot.demo.scenario_log import ScenarioLog
from bot.demo.stories import StoryBook
from bot.demo.team import Member, Team
from bot.demo.transcript import Transcript
from frameworks import Framework

# What each of the (shuffled) engineers does in week 1, 2, 3, 4; later weeks cycle through the plan.
WEEK_PLAN: tuple[tuple[str, ...], ...] = (
    ("modal", "thread", "log"),
    ("vacation", "nothing", "shortcut"),
    ("thread", "modal", "thread"),
    ("log", "thread", "modal"),
)
UNAVAILABLE = "(not available yet)"


def local_to_utc(member: Member, day: date, at: time) -> datetime:
    """A wall-clock moment in `member`'s time zone as naive UTC."""
    aware = datetime.combine(day, at, tzinfo=ZoneInfo(member.tz))
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_date(member: Member, moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(member.tz)).date()


def start_of(team: Team) -> datetime:
    """The demo starts on the Thursday before week 1, 15:00 UTC: afternoon in Paris, night in Sydney."""
    return team.week_one - timedelta(days=4) + timedelta(hours=15)


def end_of(team: Team, weeks: int) -> datetime:
    """Sunday noon UTC after the last week: before anyone's next-week prompt, even Sydney's Monday morning."""
    return team.week_one + timedelta(days=7 * weeks) - timedelta(hours=12)


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    name: str = field(compare=False)
    run: Callable[[], None] = field(compare=False)


class Scenario:
    def __init__(self, world: DemoWorld, team: Team, *, weeks: int, seed: int) -> None:
        self.world = world
        self.team = team
        self.weeks = weeks
        self.rng = random.Random(seed)
        self.engineers = list(team.engineers)
        self.rng.shuffle(self.engineers)
        self.stories = StoryBook(self.engineers, self.rng)
        self.log = ScenarioLog()
        self._steps: list[Step] = []
        # What the steps remember between them (read and written by the step modules).
        self.prompt_seen: dict[str, str] = {}  # slack id -> ts of the last prompt already answered
        self.previews_shown = 0
        self.setup_shown = False
        self.kudos: dict[str, Any] | None = None  # the kudos message posted for the shortcut
        world.transcript.condenser.compactors.append(partial(one_on_ones.compact_preview, self))

    # ------------------------------------------------------------------ helpers the steps share

    @property
    def transcript(self) -> Transcript:
        return self.world.transcript

    def narrate(self, member: Member, text: str) -> None:
        self.transcript.narrate(text, member.slack_id)

    def unavailable(self, what: str) -> None:
        self.log.unavailable.append(what)
        self.transcript.note(f"  {what} {UNAVAILABLE}")

    def framework_of(self, member: Member) -> Framework | None:
        return self.world.deps.library.get(member.framework)

    def person_of(self, uow: Any, member: Member) -> Any:
        workspace = uow.workspaces.get_by_team(self.team.team_id)
        return uow.people.get_by_slack_id(workspace.id, member.slack_id) if workspace else None

    def at(self, when: datetime, name: str, run: Callable[[], None]) -> None:
        self._steps.append(Step(when, len(self._steps), name, run))

    def prompt_day(self, member: Member, week: int) -> date:
        return (self.team.week_one + timedelta(days=7 * (week - 1) + member.prompt_weekday)).date()

    def prompt_moment(self, member: Member, week: int) -> datetime:
        return local_to_utc(member, self.prompt_day(member, week), member.prompt_time)

    # ------------------------------------------------------------------ the script

    def play(self) -> ScenarioLog:
        self.plan_setup()
        self.plan_weeks()
        for step in sorted(self._steps):
            self.world.run_until(step.at)
            step.run()
        self.world.run_until(end_of(self.team, self.weeks))
        return self.log

    def plan_setup(self) -> None:
        team, manager = self.team, self.team.manager
        thursday = (team.week_one - timedelta(days=4)).date()
        friday = (team.week_one - timedelta(days=3)).date()
        setup_at = local_to_utc(manager, thursday, time(17, 0))
        if self.transcript.full:
            self.at(setup_at, "manager setup", lambda: onboarding.setup(self, manager))
            self.at(setup_at + timedelta(minutes=2), "manager pauses", lambda: onboarding.pause_prompts(self, manager))
        else:  # the brief transcript shows an engineer's setup; the manager's, in one line
            self.at(setup_at, "manager setup", lambda: onboarding.quietly_if(self, True, onboarding.setup, manager))
            self.at(setup_at + timedelta(minutes=2), "manager pauses", lambda: onboarding.manager_set_up(self, manager))
        # Each engineer sets up on Friday morning their time, then accepts their manager.
        consents = []
        for index, member in enumerate(self.engineers):
            moment = local_to_utc(member, friday, time(9, 30))
            if index == 0:
                self.at(moment, "show home", lambda m=member: self.transcript.condenser.expand_next("home", m.slack_id))
            # The brief transcript shows the first engineer's setup; the others do the same, in one line.
            brief = index > 0 and not self.transcript.full
            self.at(
                moment,
                f"setup {member.first_name}",
                lambda m=member, b=brief: onboarding.quietly_if(self, b, onboarding.setup, m),
            )
            consents.append(moment + timedelta(minutes=5))
            self.at(
                consents[-1],
                f"consent {member.first_name}",
                lambda m=member, b=brief: onboarding.quietly_if(self, b, onboarding.consent, m),
            )
        if len(self.engineers) > 1 and not self.transcript.full:
            self.at(max(consents) + timedelta(minutes=1), "others set up", lambda: onboarding.others_set_up(self))
        # Only a manager the report accepted may set up their 1:1: after every consent.
        one_on_ones_at = max(local_to_utc(manager, friday, time(17, 0)), *(c + timedelta(minutes=30) for c in consents))
        self.at(one_on_ones_at, "1:1s", lambda: one_on_ones.schedule(self))

    def plan_weeks(self) -> None:
        for week in range(1, self.weeks + 1):
            plan = WEEK_PLAN[(week - 1) % len(WEEK_PLAN)]
            for index, member in enumerate(self.engineers):
                method = plan[index % len(plan)]
                self.log.roles.setdefault(member.slack_id, ())
                self.log.roles[member.slack_id] += (method,)
                self.plan_answer(member, week, method)
            if week == 1:
                first, second = self.engineers[0], self.engineers[min(1, len(self.engineers) - 1)]
                me_at = self.prompt_moment(first, 1) + timedelta(hours=3)
                if self.transcript.full:  # the brief transcript shows readiness in the check-in and promotion
                    self.at(me_at, "ladder me", lambda m=first: answering.ladder_me(self, m))
                search_at = self.prompt_moment(second, 1) + timedelta(hours=5)
                if self.transcript.full:  # the brief transcript leaves the search out
                    self.at(search_at, "ladder search", lambda m=second: answering.ladder_search(self, m))
        self.plan_flag()
        judging.plan(self)
        manager = self.team.manager
        last_friday = (self.team.week_one + timedelta(days=7 * (self.weeks - 1) + 4)).date()
        self.at(
            local_to_utc(manager, last_friday, time(17, 30)), "manager home", lambda: answering.open_home(self, manager)
        )

    def plan_flag(self) -> None:
        """The report of the first 1:1 flags an item of their digest preview to discuss."""
        meetings = []
        for spec in self.team.one_on_ones:
            day = (self.team.week_one + timedelta(days=spec.weekday)).date()
            meetings.append((local_to_utc(self.team.manager, day, spec.time), spec.report))
        if not meetings:
            return
        meeting_at, report_id = min(meetings)
        report = self.team.member(report_id)
        lead = timedelta(minutes=self.world.settings.digest_lead_minutes)
        self.at(meeting_at - lead + timedelta(minutes=30), "flag", lambda: one_on_ones.flag_in_preview(self, report))

    def plan_answer(self, member: Member, week: int, method: str) -> None:
        prompt_at = self.prompt_moment(member, week)
        delay = timedelta(minutes=self.rng.randrange(15, 90, 5))
        if method == "modal":
            self.at(prompt_at + delay, "modal", lambda: answering.answer_by_modal(self, member, week))
        elif method == "thread":
            self.at(prompt_at + delay, "thread", lambda: answering.answer_in_thread(self, member, week))
        elif method == "nothing":
            self.at(prompt_at + delay, "nothing", lambda: answering.nothing_this_week(self, member, week))
        elif method == "log":
            day = self.prompt_day(member, week) + timedelta(days=2)
            self.at(local_to_utc(member, day, time(16, 10)), "log", lambda: answering.log_command(self, member, week))
        elif method == "shortcut":
            day = self.prompt_day(member, week) + timedelta(days=1)
            author = self.team.member(self.team.kudos_author)
            posted = local_to_utc(member, day, time(11, 0))
            self.at(posted, "kudos", lambda: answering.post_kudos(self, author, member))
            self.at(posted + timedelta(minutes=40), "shortcut", lambda: answering.save_kudos(self, member, week))
        elif method == "vacation":
            self.at(prompt_at - timedelta(days=1), "away", lambda: answering.go_on_vacation(self, member, week))
            self.at(prompt_at + timedelta(minutes=1), "skipped", lambda: answering.report_skip(self, member, prompt_at))
            self.at(prompt_at + timedelta(days=4), "back", lambda: answering.come_back(self, member, week))
