"""What people ask of check-ins from Slack: start one (`/ladder checkin [@person] [current]`), open the
rating modal (a DM button or the App Home), submit one page of it, and what their Home lists.

Every call re-reads the check-in named by the request and re-checks the actor's part in it
(bot.services.checkins.role_in); a forged or foreign id, behaviour or evidence gets `Refused`, which
listeners answer with the neutral `access.NOT_AVAILABLE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.services import access, assessments, checkins
from bot.services.actor import Actor
from bot.services.assessments import VerdictView
from bot.services.checkins import Page
from bot.services.lookup import find_person
from frameworks import Framework, Library
from storage.models import CheckIn, CheckInOrigin, CheckInState, Person, Rater
from storage.uow import UnitOfWork, UnitOfWorkFactory

MAX_EVIDENCE_OPTIONS = 100  # facts, "Block Kit limits": a select holds at most 100 options


@dataclass(frozen=True, slots=True)
class Refused:
    """Not theirs to see or rate, or an id that names nothing: answer `access.NOT_AVAILABLE`."""


@dataclass(frozen=True, slots=True)
class NotSetUp:
    """The person has no ladder placement (or their ladder is not loaded)."""


@dataclass(frozen=True, slots=True)
class NothingToRate:
    """Their next milestone lists no behaviours (e.g. the top of the ladder everywhere)."""


@dataclass(frozen=True, slots=True)
class Closed:
    """The check-in is no longer open: it was revealed (both submitted, or the deadline passed)."""


@dataclass(frozen=True, slots=True)
class Started:
    checkin_id: int
    created: bool  # False: the person's open check-in was resumed
    role: Rater  # the starter's part in it
    person_slack_id: str
    person_name: str
    manager_slack_id: str | None  # None: self-only, nobody to rate with
    areas: int
    deadline_at: datetime
    person_tz: str = "UTC"
    manager_tz: str = "UTC"

    def tz_of(self, slack_user_id: str | None) -> str:
        """The time zone of one of its raters (dates in their DMs are their local dates)."""
        return (
            self.manager_tz if slack_user_id is not None and slack_user_id == self.manager_slack_id else self.person_tz
        )

    @property
    def starter_tz(self) -> str:
        return self.person_tz if self.role is Rater.SELF else self.manager_tz

    @property
    def self_only(self) -> bool:
        return self.manager_slack_id is None

    @property
    def other_rater(self) -> str | None:
        """Whom to DM a "Start rating" button (the starter is answered directly)."""
        return self.manager_slack_id if self.role is Rater.SELF else self.person_slack_id


@dataclass(frozen=True, slots=True)
class EvidenceOption:
    id: int
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RatingForm:
    """One page of the rating surface for one rater, pre-filled with their previous verdicts."""

    checkin_id: int
    page: Page
    page_count: int
    rater: Rater
    person_name: str
    self_only: bool
    previous: Mapping[str, VerdictView]
    evidence: Mapping[str, tuple[EvidenceOption, ...]]
    tz: str = "UTC"  # the rater's (the reader's)


@dataclass(frozen=True, slots=True)
class Answer:
    """One behaviour's answer as the modal sent it (raw values, checked by the service)."""

    verdict: str | None
    comment: str | None = None
    evidence_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Invalid:
    """Behaviours left without a verdict: behaviour id -> message."""

    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Finished:
    checkin_id: int
    revealed: bool  # this submission completed the check-in: send the result now
    self_only: bool
    waiting_for: str | None = None  # the other rater's Slack id while they have not submitted
    other_rater: str | None = field(default=None, compare=False)  # whose Home to refresh (None: self-only)


@dataclass(frozen=True, slots=True)
class PendingCheckin:
    """An open check-in on someone's Home: theirs, or a report's they rate as manager."""

    checkin_id: int
    rater: Rater
    person_name: str
    areas_done: int
    areas_total: int
    submitted: bool
    deadline_at: datetime
    self_only: bool


@dataclass(frozen=True, slots=True)
class _Opened:
    checkin: CheckIn
    person: Person
    actor: Person
    rater: Rater
    framework: Framework
    pages: list[Page] = field(default_factory=list)


def start_checkin(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    actor: Actor,
    *,
    subject_slack_id: str | None,
    include_current: bool,
    now: datetime,
) -> Started | Refused | NotSetUp | NothingToRate:
    """Start (or resume) a check-in: the actor's own, or a report's as their current accepted manager."""
    with uow_factory() as uow:
        me = actor.person(uow)
        if subject_slack_id is None or subject_slack_id == actor.slack_user_id:
            if me is None:
                return NotSetUp()
            person, role = me, Rater.SELF
        else:
            person = find_person(uow, actor.team_id, subject_slack_id)
            if me is None or person is None or not access.is_current_manager(uow, me, person):
                uow.audit.record(
                    actor.slack_user_id,
                    access.DENIED,
                    subject_slack_id,
                    {"wanted": "checkin"},
                    workspace_team_id=actor.team_id,
                    now=now,
                )
                return Refused()
            role = Rater.MANAGER
        placement = uow.placements.current_for(person.id)
        if placement is None or placement.framework_id not in library:
            return NotSetUp() if role is Rater.SELF else Refused()
        framework = library[placement.framework_id]
        existing = uow.checkins.open_for(person.id)
        if existing is None and not checkins.frozen_behaviours(framework, placement, include_current=include_current):
            return NothingToRate()
        checkin, created = checkins.start(
            uow,
            person=person,
            framework=framework,
            placement=placement,
            starter=me,
            origin=CheckInOrigin.SELF if role is Rater.SELF else CheckInOrigin.MANAGER,
            now=now,
            include_current=include_current,
        )
        return started_outcome(uow, library, checkin, person, role, created)


