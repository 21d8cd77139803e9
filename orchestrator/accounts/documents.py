"""What the account routes answer: typed documents (msgspec structs), so the OpenAPI
document describes each body and the canvas's types come from it."""

from __future__ import annotations

from typing import Literal

import msgspec


class TokenAnswer(msgspec.Struct):
    """A sign-in: ``POST /api/auth/login``, ``/refresh``, ``/siwe/verify``."""

    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


class SiweNonce(msgspec.Struct, omit_defaults=True):
    nonce: str
    domain: str
    """The domain the message must name (``host[:port]``)."""
    chain_ids: list[int]
    expires_in: int
    address: str | msgspec.UnsetType = msgspec.UNSET
    """The ``?address=`` asked about, in EIP-55 form."""


class Profile(msgspec.Struct):
    """``GET /api/me``, and each user of ``GET /api/admin/users``. Money in USD."""

    id: str
    name: str
    role: Literal["user", "admin"]
    disabled: bool
    address: str | None
    credits: float
    daily_limit: float | None
    spent_today: float
    created_at: str


class UserPage(msgspec.Struct):
    users: list[Profile]
    next_cursor: str | None


class KeyCreated(msgspec.Struct):
    """``POST /api/keys``: the only answer that shows ``key``."""

    id: str
    name: str
    key: str
    prefix: str
    created_at: str


class KeyInfo(msgspec.Struct):
    id: str
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None


class KeyPage(msgspec.Struct):
    keys: list[KeyInfo]
    next_cursor: str | None


class LedgerEntry(msgspec.Struct):
    id: str
    amount: float
    kind: Literal["grant", "reserve", "charge", "release"]
    run_id: str | None
    node_id: str | None
    created_at: str
    note: str | None


class LedgerPage(msgspec.Struct):
    entries: list[LedgerEntry]
    next_cursor: str | None
