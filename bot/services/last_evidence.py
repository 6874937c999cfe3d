"""The one definition of a person's "last answer", for every surface (Home, digest, packet, team).

It is the last evidence they saved, by any path (a prompt reply, `/ladder log`, the modal, the
shortcut), not the last prompt they answered: a prompt answered "nothing this week" shows nothing a
manager could read, and evidence logged without a prompt is an answer all the same. Surfaces call it
"last evidence" (`LABEL`) so nobody reads it as a response rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from storage.uow import UnitOfWork

LABEL = "last evidence"
NONE_YET = "no evidence yet"


def last_evidence_at(
    uow: UnitOfWork, person_ids: Iterable[int], *, until: datetime | None = None
) -> dict[int, datetime]:
    """person id -> when they last saved evidence (not deleted; at or before `until`), one statement."""
    return uow.evidence.latest_at_for_people(person_ids, until=until)


def latest(moments: Iterable[datetime]) -> datetime | None:
    """The same rule over items already loaded (a packet holds every not-deleted item): the newest."""
    return max(moments, default=None)


def last_evidence_of(uow: UnitOfWork, person_id: int, *, until: datetime | None = None) -> datetime | None:
    return last_evidence_at(uow, [person_id], until=until).get(person_id)
