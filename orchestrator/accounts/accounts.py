"""Registration, password sign-in and a user's own profile (``GET /api/me``)."""

from __future__ import annotations

import logging
import re

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from orchestrator.accounts import credits
from orchestrator.accounts.errors import Forbidden, InvalidField, Unauthorized
from orchestrator.accounts.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, verify_password
from orchestrator.accounts.tokens import Tokens
from orchestrator.errors import Conflict, NotFound
from orchestrator.settings import Settings
from orchestrator.store.db import Database
from orchestrator.store.users import User, get_user, insert_user, password_of, user_by_address

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
ADDRESS_LIKE = re.compile(r"^0x[0-9a-fA-F]{40}$")


class Accounts:
    def __init__(self, db: Database, settings: Settings, tokens: Tokens) -> None:
        self.db = db
        self.settings = settings
        self.tokens = tokens

    def register(self, username: str, password: str) -> dict:
        if not self.settings.registration_open:
            raise Forbidden("registration is closed on this server (FUSIONFLOW_REGISTRATION=open opens it)")
        if not USERNAME.match(username) or ADDRESS_LIKE.match(username):
            raise InvalidField("username: 2 to 64 letters, digits, '_', '.', '@' or '-', starting with a letter "
                               "or digit, and not an Ethereum address")
        check_password(password)
        try:
            with self.db.write() as conn:
                user_id = insert_user(conn, username, password_hash=hash_password(password))
        except IntegrityError:
            raise Conflict(f"the username {username!r} is taken", code="username_taken") from None
        log.info("registered user %s (%s)", username, user_id)
        return self.me(user_id)

    def login(self, username: str, password: str) -> dict:
        with self.db.read() as conn:
            user_id, password_hash = password_of(conn, username)
        if not verify_password(password_hash, password[:MAX_LENGTH]) or user_id is None:
            log.info("failed sign-in for %r", username[:64])
            raise Unauthorized("wrong username or password")
        return self._sign_in(user_id, "password")

    def wallet_sign_in(self, address: str) -> dict:
        """Sign in the user of a verified address, making one on its first visit."""
        with self.db.read() as conn:
            user_id = user_by_address(conn, address)
        if user_id is None:
            try:
                with self.db.write() as conn:
                    user_id = insert_user(conn, address, address=address)
                log.info("new wallet user %s (%s)", address, user_id)
            except IntegrityError:  # a first sign-in of the same address at the same moment
                with self.db.read() as conn:
                    user_id = user_by_address(conn, address)
                if user_id is None:
                    raise Conflict(f"a user named {address} exists without that address") from None
        return self._sign_in(user_id, "siwe")

    def _sign_in(self, user_id: str, method: str) -> dict:
        with self.db.read() as conn:
            if get_user(conn, user_id).disabled:
                raise Unauthorized("this account is disabled")
        return self.tokens.sign_in(user_id, method)

    def me(self, user_id: str) -> dict:
        return profile_of(self.db, user_id)


def profile_of(db: Database, user_id: str) -> dict:
    with db.read() as conn:
        user = get_user(conn, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        return profile(conn, user)


def profile(conn: Connection, user: User) -> dict:
    """A user as ``GET /api/me`` and the admin's list show it."""
    return {"id": user.id, "name": user.name, "role": user.role, "disabled": user.disabled, "address": user.address,
            "credits": credits.usd(credits.balance(conn, user.id)), "daily_limit": user.daily_limit,
            "spent_today": credits.usd(credits.spent_today(conn, user.id)), "created_at": user.created_at}


def check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidField(f"password: at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidField(f"password: at most {MAX_LENGTH} characters")
