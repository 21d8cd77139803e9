"""Who is asking: the local user, or the owner of the bearer key when auth is on."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from orchestrator.api.state import Services
from orchestrator.store.users import LOCAL_USER_ID, user_by_key


def current_user(request: Request, services: Services) -> str:
    if not services.runtime.settings.auth_required:
        return LOCAL_USER_ID
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if not header and request.url.path.endswith("/events"):
        # EventSource cannot send headers: the event streams also take ?key=.
        scheme, key = "bearer", request.query_params.get("key", "")
    if scheme.lower() != "bearer" or not key:
        raise NotAuthorizedException("send Authorization: Bearer <key> (create one with `fusionflow users create NAME`)")
    user_id = user_by_key(services.runtime.db, key.strip())
    if user_id is None:
        raise NotAuthorizedException("that API key is not valid")
    return user_id