def started_outcome(
    uow: UnitOfWork, library: Library, checkin: CheckIn, person: Person, role: Rater, created: bool
) -> Started:
    manager = uow.people.get(checkin.manager_id) if checkin.manager_id is not None else None
    framework = library.get(checkin.framework_id)
    pages = checkins.pages_of(framework, checkin.behaviour_ids) if framework is not None else []
    return Started(
        checkin_id=checkin.id,
        created=created,
        role=role,
        person_slack_id=person.slack_user_id,
        person_name=person.display_name or person.slack_user_id,
        manager_slack_id=manager.slack_user_id if manager is not None else None,
        areas=len({page.area_id for page in pages}),
        deadline_at=checkin.deadline_at,
        person_tz=person.tz or "UTC",
        manager_tz=(manager.tz or "UTC") if manager is not None else "UTC",
    )


def _open(uow: UnitOfWork, library: Library, actor: Actor, checkin_id: int | None) -> _Opened | Refused | Closed:
    me = actor.person(uow)
    checkin = uow.checkins.get(checkin_id) if checkin_id is not None else None
    if me is None or checkin is None:
        return Refused()
    rater = checkins.role_in(uow, checkin, me)
    person = uow.people.get(checkin.person_id)
    if rater is None or person is None or checkin.framework_id not in library:
        return Refused()
    if checkin.state is not CheckInState.OPEN:
        return Closed()
    framework = library[checkin.framework_id]
    return _Opened(checkin, person, me, rater, framework, checkins.pages_of(framework, checkin.behaviour_ids))


def open_rating(
    uow_factory: UnitOfWorkFactory, library: Library, actor: Actor, checkin_id: int | None, now: datetime
) -> RatingForm | Refused | Closed:
    """The page the actor should rate next: the first with a behaviour they have not rated yet."""
    with uow_factory() as uow:
        opened = _open(uow, library, actor, checkin_id)
        if not isinstance(opened, _Opened):
            return opened
        if not opened.pages:
            return Refused()
        rated = checkins.rated_ids(uow, opened.checkin, opened.rater)
        page = checkins.first_unrated_page(opened.pages, rated) or opened.pages[0]
        return _form(uow, opened, page, now)


def _form(uow: UnitOfWork, opened: _Opened, page: Page, now: datetime) -> RatingForm:
    person, framework = opened.person, opened.framework
    previous = dict(assessments.current(uow, person.id, framework.id, viewer=opened.rater).of(opened.rater))
    own = {row.id for row in checkins.own_verdicts(uow, opened.checkin, opened.rater)}
    for behaviour_id, view in list(previous.items()):
        if view.checkin_id == opened.checkin.id and view.id not in own:
            del previous[behaviour_id]  # a former manager's blind verdict here is not the new manager's
    if opened.rater is Rater.MANAGER:
        # The manager is shown the person's evidence to cite: a read of someone else's evidence.
        access.record_read(
            uow.audit,
            viewer=opened.actor,
            subject=person,
            action=access.VIEWED_CHECKIN,
            details={"checkin_id": opened.checkin.id, "page": page.index, "surface": access.SURFACE_CHECKIN},
            at=now,
        )
    return RatingForm(
        checkin_id=opened.checkin.id,
        page=page,
        page_count=len(opened.pages),
        rater=opened.rater,
        person_name=person.display_name or person.slack_user_id,
        self_only=opened.checkin.manager_id is None,
        previous={b: previous[b] for b in page.behaviour_ids if b in previous},
        evidence=_evidence_for(uow, person.id, framework.id, page.behaviour_ids),
        tz=opened.actor.tz or "UTC",
    )


def _evidence_for(
    uow: UnitOfWork, person_id: int, framework_id: str, behaviour_ids: tuple[str, ...]
) -> dict[str, tuple[EvidenceOption, ...]]:
    """Per behaviour, the person's evidence tagged to it (newest first; disputed tags never count)."""
    wanted = set(behaviour_ids)
    found: dict[str, list[EvidenceOption]] = {}
    for item in reversed(uow.evidence.with_tags(person_id)):
        for tag in item.tags:
            if tag.framework_id == framework_id and tag.behaviour_id in wanted and tag.disputed_at is None:
                options = found.setdefault(tag.behaviour_id, [])
                if len(options) < MAX_EVIDENCE_OPTIONS:
                    options.append(EvidenceOption(item.id, item.text, item.created_at))
    return {b: tuple(options) for b, options in found.items()}


