"""Who a bearer credential belongs to: an API key or an access token."""

from __future__ import annotations

from orchestrator.accounts.errors import Unauthorized
from orchestrator.accounts.keys import KeyLookup
from orchestrator.accounts.tokens import Tokens, looks_like_access_token


class Identity:
    def __init__(self, tokens: Tokens, keys: KeyLookup) -> None:
        self.tokens = tokens
        self.keys = keys

    def user_of(self, bearer: str) -> str:
        """The id of the live, enabled user that ``bearer`` belongs to; else ``Unauthorized``."""
        if looks_like_access_token(bearer):
            return self.tokens.access_user(bearer)
        found = self.keys.user_of(bearer)
        if found is None:
            raise Unauthorized("that API key is not valid")
        user_id, disabled = found
        if disabled:
            raise Unauthorized("this account is disabled")
        return user_id
