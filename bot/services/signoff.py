"""The quick sign-off in a manager's digest: a verdict on a behaviour with new evidence, citing it.

Outside a check-in, so it is visible to both sides at once. The menu's values came back from Slack:
disputes.manager_target re-checks the manager, the behaviour and every cited item. The source key is
the digest message plus behaviour plus verdict, so a Slack retry or a double click stores one verdict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from bot.deps import Deps
from bot.services import assessments
from bot.services.actor import Actor
from bot.services.assessments import VerdictView
from bot.services.disputes import NotAvailable, manager_target
from storage.models import MAX_SOURCE_KEY, Rater, Verdict


@dataclass(frozen=True, slots=True)
class SignedOff:
    verdict: VerdictView
    created: bool  # False: the same choice on the same message was stored before (a retry)
    person_name: str


def source_key(message_key: str, person_id: int, behaviour_id: str, verdict: Verdict, after: int) -> str:
    """`after`: the manager's current verdict's id (0: none), so changing one's mind back on the same
    message (A, B, A) stores the third choice too, while a retry of any one of them stores nothing."""
    key = f"signoff:{message_key}:{person_id}:{behaviour_id}:{verdict.value}:{after}"
    if len(key) <= MAX_SOURCE_KEY:
        return key
    return "signoff:" + hashlib.sha256(key.encode()).hexdigest()


def sign_off(
    deps: Deps,
    actor: Actor,
    *,
    person_id: int | None,
    behaviour_id: str | None,
    evidence_ids: Iterable[int],
    verdict: Verdict,
    message_key: str,
) -> SignedOff | NotAvailable:
    """Record the current manager's verdict on `behaviour_id`, citing the digest's evidence for it."""
    with deps.uow() as uow:
        target = manager_target(
            uow, deps.library, actor, person_id=person_id, behaviour_id=behaviour_id, evidence_ids=evidence_ids
        )
        if target is None:
            return NotAvailable()
        name = target.person.display_name or target.person.slack_user_id
        mine = assessments.current(uow, target.person.id, target.ladder.framework.id, viewer=Rater.MANAGER)
        latest = mine.manager_verdicts.get(target.behaviour.id)
        if latest is not None and latest.verdict is verdict and latest.checkin_id is None:
            return SignedOff(latest, False, name)  # a retry, or the same choice again: nothing new to store
        view, created = assessments.record(
            uow,
            person=target.person,
            rater=target.manager,
            role=Rater.MANAGER,
            framework=target.ladder.framework,
            behaviour=target.behaviour,
            verdict=verdict,
            now=deps.now(),
            evidence_ids=[e.id for e in target.evidence],
            source_key=source_key(
                message_key, target.person.id, target.behaviour.id, verdict, latest.id if latest else 0
            ),
        )
        return SignedOff(view, created, name)
