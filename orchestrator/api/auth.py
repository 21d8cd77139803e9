"""Who is asking: the local user, or, with auth on, the owner of the bearer credential
(an API key or an access token). Only the two event streams also take it as ``?key=``
(a browser's EventSource sends no headers)."""

from __future__ import annotations

import re

from litestar import Request

from orchestrator.accounts.errors import Unauthorized
from orchestrator.api.state import Services
from orchestrator.store.users import LOCAL_USER_ID

EVENT_STREAMS = re.compile(r"^/api/(?:events|runs/[^/]+/events)$")


def bearer_of(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, credential = header.partition(" ")
        return credential.strip() if scheme.lower() == "bearer" else ""
    if EVENT_STREAMS.match(request.url.path):
        return request.query_params.get("key", "")
    return ""


def current_user(request: Request, services: Services) -> str:
    if not services.runtime.settings.auth_required:
        return LOCAL_USER_ID
    bearer = bearer_of(request)
    if not bearer:
        raise Unauthorized("send Authorization: Bearer <key or access token> (sign in with POST /api/auth/login, "
                           "or create a key with `fusionflow users create NAME`)")
    return services.accounts.identity.user_of(bearer)


def current_admin(user_id: str, services: Services) -> str:
    """The caller, who must be an admin (with auth off, the local user is)."""
    if services.runtime.settings.auth_required:
        services.accounts.admin.require(user_id)
    return user_id
