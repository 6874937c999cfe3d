"""Who clicked, typed or submitted: the Slack ids of the signed request, and their person row.

One `Actor` is made per request (by the Bolt middleware in bot.listeners.request_context) and handed to
the service the listener calls. The person is looked up by Slack ids the first time a service asks,
after the ack, so acknowledging a request never waits on the database; later asks in the same
request load the row by its id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.lookup import find_person
from storage.models import Person
from storage.uow import UnitOfWork


@dataclass(eq=False, slots=True)
class Actor:
    team_id: str
    slack_user_id: str
    _person_id: int | None = field(default=None, init=False, repr=False)

    def person(self, uow: UnitOfWork) -> Person | None:
        """The acting person in this unit of work's session; None when they never used growthbot."""
        if self._person_id is not None:
            known = uow.people.get(self._person_id)
            if known is not None:
                return known
        person = find_person(uow, self.team_id, self.slack_user_id)
        self._person_id = person.id if person is not None else None
        return person
