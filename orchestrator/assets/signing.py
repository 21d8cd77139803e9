"""Signed, expiring URLs for the API's own content routes (the local store's
stand-in for presigned object-store URLs), and the base URL they start with."""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

REQUEST_BASE_URL: contextvars.ContextVar[str | None] = contextvars.ContextVar("ff_request_base_url", default=None)
"""``scheme://host`` of the HTTP request being served (set by the API's middleware)."""

_last_seen: list[str] = []


def remember_base_url(base: str) -> contextvars.Token:
    if not _last_seen or _last_seen[0] != base:
        _last_seen[:] = [base]
    return REQUEST_BASE_URL.set(base)


def base_url() -> str:
    """Where this API answers: the request being served, else ``FUSIONFLOW_PUBLIC_URL``,
    else the last address a request came to, else a path relative to the server."""
    return (REQUEST_BASE_URL.get() or os.environ.get("FUSIONFLOW_PUBLIC_URL", "").rstrip("/")
            or (_last_seen[0] if _last_seen else ""))


def load_key(secret: str, home: Path) -> bytes:
    """``FUSIONFLOW_SECRET_KEY`` if set, else a random key kept in ``home/url-signing.key``."""
    if secret:
        return hashlib.sha256(secret.encode()).digest()
    path = home / "url-signing.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # first writer wins, even across processes
        except FileExistsError:
            pass
        tmp.unlink()
    return bytes.fromhex(path.read_text().strip())


class Signer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, purpose: str, subject: str, expires: int) -> str:
        message = f"{purpose}\n{subject}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def query(self, purpose: str, subject: str, seconds: int) -> str:
        expires = int(time.time()) + seconds
        return urlencode({"expires": expires, "signature": self._mac(purpose, subject, expires)})

    def verify(self, purpose: str, subject: str, expires: str | None, signature: str | None) -> str | None:
        """None when the signature is good and not expired, else why not."""
        if not expires or not signature:
            return "the URL is not signed"
        try:
            when = int(expires)
        except ValueError:
            return "the URL's expiry is not a number"
        if not hmac.compare_digest(self._mac(purpose, subject, when), signature):
            return "the URL's signature does not match"
        if when < time.time():
            return "the URL has expired: fetch the asset again for a fresh one"
        return None
