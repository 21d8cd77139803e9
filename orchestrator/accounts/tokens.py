"""Sign-ins: short-lived JWT access tokens and rotating refresh tokens.

Each sign-in (password or wallet) starts a family. A refresh token can be used
once: it is then spent and a new one of the same family is handed out. A spent
token used again means someone kept a copy: the whole family is revoked, and
with it every access token of that sign-in (access tokens name their sign-in,
which is checked on every request). Refresh tokens are stored as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time

import jwt
from sqlalchemy import Connection, select, update

from orchestrator.accounts.errors import Unauthorized
from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import refresh_tokens, sign_ins, users

log = logging.getLogger(__name__)

ACCESS_SECONDS = 15 * 60
REFRESH_SECONDS = 30 * 24 * 3600
ALGORITHM = "HS256"
REFRESH_PREFIX = "ffr_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_access_token(bearer: str) -> bool:
    return bearer.count(".") == 2 and not bearer.startswith("ff")


class Tokens:
    def __init__(self, db: Database, secret: bytes) -> None:
        self.db = db
        self._key = hmac.new(secret, b"fusionflow access tokens", hashlib.sha256).digest()

    # -- issuing ---------------------------------------------------------------------

    def sign_in(self, user_id: str, method: str) -> dict:
        """Start a sign-in for ``user_id``; answers the login body."""
        sign_in_id = new_id("s")
        with self.db.write() as conn:
            conn.execute(sign_ins.insert().values(id=sign_in_id, user_id=user_id, method=method,
                                                  created_at=now_iso(), revoked_at=None))
            refresh = self._new_refresh(conn, sign_in_id)
        return self._answer(user_id, sign_in_id, refresh)

    def refresh(self, token: str) -> dict:
        """Spend ``token`` for a new pair. A token spent before revokes its whole family."""
        with self.db.write() as conn:
            row = conn.execute(
                select(refresh_tokens.c.spent_at, refresh_tokens.c.expires_at, sign_ins.c.id, sign_ins.c.user_id,
                       sign_ins.c.revoked_at, users.c.disabled)
                .join(sign_ins, sign_ins.c.id == refresh_tokens.c.sign_in_id)
                .join(users, users.c.id == sign_ins.c.user_id)
                .where(refresh_tokens.c.token_hash == _digest(token))).first()
            problem = self._refusal(row)
            if problem is None:
                spent = conn.execute(update(refresh_tokens)
                                     .where(refresh_tokens.c.token_hash == _digest(token),
                                            refresh_tokens.c.spent_at.is_(None))
                                     .values(spent_at=now_iso()).returning(refresh_tokens.c.token_hash)).first()
                if spent is None:
                    problem = "that refresh token was already used"
            if problem == "that refresh token was already used":
                log.warning("refresh token reused: sign-in %s of user %s revoked", row.id, row.user_id)
                self._revoke(conn, row.id)
            refresh = self._new_refresh(conn, row.id) if problem is None else None
        if problem is not None:  # raised after commit: a revocation must stick
            raise Unauthorized(problem + "; sign in again")
        return self._answer(row.user_id, row.id, refresh)

    def sign_out(self, token: str) -> None:
        """End the sign-in that ``token`` belongs to (an unknown token changes nothing)."""
        with self.db.write() as conn:
            sign_in_id = conn.execute(select(refresh_tokens.c.sign_in_id)
                                      .where(refresh_tokens.c.token_hash == _digest(token))).scalar()
            if sign_in_id is not None:
                self._revoke(conn, sign_in_id)

    # -- checking ----------------------------------------------------------------------

    def access_user(self, token: str) -> str:
        """The user of a valid access token whose sign-in is live and who is not disabled."""
        try:
            claims = jwt.decode(token, self._key, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "sid"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the access token has expired: refresh it (POST /api/auth/refresh)") from None
        except jwt.InvalidTokenError:
            raise Unauthorized("that access token is not valid") from None
        if claims.get("typ") != "access":
            raise Unauthorized("that access token is not valid")
        with self.db.read() as conn:
            row = conn.execute(select(sign_ins.c.revoked_at, users.c.disabled)
                               .join(users, users.c.id == sign_ins.c.user_id)
                               .where(sign_ins.c.id == claims["sid"], sign_ins.c.user_id == claims["sub"])).first()
        if row is None or row.revoked_at is not None:
            raise Unauthorized("that sign-in has ended; sign in again")
        if row.disabled:
            raise Unauthorized("this account is disabled")
        return claims["sub"]

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _refusal(row) -> str | None:
        if row is None:
            return "that refresh token is not valid"
        if row.revoked_at is not None:
            return "that sign-in has ended"
        if row.disabled:
            return "this account is disabled"
        if row.spent_at is not None:
            return "that refresh token was already used"
        if row.expires_at < time.time():
            return "that refresh token has expired"
        return None

    @staticmethod
    def _new_refresh(conn: Connection, sign_in_id: str) -> str:
        token = REFRESH_PREFIX + secrets.token_urlsafe(32)
        conn.execute(refresh_tokens.insert().values(token_hash=_digest(token), sign_in_id=sign_in_id,
                                                    expires_at=time.time() + REFRESH_SECONDS, spent_at=None))
        return token

    @staticmethod
    def _revoke(conn: Connection, sign_in_id: str) -> None:
        conn.execute(update(sign_ins).where(sign_ins.c.id == sign_in_id, sign_ins.c.revoked_at.is_(None))
                     .values(revoked_at=now_iso()))

    def _answer(self, user_id: str, sign_in_id: str, refresh: str) -> dict:
        now = int(time.time())
        access = jwt.encode({"sub": user_id, "sid": sign_in_id, "typ": "access", "iat": now,
                             "exp": now + ACCESS_SECONDS, "jti": secrets.token_hex(8)}, self._key, algorithm=ALGORITHM)
        return {"access_token": access, "refresh_token": refresh, "token_type": "bearer", "expires_in": ACCESS_SECONDS}
