"""Signed, expiring URLs for the API's own content routes (the local store's
stand-in for presigned object-store URLs), and the base URL they start with.

- The base URL is the request being served (the client gets back the address it
  used); outside a request (a node handing a provider the URL of an input) it is
  ``FUSIONFLOW_PUBLIC_URL`` and nothing else: no Host header a stranger sent decides
  where a worker points a provider.
- The signing key is derived per purpose (HMAC-SHA256 as a KDF) from one master key:
  ``FUSIONFLOW_SECRET_KEY``, else a random key created once, readable by the owner only,
  in ``FUSIONFLOW_HOME/url-signing.key``.
"""

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

KEY_FILE = "url-signing.key"
_KDF_LABEL = b"fusionflow/v1/"


def remember_base_url(base: str) -> contextvars.Token:
    """Set the base URL for what is signed while serving this request."""
    return REQUEST_BASE_URL.set(base)


def base_url(public_url: str | None) -> str:
    """Where this API answers: the request being served, else ``public_url``
    (``FUSIONFLOW_PUBLIC_URL``), else "" (a path relative to the server)."""
    return REQUEST_BASE_URL.get() or (public_url or "").rstrip("/")


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed, readable by this user only (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def load_key(secret: str, home: Path) -> bytes:
    """The master key: ``FUSIONFLOW_SECRET_KEY`` if set, else the random key kept in
    ``home/url-signing.key``, created 0600 from its first byte on (first writer wins,
    even across processes)."""
    if secret:
        return secret.encode()
    path = home / KEY_FILE
    if not path.exists():
        private_dir(home)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return bytes.fromhex(path.read_text().strip())


def derive_key(master: bytes, purpose: str) -> bytes:
    """A key for one purpose only: a signature made for one never verifies for another."""
    return hmac.new(master, _KDF_LABEL + purpose.encode(), hashlib.sha256).digest()


class Signer:
    def __init__(self, master_key: bytes) -> None:
        self._master = master_key
        self._keys: dict[str, bytes] = {}

    def _mac(self, purpose: str, subject: str, expires: int) -> str:
        key = self._keys.get(purpose)
        if key is None:
            key = self._keys[purpose] = derive_key(self._master, purpose)
        return hmac.new(key, f"{subject}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def query(self, purpose: str, subject: str, seconds: int) -> str:
        expires = int(time.time()) + seconds
        return urlencode({"expires": expires, "signature": self._mac(purpose, subject, expires)})

    def verify(self, purpose: str, subject: str, expires: str | None, signature: str | None) -> str | None:
        """None when the signature is good and not expired, else why not."""
        if not expires or not signature:
            return "the URL is not signed"
        if not (expires.isascii() and expires.isdigit()) or len(expires) > 18:
            return "the URL's expiry is not a number"
        when = int(expires)
        if not hmac.compare_digest(self._mac(purpose, subject, when), signature):
            return "the URL's signature does not match"
        if when < time.time():
            return "the URL has expired: fetch the asset again for a fresh one"
        return None