def submit_page(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    actor: Actor,
    *,
    checkin_id: int | None,
    page_index: int | None,
    view_id: str,
    answers: Mapping[str, Answer],
    now: datetime,
) -> RatingForm | Finished | Invalid | Refused | Closed:
    """Store one page's verdicts (once per view and behaviour: a double click or a Slack retry stores
    once), then the next page to rate, or the rater's submission (and the reveal when it completes)."""
    with uow_factory() as uow:
        opened = _open(uow, library, actor, checkin_id)
        if not isinstance(opened, _Opened):
            return opened
        if page_index is None or not 0 <= page_index < len(opened.pages):
            return Refused()
        page = opened.pages[page_index]
        if not set(answers) <= set(page.behaviour_ids):
            return Refused()  # a behaviour this page does not ask about: forged
        verdicts = {b: assessments.parse_verdict(a.verdict or "") for b, a in answers.items()}
        if any(verdicts[b] is None for b, a in answers.items() if a.verdict is not None):
            return Refused()  # an option the modal never offered
        missing = tuple(b for b in page.behaviour_ids if verdicts.get(b) is None)
        if missing:
            return Invalid(missing)
        allowed = _evidence_for(uow, opened.person.id, opened.framework.id, page.behaviour_ids)
        cited: dict[str, list[int]] = {}
        for behaviour_id, answer in answers.items():
            ids = {option.id for option in allowed.get(behaviour_id, ())}
            chosen = [int(v) for v in answer.evidence_ids if v.isdigit()]
            if len(chosen) != len(answer.evidence_ids) or not set(chosen) <= ids:
                return Refused()
            cited[behaviour_id] = chosen
        for behaviour in page.behaviours:
            verdict = verdicts[behaviour.id]
            assert verdict is not None
            assessments.record(
                uow,
                person=opened.person,
                rater=opened.actor,
                role=opened.rater,
                framework=opened.framework,
                behaviour=behaviour,
                verdict=verdict,
                now=now,
                comment=answers[behaviour.id].comment,
                evidence_ids=cited[behaviour.id],
                checkin_id=opened.checkin.id,
                source_key=f"checkin:{opened.checkin.id}:{opened.rater.value}:{behaviour.id}:{view_id}",
            )
        if page_index + 1 < len(opened.pages):
            return _form(uow, opened, opened.pages[page_index + 1], now)
        rated = checkins.rated_ids(uow, opened.checkin, opened.rater)
        gap = checkins.first_unrated_page(opened.pages, rated)
        if gap is not None:
            return _form(uow, opened, gap, now)
        checkin = opened.checkin
        checkins.mark_submitted(uow, checkin, opened.rater, now)
        revealed = checkins.reveal_if_complete(uow, checkin, now)
        waiting = None
        other = opened.person if opened.rater is Rater.MANAGER else uow.people.get(checkin.manager_id or 0)
        if not revealed and checkin.state is CheckInState.OPEN:
            other_done = checkins.submitted_at(checkin, Rater.SELF if opened.rater is Rater.MANAGER else Rater.MANAGER)
            waiting = other.slack_user_id if other is not None and other_done is None else None
        return Finished(
            checkin.id,
            revealed,
            checkin.manager_id is None,
            waiting,
            other_rater=other.slack_user_id if other is not None else None,
        )


def pending_for(uow: UnitOfWork, library: Library, person: Person, report_ids: list[int]) -> tuple[PendingCheckin, ...]:
    """Open check-ins on the person's Home: their own, and their reports' that they rate as manager.
    Three statements however many reports are in a check-in."""
    rows: list[PendingCheckin] = []
    found = uow.checkins.open_for_many([person.id, *report_ids])
    mine = {
        person_id: checkin
        for person_id, checkin in found.items()
        if (person_id == person.id or checkin.manager_id == person.id) and checkin.framework_id in library
    }
    rated = uow.assessments.rated_in([checkin.id for checkin in mine.values()])
    subjects = uow.people.get_many(pid for pid in mine if pid != person.id) | {person.id: person}
    for person_id, checkin in sorted(mine.items(), key=lambda item: item[1].deadline_at):
        rater = Rater.SELF if person_id == person.id else Rater.MANAGER
        pages = checkins.pages_of(library[checkin.framework_id], checkin.behaviour_ids)
        done, total = checkins.areas_done(pages, rated.get((checkin.id, rater), set()))
        subject = subjects.get(person_id)
        rows.append(
            PendingCheckin(
                checkin_id=checkin.id,
                rater=rater,
                person_name=(subject.display_name or subject.slack_user_id) if subject is not None else "",
                areas_done=done,
                areas_total=total,
                submitted=checkins.submitted_at(checkin, rater) is not None,
                deadline_at=checkin.deadline_at,
                self_only=checkin.manager_id is None,
            )
        )
    return tuple(rows)
