"""The demo's weekly steps: each way an engineer captures evidence (the prompt's modal, a thread reply,
`/ladder log`, the message shortcut on a kudos post, "Nothing this week"), a vacation week, and the
lookups (`/ladder me`, `/ladder search`, the App Home).

Each answer tells a story from the engineer's `StoryBook`; what the bot asked about and how it tagged an
answer are read from its own tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.demo import forms
from bot.demo.scenario_log import Capture
from bot.demo.shown import Shown
from bot.demo.stories import behaviour_text, tag_answers
from bot.demo.team import Member, Story, Team
from bot.ids import Callback, EvidenceAction, EvidenceBlock, PromptAction
from bot.services.evidence import ladder_for

if TYPE_CHECKING:
    from bot.demo.scenario import Scenario

SEARCH_WORDS = "flaky tests"


def prompted_ids(scenario: Scenario, prompt: dict[str, Any]) -> tuple[str, ...]:
    """The behaviours a prompt DM asks about, read from the bot's prompts table by the button's id."""
    value = forms.element_value(prompt, PromptAction.ADD_EVIDENCE)
    if not value or not value.isdigit():
        return ()
    with scenario.world.deps.uow() as uow:
        found = uow.prompts.get(int(value))
        return tuple(found.behaviour_ids or ()) if found is not None else ()


def saved_tags(scenario: Scenario, member: Member, text: str) -> tuple[str, ...]:
    """The behaviours the bot tagged the newest evidence with this text (read from its tables)."""
    with scenario.world.deps.uow() as uow:
        person = scenario.person_of(uow, member)
        rows = [e for e in uow.evidence.all_for(person.id) if e.text == text] if person else []
        return tuple(tag.behaviour_id for tag in rows[-1].tags) if rows else ()


def best_match(scenario: Scenario, member: Member, text: str) -> str | None:
    """The behaviour the bot's own ranker picks for `text` on this person's ladder."""
    with scenario.world.deps.uow() as uow:
        person = scenario.person_of(uow, member)
        ladder = ladder_for(uow, scenario.world.deps.library, person) if person else None
        found = ladder.best_match(text) if ladder is not None else None
        return found.id if found is not None else None


def tags_in_words(scenario: Scenario, member: Member, behaviour_ids: Sequence[str]) -> str:
    return " and ".join(f"“{behaviour_text(scenario.framework_of(member), b)}”" for b in behaviour_ids)


def latest_prompt(scenario: Scenario, member: Member) -> dict[str, Any] | None:
    """The newest prompt DM (a message with the prompt's buttons) not answered by the script yet."""
    for message in reversed(scenario.world.dm(member)):
        if message.get("thread_ts") and message.get("thread_ts") != message.get("ts"):
            continue
        if forms.has_action(message, PromptAction.ADD_EVIDENCE):
            if scenario.prompt_seen.get(member.slack_id) == message["ts"]:
                return None
            return message
    return None


def _prompt_or_note(scenario: Scenario, member: Member, week: int) -> dict[str, Any] | None:
    prompt = latest_prompt(scenario, member)
    if prompt is None:
        scenario.narrate(member, f"{member.first_name} has no open prompt this week (week {week}).")
    return prompt


def answer_by_modal(scenario: Scenario, member: Member, week: int, *, method: str = "modal") -> None:
    """Add evidence from the prompt: a story that shows the prompted behaviour, or (none does) another
    story, tagged with what it shows instead of the pre-selected prompted behaviour."""
    prompt = _prompt_or_note(scenario, member, week)
    if prompt is None:
        return
    scenario.prompt_seen[member.slack_id] = prompt["ts"]
    prompted = prompted_ids(scenario, prompt)
    story = scenario.stories.showing(member, prompted)
    if story is None and method == "thread":
        scenario.narrate(
            member,
            f"{member.first_name} has nothing this week that shows the prompted behaviour, but wants to save "
            "something else.",
        )
    scenario.narrate(member, f"{member.first_name} presses [ Add evidence ] on the prompt.")
    scenario.world.click(member.slack_id, PromptAction.ADD_EVIDENCE, message=prompt)
    view = scenario.world.current_view(member.slack_id)
    if view is None or view.get("callback_id") != Callback.EVIDENCE:
        scenario.unavailable("the evidence modal")
        return
    answers: dict[str, object]
    if story is not None:
        answers = {EvidenceBlock.TEXT: story.text}
        scenario.narrate(member, f"{member.first_name} writes “{story.text}” and presses {forms.submit_button(view)}.")
    else:
        story = scenario.stories.next(member)
        answers = {EvidenceBlock.TEXT: story.text, **_tags(view, story.shows)}
        scenario.narrate(
            member,
            f"{member.first_name} writes “{story.text}”, tags it {tags_in_words(scenario, member, story.shows)} "
            f"instead of the prompted behaviour, and presses {forms.submit_button(view)}.",
        )
    scenario.world.submit(member.slack_id, view, answers)
    scenario.log.captures.append(Capture(week, member.slack_id, "modal", story.text, scenario.world.now(), story.shows))


def _tags(view: dict[str, Any], behaviour_ids: Sequence[str]) -> dict[str, object]:
    return tag_answers(view, (EvidenceBlock.BEHAVIOURS, EvidenceBlock.SEARCH), behaviour_ids)


def answer_in_thread(scenario: Scenario, member: Member, week: int) -> None:
    prompt = latest_prompt(scenario, member)
    if prompt is not None and not stories_fit(scenario, member, prompted_ids(scenario, prompt)):
        # A reply is tagged with the prompted behaviour: with no story that shows it, use the modal.
        answer_by_modal(scenario, member, week, method="thread")
        return
    prompt = _prompt_or_note(scenario, member, week)
    if prompt is None:
        return
    scenario.prompt_seen[member.slack_id] = prompt["ts"]
    story = scenario.stories.showing(member, prompted_ids(scenario, prompt))
    assert story is not None
    scenario.narrate(member, f"{member.first_name} replies in the prompt's thread: “{story.text}”")
    scenario.world.say(member.slack_id, story.text, thread_ts=prompt["ts"])
    scenario.log.captures.append(
        Capture(week, member.slack_id, "thread", story.text, scenario.world.now(), story.shows)
    )


def stories_fit(scenario: Scenario, member: Member, behaviour_ids: Sequence[str]) -> bool:
    wanted = set(behaviour_ids)
    return any(wanted & set(story.shows) for story in scenario.stories.unused(member))


def nothing_this_week(scenario: Scenario, member: Member, week: int) -> None:
    prompt = _prompt_or_note(scenario, member, week)
    if prompt is None:
        return
    scenario.prompt_seen[member.slack_id] = prompt["ts"]
    scenario.narrate(member, f"{member.first_name} presses [ Nothing this week ].")
    scenario.world.click(member.slack_id, PromptAction.NOTHING_THIS_WEEK, message=prompt)
    scenario.log.nothing_weeks.append((member.slack_id, week))


def log_command(scenario: Scenario, member: Member, week: int) -> None:
    """`/ladder log`, auto-tagged by the bot: the engineer fixes the tag with [ Change tag ] if needed."""
    unused = scenario.stories.unused(member)
    story = next((s for s in unused if best_match(scenario, member, s.text) in s.shows), unused[0])
    scenario.stories.take(member, story)
    scenario.narrate(member, f"{member.first_name} types `/ladder log {story.text}`")
    shown = scenario.world.command(member.slack_id, f"log {story.text}")
    if _looks_unknown(shown):
        scenario.unavailable("`/ladder log`")
        return
    scenario.log.captures.append(Capture(week, member.slack_id, "log", story.text, scenario.world.now(), story.shows))
    if story.shows and not set(saved_tags(scenario, member, story.text)) <= set(story.shows):
        answer = next((item for item in shown if forms.has_action(item.payload, EvidenceAction.RETAG)), None)
        if answer is not None:
            retag(scenario, member, answer.payload, story)


def retag(scenario: Scenario, member: Member, message: dict[str, Any], story: Story) -> None:
    scenario.narrate(member, f"{member.first_name} presses [ Change tag ]: it shows something else.")
    scenario.world.click(member.slack_id, EvidenceAction.RETAG, message=message)
    view = scenario.world.current_view(member.slack_id)
    if view is None or view.get("callback_id") != Callback.RETAG:
        scenario.unavailable("changing a tag")
        return
    scenario.narrate(
        member,
        f"{member.first_name} tags it {tags_in_words(scenario, member, story.shows)} "
        f"and presses {forms.submit_button(view)}.",
    )
    scenario.world.submit(member.slack_id, view, _tags(view, story.shows))


def post_kudos(scenario: Scenario, author: Member, member: Member) -> None:
    text = scenario.team.kudos_text.replace("{engineer}", member.first_name)
    scenario.narrate(
        author, f"{author.first_name} posts in #{scenario.team.channel_name}: “{_plain(text, scenario.team)}”"
    )
    scenario.kudos = scenario.world.post_in_channel(author.slack_id, text)


def save_kudos(scenario: Scenario, member: Member, week: int) -> None:
    message = scenario.kudos
    if message is None:
        return
    scenario.narrate(member, f"{member.first_name} uses the message shortcut “Save as growth evidence” on it.")
    shown = scenario.world.shortcut(member.slack_id, Callback.SAVE_AS_EVIDENCE, message)
    view = scenario.world.current_view(member.slack_id)
    if view is None or view.get("callback_id") != Callback.SAVE_AS_EVIDENCE_CONFIRM or not shown:
        scenario.unavailable("the “Save as growth evidence” shortcut")
        return
    shows = scenario.team.kudos_shows.get(member.framework, ())
    suggested = _initial_values(view, EvidenceBlock.BEHAVIOURS)
    if not shows or set(suggested) == set(shows):
        scenario.narrate(
            member, f"{member.first_name} keeps the suggested tag and presses {forms.submit_button(view)}."
        )
        answers: dict[str, object] = {}
    else:
        scenario.narrate(
            member,
            f"{member.first_name} tags it {tags_in_words(scenario, member, shows)} "
            f"and presses {forms.submit_button(view)}.",
        )
        answers = _tags(view, shows)
    scenario.world.submit(member.slack_id, view, answers)
    scenario.log.captures.append(
        Capture(week, member.slack_id, "shortcut", message["text"], scenario.world.now(), tuple(shows))
    )


def go_on_vacation(scenario: Scenario, member: Member, week: int) -> None:
    scenario.narrate(member, f"{member.first_name} sets a Slack status for the week ahead: :palm_tree: “Vacation”.")
    scenario.world.fake.set_status(member.slack_id, "Vacation", ":palm_tree:")
    scenario.log.vacations.append((member.slack_id, week))


def report_skip(scenario: Scenario, member: Member, due_at: datetime) -> None:
    """Say what the bot recorded for a week it did not prompt (read from its own prompts table)."""
    with scenario.world.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(scenario.team.team_id)
        person = uow.people.get_by_slack_id(workspace.id, member.slack_id) if workspace else None
        prompts = [p for p in uow.prompts.all_for(person.id) if p.due_at == due_at] if person else []
        state = (str(prompts[0].state), prompts[0].skip_reason) if prompts else None
    if state is None:
        scenario.narrate(member, f"No prompt for {member.first_name} this week, and nothing recorded.")
        return
    reason = f" ({state[1]})" if state[1] else ""
    scenario.narrate(
        member, f"No prompt for {member.first_name} this week: growthbot recorded it as {state[0]}{reason}."
    )


def come_back(scenario: Scenario, member: Member, week: int) -> None:
    scenario.narrate(member, f"{member.first_name} is back and clears the Slack status.")
    scenario.world.fake.set_status(member.slack_id, "", "")


def ladder_me(scenario: Scenario, member: Member) -> None:
    scenario.narrate(member, f"{member.first_name} types `/ladder me`.")
    scenario.world.command(member.slack_id, "me")


def ladder_search(scenario: Scenario, member: Member) -> None:
    scenario.narrate(member, f"{member.first_name} types `/ladder search {SEARCH_WORDS}`.")
    scenario.world.command(member.slack_id, f"search {SEARCH_WORDS}")


def open_home(scenario: Scenario, member: Member) -> None:
    scenario.narrate(member, f"{member.first_name} opens growthbot's App Home.")
    scenario.transcript.condenser.expand_next("home", member.slack_id)
    scenario.world.open_home(member.slack_id)


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
