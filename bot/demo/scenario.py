"""The script the demo plays: the team sets growthbot up, then several weeks of prompts, answers and 1:1s.

Every step is something a person does in Slack (a slash command, a button, a modal, a message, a
shortcut, a status change), sent to the real app through `DemoWorld`; everything the bot does in return
is read back from the fake Slack. Between steps the real tick runs on the simulated clock, so prompts
and digests go out when the bot itself decides they are due.

The week plan (which engineer answers how) is fixed; `seed` shuffles who plays which part and which
story each tells, so every seed still shows every way of capturing evidence.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo import forms, judging, render
from bot.demo.runner import DemoWorld
from bot.demo.stories import StoryBook, behaviour_text, tag_answers
from bot.demo.team import Member, Story, Team
from bot.demo.transcript import Shown, Transcript
from bot.ids import (
    Callback,
    ConsentAction,
    DigestAction,
    EvidenceAction,
    EvidenceBlock,
    HomeAction,
    OnboardingAction,
    OnboardingBlock,
    PromptAction,
)
from bot.services.evidence import ladder_for
from bot.services.slots import Slot, command_words, day_at_time
from frameworks import Framework

# What each of the (shuffled) engineers does in week 1, 2, 3, 4; later weeks cycle through the plan.
WEEK_PLAN: tuple[tuple[str, ...], ...] = (
    ("modal", "thread", "log"),
    ("vacation", "nothing", "shortcut"),
    ("thread", "modal", "thread"),
    ("log", "thread", "modal"),
)
SEARCH_WORDS = "flaky tests"
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


@dataclass(frozen=True)
class Capture:
    """A piece of evidence the script gave the bot (the test checks each is stored exactly once)."""

    week: int
    slack_id: str
    method: str
    text: str
    at: datetime
    shows: tuple[str, ...] = ()  # the behaviours the story shows (the test checks the saved tags)


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    name: str = field(compare=False)
    run: Callable[[], None] = field(compare=False)


@dataclass
class ScenarioLog:
    captures: list[Capture] = field(default_factory=list)
    vacations: list[tuple[str, int]] = field(default_factory=list)  # (slack id, week)
    nothing_weeks: list[tuple[str, int]] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # slack id -> method per week


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
        self._prompt_seen: dict[str, str] = {}  # slack id -> ts of the last prompt already answered
        self._previews_shown = 0
        self._setup_shown = False
        world.transcript.compactors.append(self._compact_preview)

    # ------------------------------------------------------------------ helpers

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

    def behaviour_text(self, member: Member, behaviour_id: str) -> str:
        return behaviour_text(self.framework_of(member), behaviour_id)

    def prompted_ids(self, prompt: dict[str, Any]) -> tuple[str, ...]:
        """The behaviours a prompt DM asks about, read from the bot's prompts table by the button's id."""
        value = forms.element_value(prompt, PromptAction.ADD_EVIDENCE)
        if not value or not value.isdigit():
            return ()
        with self.world.deps.uow() as uow:
            found = uow.prompts.get(int(value))
            return tuple(found.behaviour_ids or ()) if found is not None else ()

    def saved_tags(self, member: Member, text: str) -> tuple[str, ...]:
        """The behaviours the bot tagged the newest evidence with this text (read from its tables)."""
        with self.world.deps.uow() as uow:
            person = self._person(uow, member)
            rows = [e for e in uow.evidence.all_for(person.id) if e.text == text] if person else []
            return tuple(tag.behaviour_id for tag in rows[-1].tags) if rows else ()

    def _person(self, uow: Any, member: Member) -> Any:
        workspace = uow.workspaces.get_by_team(self.team.team_id)
        return uow.people.get_by_slack_id(workspace.id, member.slack_id) if workspace else None

    def best_match(self, member: Member, text: str) -> str | None:
        """The behaviour the bot's own ranker picks for `text` on this person's ladder."""
        with self.world.deps.uow() as uow:
            person = self._person(uow, member)
            ladder = ladder_for(uow, self.world.deps.library, person) if person else None
            found = ladder.best_match(text) if ladder is not None else None
            return found.id if found is not None else None

    def tags_in_words(self, member: Member, behaviour_ids: Sequence[str]) -> str:
        return " and ".join(f"“{self.behaviour_text(member, b)}”" for b in behaviour_ids)

    def at(self, when: datetime, name: str, run: Callable[[], None]) -> None:
        self._steps.append(Step(when, len(self._steps), name, run))

    def prompt_day(self, member: Member, week: int) -> date:
        return (self.team.week_one + timedelta(days=7 * (week - 1) + member.prompt_weekday)).date()

    def prompt_moment(self, member: Member, week: int) -> datetime:
        return local_to_utc(member, self.prompt_day(member, week), member.prompt_time)

    def latest_prompt(self, member: Member) -> dict[str, Any] | None:
        """The newest prompt DM (a message with the prompt's buttons) not answered by the script yet."""
        for message in reversed(self.world.dm(member)):
            if message.get("thread_ts") and message.get("thread_ts") != message.get("ts"):
                continue
            if forms.has_action(message, PromptAction.ADD_EVIDENCE):
                if self._prompt_seen.get(member.slack_id) == message["ts"]:
                    return None
                return message
        return None

    def _compact_preview(self, shown: Shown) -> str | None:
        """After the first one, an engineer's digest preview is the manager's digest again: one line."""
        if shown.kind not in ("message", "update") or not forms.has_action(shown.payload, DigestAction.ADD_NOTE):
            return None
        if shown.kind == "update":
            return f"{shown.audience}: the preview above, with the flagged item marked"
        self._previews_shown += 1
        if self._previews_shown == 1:
            return None
        if not self.transcript.full:
            return ""  # the brief transcript: every digest has its preview, as shown once
        what = render.mrkdwn(str(shown.params.get("text", "")), self.world.transcript.options)
        return f"{shown.audience}: {what} (the same digest, with its buttons)"

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
            self.at(setup_at, "manager setup", lambda: self.setup(manager))
            self.at(setup_at + timedelta(minutes=2), "manager pauses", lambda: self.pause_prompts(manager))
        else:  # the brief transcript shows an engineer's setup; the manager's, in one line
            self.at(setup_at, "manager setup", lambda: self._maybe_quiet(True, self.setup, manager))
            self.at(setup_at + timedelta(minutes=2), "manager pauses", lambda: self._manager_set_up(manager))
        # Each engineer sets up on Friday morning their time, then accepts their manager.
        consents = []
        for index, member in enumerate(self.engineers):
            moment = local_to_utc(member, friday, time(9, 30))
            if index == 0:
                self.at(moment, "show home", lambda m=member: self.transcript.expand_next("home", m.slack_id))
            # The brief transcript shows the first engineer's setup; the others do the same, in one line.
            brief = index > 0 and not self.transcript.full
            self.at(moment, f"setup {member.first_name}", lambda m=member, b=brief: self._maybe_quiet(b, self.setup, m))
            consents.append(moment + timedelta(minutes=5))
            self.at(
                consents[-1],
                f"consent {member.first_name}",
                lambda m=member, b=brief: self._maybe_quiet(b, self.consent, m),
            )
        if len(self.engineers) > 1 and not self.transcript.full:
            self.at(max(consents) + timedelta(minutes=1), "others set up", self._others_set_up)
        # Only a manager the report accepted may set up their 1:1: after every consent.
        one_on_ones_at = max(local_to_utc(manager, friday, time(17, 0)), *(c + timedelta(minutes=30) for c in consents))
        self.at(one_on_ones_at, "1:1s", self.schedule_one_on_ones)

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
                    self.at(me_at, "ladder me", lambda m=first: self.ladder_me(m))
                search_at = self.prompt_moment(second, 1) + timedelta(hours=5)
                if self.transcript.full:  # the brief transcript leaves the search out
                    self.at(search_at, "ladder search", lambda m=second: self.ladder_search(m))
        self.plan_flag()
        judging.plan(self)
        manager = self.team.manager
        last_friday = (self.team.week_one + timedelta(days=7 * (self.weeks - 1) + 4)).date()
        self.at(local_to_utc(manager, last_friday, time(17, 30)), "manager home", lambda: self.open_home(manager))

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
        self.at(meeting_at - lead + timedelta(minutes=30), "flag", lambda: self.flag_in_preview(report))

    def plan_answer(self, member: Member, week: int, method: str) -> None:
        prompt_at = self.prompt_moment(member, week)
        delay = timedelta(minutes=self.rng.randrange(15, 90, 5))
        if method == "modal":
            self.at(prompt_at + delay, "modal", lambda: self.answer_by_modal(member, week))
        elif method == "thread":
            self.at(prompt_at + delay, "thread", lambda: self.answer_in_thread(member, week))
        elif method == "nothing":
            self.at(prompt_at + delay, "nothing", lambda: self.nothing_this_week(member, week))
        elif method == "log":
            day = self.prompt_day(member, week) + timedelta(days=2)
            self.at(local_to_utc(member, day, time(16, 10)), "log", lambda: self.log_command(member, week))
        elif method == "shortcut":
            day = self.prompt_day(member, week) + timedelta(days=1)
            author = self.team.member(self.team.kudos_author)
            posted = local_to_utc(member, day, time(11, 0))
            self.at(posted, "kudos", lambda: self.post_kudos(author, member))
            self.at(posted + timedelta(minutes=40), "shortcut", lambda: self.save_kudos(member, week))
        elif method == "vacation":
            self.at(prompt_at - timedelta(days=1), "away", lambda: self.go_on_vacation(member, week))
            self.at(prompt_at + timedelta(minutes=1), "skipped", lambda: self.report_skip(member, prompt_at))
            self.at(prompt_at + timedelta(days=4), "back", lambda: self.come_back(member, week))

    # ------------------------------------------------------------------ setup

    def setup(self, member: Member) -> None:
        world = self.world
        first = not self._setup_shown
        self._setup_shown = True
        if first:
            # The modal is shown once, in full, with the ladder this person picks rather than the default.
            self.transcript.compact_next("modal", member.slack_id)
        self.narrate(member, f"{member.name} ({member.role}) types `/ladder setup`.")
        world.command(member.slack_id, "setup")
        view = world.current_view(member.slack_id)
        if view is None:
            self.unavailable("the setup modal")
            return
        framework = forms.element_in(view, OnboardingBlock.FRAMEWORK)
        chosen = (framework.get("initial_option") or {}).get("value")
        if chosen != member.framework:
            option = _option(framework, member.framework)
            if first:
                self.transcript.expand_next("modal", member.slack_id)
            self.narrate(
                member, f"{member.first_name} picks the ladder “{_label(option)}”; the modal shows its levels."
            )
            world.click(
                member.slack_id,
                OnboardingAction.FRAMEWORK,
                view=view,
                action={"type": "static_select", "selected_option": option},
                state_values=forms.fill(view, {OnboardingBlock.FRAMEWORK: member.framework}),
            )
            view = world.current_view(member.slack_id) or view
        answers: dict[str, object] = {
            OnboardingBlock.FRAMEWORK: member.framework,
            OnboardingBlock.LEVEL: member.level,
            OnboardingBlock.WEEKDAY: str(member.prompt_weekday),
            OnboardingBlock.TIME: f"{member.prompt_time:%H:%M}",
        }
        if member.manager:
            answers[OnboardingBlock.MANAGER] = member.manager
        level = _label(_option(forms.element_in(view, OnboardingBlock.LEVEL), member.level))
        manager = f", manager {self.team.member(member.manager).name}" if member.manager else ""
        self.narrate(
            member,
            f"{member.first_name} fills in: level {level}, weekly question on "
            f"{day_at_time(member.prompt_weekday, member.prompt_time)}{manager}; presses {_submit(view)}.",
        )
        world.submit(member.slack_id, view, answers)

    def _maybe_quiet(self, quiet: bool, step: Callable[[Member], None], member: Member) -> None:
        if not quiet:
            step(member)
            return
        with self.transcript.quietly():
            step(member)

    def _manager_set_up(self, manager: Member) -> None:
        with self.transcript.quietly():
            self.pause_prompts(manager)
        framework = self.world.deps.library.get(manager.framework)
        self.narrate(
            manager,
            f"{manager.name} (manager) types /ladder setup, picks {framework.name if framework else manager.framework} "
            f"{manager.level}, then presses [ Pause prompts ] in the App Home: she only wants the digests for now.",
        )

    def _others_set_up(self) -> None:
        library = self.world.deps.library
        parts = []
        for member in self.engineers[1:]:
            framework = library.get(member.framework)
            parts.append(f"{member.first_name} ({framework.name if framework else member.framework}, {member.level})")
        manager = self.team.manager.first_name
        self.transcript.note(
            f"  ({' and '.join(parts)} set up the same way, each at their own local time, and accept {manager} "
            "as their manager.)"
        )

    def consent(self, member: Member) -> None:
        request = next(
            (m for m in reversed(self.world.dm(member)) if forms.has_action(m, ConsentAction.ACCEPT)),
            None,
        )
        if request is None:
            self.unavailable(f"{member.first_name}'s manager consent request")
            return
        self.narrate(member, f"{member.first_name} accepts {self.team.member(member.manager or '').name} as manager.")
        self.world.click(member.slack_id, ConsentAction.ACCEPT, message=request)

    def schedule_one_on_ones(self) -> None:
        manager = self.team.manager
        for spec in self.team.one_on_ones:
            report = self.team.member(spec.report)
            slot = command_words(Slot(spec.weekday, spec.time, spec.cadence))
            # The person types @Name; Slack sends the command text with the mention as <@ID>.
            text = f"1on1 <@{report.slack_id}> {slot}"
            typed = f"1on1 @{report.first_name} {slot}"
            if spec is not self.team.one_on_ones[0] and not self.transcript.full:
                with self.transcript.quietly():
                    self.world.command(manager.slack_id, text)
                self.transcript.note(f"  (and the 1:1 with {report.first_name}: /ladder {typed})")
                continue
            self.narrate(manager, f"{manager.first_name} sets up the 1:1 with {report.first_name}: `/ladder {typed}`")
            self.world.command(manager.slack_id, text)

    # ------------------------------------------------------------------ answers

    def _prompt_or_note(self, member: Member, week: int) -> dict[str, Any] | None:
        prompt = self.latest_prompt(member)
        if prompt is None:
            self.narrate(member, f"{member.first_name} has no open prompt this week (week {week}).")
        return prompt

    def answer_by_modal(self, member: Member, week: int, *, method: str = "modal") -> None:
        """Add evidence from the prompt: a story that shows the prompted behaviour, or (none does) another
        story, tagged with what it shows instead of the pre-selected prompted behaviour."""
        prompt = self._prompt_or_note(member, week)
        if prompt is None:
            return
        self._prompt_seen[member.slack_id] = prompt["ts"]
        prompted = self.prompted_ids(prompt)
        story = self.stories.showing(member, prompted)
        if story is None and method == "thread":
            self.narrate(
                member,
                f"{member.first_name} has nothing this week that shows the prompted behaviour, but wants to save "
                "something else.",
            )
        self.narrate(member, f"{member.first_name} presses [ Add evidence ] on the prompt.")
        self.world.click(member.slack_id, PromptAction.ADD_EVIDENCE, message=prompt)
        view = self.world.current_view(member.slack_id)
        if view is None or view.get("callback_id") != Callback.EVIDENCE:
            self.unavailable("the evidence modal")
            return
        answers: dict[str, object]
        if story is not None:
            answers = {EvidenceBlock.TEXT: story.text}
            self.narrate(member, f"{member.first_name} writes “{story.text}” and presses {_submit(view)}.")
        else:
            story = self.stories.next(member)
            answers = {EvidenceBlock.TEXT: story.text, **self._tags(view, story.shows)}
            self.narrate(
                member,
                f"{member.first_name} writes “{story.text}”, tags it {self.tags_in_words(member, story.shows)} "
                f"instead of the prompted behaviour, and presses {_submit(view)}.",
            )
        self.world.submit(member.slack_id, view, answers)
        self.log.captures.append(Capture(week, member.slack_id, "modal", story.text, self.world.now(), story.shows))

    @staticmethod
    def _tags(view: dict[str, Any], behaviour_ids: Sequence[str]) -> dict[str, object]:
        return tag_answers(view, (EvidenceBlock.BEHAVIOURS, EvidenceBlock.SEARCH), behaviour_ids)

    def answer_in_thread(self, member: Member, week: int) -> None:
        prompt = self.latest_prompt(member)
        if prompt is not None and not self.stories_fit(member, self.prompted_ids(prompt)):
            # A reply is tagged with the prompted behaviour: with no story that shows it, use the modal.
            self.answer_by_modal(member, week, method="thread")
            return
        prompt = self._prompt_or_note(member, week)
        if prompt is None:
            return
        self._prompt_seen[member.slack_id] = prompt["ts"]
        story = self.stories.showing(member, self.prompted_ids(prompt))
        assert story is not None
        self.narrate(member, f"{member.first_name} replies in the prompt's thread: “{story.text}”")
        self.world.say(member.slack_id, story.text, thread_ts=prompt["ts"])
        self.log.captures.append(Capture(week, member.slack_id, "thread", story.text, self.world.now(), story.shows))

    def stories_fit(self, member: Member, behaviour_ids: Sequence[str]) -> bool:
        wanted = set(behaviour_ids)
        return any(wanted & set(story.shows) for story in self.stories.unused(member))

    def nothing_this_week(self, member: Member, week: int) -> None:
        prompt = self._prompt_or_note(member, week)
        if prompt is None:
            return
        self._prompt_seen[member.slack_id] = prompt["ts"]
        self.narrate(member, f"{member.first_name} presses [ Nothing this week ].")
        self.world.click(member.slack_id, PromptAction.NOTHING_THIS_WEEK, message=prompt)
        self.log.nothing_weeks.append((member.slack_id, week))

    def log_command(self, member: Member, week: int) -> None:
        """`/ladder log`, auto-tagged by the bot: the engineer fixes the tag with [ Change tag ] if needed."""
        unused = self.stories.unused(member)
        story = next((s for s in unused if self.best_match(member, s.text) in s.shows), unused[0])
        self.stories.take(member, story)
        self.narrate(member, f"{member.first_name} types `/ladder log {story.text}`")
        shown = self.world.command(member.slack_id, f"log {story.text}")
        if _looks_unknown(shown):
            self.unavailable("`/ladder log`")
            return
        self.log.captures.append(Capture(week, member.slack_id, "log", story.text, self.world.now(), story.shows))
        if story.shows and not set(self.saved_tags(member, story.text)) <= set(story.shows):
            answer = next((item for item in shown if forms.has_action(item.payload, EvidenceAction.RETAG)), None)
            if answer is not None:
                self.retag(member, answer.payload, story)

    def retag(self, member: Member, message: dict[str, Any], story: Story) -> None:
        self.narrate(member, f"{member.first_name} presses [ Change tag ]: it shows something else.")
        self.world.click(member.slack_id, EvidenceAction.RETAG, message=message)
        view = self.world.current_view(member.slack_id)
        if view is None or view.get("callback_id") != Callback.RETAG:
            self.unavailable("changing a tag")
            return
        self.narrate(
            member,
            f"{member.first_name} tags it {self.tags_in_words(member, story.shows)} and presses {_submit(view)}.",
        )
        self.world.submit(member.slack_id, view, self._tags(view, story.shows))

    def post_kudos(self, author: Member, member: Member) -> None:
        text = self.team.kudos_text.replace("{engineer}", member.first_name)
        self.narrate(author, f"{author.first_name} posts in #{self.team.channel_name}: “{_plain(text, self.team)}”")
        self._kudos = self.world.post_in_channel(author.slack_id, text)

    def save_kudos(self, member: Member, week: int) -> None:
        message = getattr(self, "_kudos", None)
        if message is None:
            return
        self.narrate(member, f"{member.first_name} uses the message shortcut “Save as growth evidence” on it.")
        shown = self.world.shortcut(member.slack_id, Callback.SAVE_AS_EVIDENCE, message)
        view = self.world.current_view(member.slack_id)
        if view is None or view.get("callback_id") != Callback.SAVE_AS_EVIDENCE_CONFIRM or not shown:
            self.unavailable("the “Save as growth evidence” shortcut")
            return
        shows = self.team.kudos_shows.get(member.framework, ())
        suggested = _initial_values(view, EvidenceBlock.BEHAVIOURS)
        if not shows or set(suggested) == set(shows):
            self.narrate(member, f"{member.first_name} keeps the suggested tag and presses {_submit(view)}.")
            answers: dict[str, object] = {}
        else:
            self.narrate(
                member,
                f"{member.first_name} tags it {self.tags_in_words(member, shows)} and presses {_submit(view)}.",
            )
            answers = self._tags(view, shows)
        self.world.submit(member.slack_id, view, answers)
        self.log.captures.append(
            Capture(week, member.slack_id, "shortcut", message["text"], self.world.now(), tuple(shows))
        )

    def go_on_vacation(self, member: Member, week: int) -> None:
        self.narrate(member, f"{member.first_name} sets a Slack status for the week ahead: :palm_tree: “Vacation”.")
        self.world.fake.set_status(member.slack_id, "Vacation", ":palm_tree:")
        self.log.vacations.append((member.slack_id, week))

    def report_skip(self, member: Member, due_at: datetime) -> None:
        """Say what the bot recorded for a week it did not prompt (read from its own prompts table)."""
        with self.world.deps.uow() as uow:
            workspace = uow.workspaces.get_by_team(self.team.team_id)
            person = uow.people.get_by_slack_id(workspace.id, member.slack_id) if workspace else None
            prompts = [p for p in uow.prompts.all_for(person.id) if p.due_at == due_at] if person else []
            state = (str(prompts[0].state), prompts[0].skip_reason) if prompts else None
        if state is None:
            self.narrate(member, f"No prompt for {member.first_name} this week, and nothing recorded.")
            return
        reason = f" ({state[1]})" if state[1] else ""
        self.narrate(
            member, f"No prompt for {member.first_name} this week: growthbot recorded it as {state[0]}{reason}."
        )

    def come_back(self, member: Member, week: int) -> None:
        self.narrate(member, f"{member.first_name} is back and clears the Slack status.")
        self.world.fake.set_status(member.slack_id, "", "")

    def flag_in_preview(self, member: Member) -> None:
        preview = next(
            (m for m in reversed(self.world.dm(member)) if forms.has_action(m, DigestAction.ADD_NOTE)),
            None,
        )
        if preview is None or not forms.has_action(preview, DigestAction.FLAG):
            return
        self.narrate(
            member,
            f"{member.first_name} reads the preview and presses [ Flag to discuss ] on an item, "
            "so it is raised at the 1:1.",
        )
        self.world.click(member.slack_id, DigestAction.FLAG, message=preview)

    # ------------------------------------------------------------------ lookups and home

    def ladder_me(self, member: Member) -> None:
        self.narrate(member, f"{member.first_name} types `/ladder me`.")
        self.world.command(member.slack_id, "me")

    def ladder_search(self, member: Member) -> None:
        self.narrate(member, f"{member.first_name} types `/ladder search {SEARCH_WORDS}`.")
        self.world.command(member.slack_id, f"search {SEARCH_WORDS}")

    def open_home(self, member: Member) -> None:
        self.narrate(member, f"{member.first_name} opens growthbot's App Home.")
        self.transcript.expand_next("home", member.slack_id)
        self.world.open_home(member.slack_id)

    def pause_prompts(self, member: Member) -> None:
        home = self.world.fake.views_published.get(member.slack_id)
        if home is None or not forms.has_action(home, HomeAction.PAUSE_PROMPTS):
            self.unavailable("pausing prompts from the App Home")
            return
        self.narrate(
            member,
            f"{member.first_name} only wants the digests for now and presses [ Pause prompts ] in the App Home.",
        )
        self.world.click(member.slack_id, HomeAction.PAUSE_PROMPTS, view=home)


def _option(element: Any, value: str) -> dict[str, Any]:
    return forms.option_for(element, value)


def _label(option: dict[str, Any]) -> str:
    return str((option.get("text") or {}).get("text", option.get("value")))


def _submit(view: dict[str, Any]) -> str:
    """The modal's submit button as the person sees it: `[ Save ]`."""
    return f"[ {(view.get('submit') or {}).get('text', 'Submit')} ]"


def _plain(text: str, team: Team) -> str:
    for member in team.members:
        text = text.replace(f"<@{member.slack_id}>", f"@{member.first_name}")
    return text


def _initial_values(view: dict[str, Any], block_id: str) -> tuple[str, ...]:
    try:
        element = forms.element_in(view, block_id)
    except forms.FormError:
        return ()
    return tuple(str(o.get("value")) for o in element.get("initial_options") or [])


def _looks_unknown(shown: list[Shown]) -> bool:
    """The app answered with its "did you mean" help: the subcommand does not exist in this build."""
    return any("did you mean" in item.text.lower() or "isn't a command" in item.text.lower() for item in shown)
