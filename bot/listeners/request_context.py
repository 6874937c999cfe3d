"""The Bolt middleware that gives every listener its `deps`, the acting person (`actor`) and whose
people the request concerns (`tenant_id`).

Bolt's global middleware runs for every incoming request before its listener, and what it puts in
`context` reaches listeners as keyword arguments of the same name (Bolt docs, "Global middleware":
https://docs.slack.dev/tools/bolt-python/concepts/global-middleware, and "Adding context"). So a
handler is a plain top-level function asking for `deps: Deps` and `actor: Actor`, and no handler
reads the Slack ids out of the payload or looks the person up itself.

It also replaces Bolt's `respond` with one that posts over kept-alive connections
(`bot.slack_http.PooledRespond`): Bolt's opens a new connection for every response_url post.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.deps import Deps
from bot.services.actor import Actor
from bot.slack_http import pooled_respond


def acting_ids(body: Mapping[str, Any]) -> tuple[str, str | None]:
    """(team id, user id) of whoever sent the request, read from the signed payload itself.

    Interactivity (buttons, modals, shortcuts, options) names them in `team.id` / `user.id`, slash
    commands in `team_id` / `user_id`, events in `team_id` / `event.user`. Never anything a view or
    a button value carries.
    """
    event = body.get("event")
    if isinstance(event, Mapping):
        user = event.get("user")
        return body.get("team_id") or event.get("team") or "", user if isinstance(user, str) else None
    team, user = body.get("team"), body.get("user")
    team_id = team.get("id") if isinstance(team, Mapping) else body.get("team_id")
    user_id = user.get("id") if isinstance(user, Mapping) else body.get("user_id")
    return team_id or "", user_id if isinstance(user_id, str) else None


def tenant_id(context: BoltContext, team_id: str) -> str:
    """Whose people these are: the Grid organisation for an org-wide install, else the workspace.

    An org-wide install on Enterprise Grid serves every workspace of the organisation, and a user id is
    the same in all of them, so a person is one person across the org: their `Workspace` row is keyed by
    the enterprise id. Bolt reads `is_enterprise_install` and the enterprise id from the signed payload
    (`slack_bolt.request.internals.build_context`; slack-facts, "Several workspaces").
    """
    enterprise_id = context.enterprise_id
    return enterprise_id if context.is_enterprise_install and enterprise_id else team_id


class RequestContext(Middleware):
    # A class middleware: Bolt calls it directly, without building keyword arguments per request.
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        req.context["deps"] = self.deps
        team_id, user_id = acting_ids(req.body)
        tenant = tenant_id(req.context, team_id)
        req.context["tenant_id"] = tenant
        # The person is looked up lazily, after the ack (see bot.services.actor): this runs before it.
        req.context["actor"] = Actor(tenant, user_id) if user_id else None
        respond = pooled_respond(req.context)
        if respond is not None:  # Bolt's `context.respond` builds its own only when none is there yet
            req.context["respond"] = respond
        return next()
