"""Signed URLs a provider calls when a suspended node's external job ends.

A suspended node's poller looks at its job every few seconds; with a public address
(``FUSIONFLOW_PUBLIC_URL``) the node also hands the provider a webhook URL (fal's
``fal_webhook``), and the provider's call makes the poller look at once.

The call is a hint, never trusted: its body is not read. It only moves the node's
next look to now; the poller then asks the provider itself, with the server's key.
The URL names the node by a token signed with a key derived for this purpose alone
(``orchestrator.assets.signing.derive_key``), so nobody can wake another's nodes by
guessing ids, and a signature made for anything else never verifies here. A header
would not do: the provider makes the request, and sends no header of ours.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PATH = "/api/job-webhooks/"
PURPOSE = "job-webhooks"


class JobWebhooks:
    def __init__(self, public_url: str | None, key: bytes) -> None:
        self._base = (public_url or "").rstrip("/")
        self._key = key

    def url(self, run_id: str, node_id: str) -> str | None:
        """The webhook URL of one node, or None when this server has no public address."""
        if not self._base:
            return None
        return f"{self._base}{PATH}{self.token(run_id, node_id)}"

    def token(self, run_id: str, node_id: str) -> str:
        node = base64.urlsafe_b64encode(node_id.encode()).decode().rstrip("=")
        return f"{run_id}.{node}.{self._sign(run_id, node)}"

    def verify(self, token: str) -> tuple[str, str] | None:
        """(run id, node id) of a token this server signed, else None."""
        parts = token.split(".")
        if len(parts) != 3 or len(token) > 1000:
            return None
        run_id, node, signature = parts
        if not hmac.compare_digest(signature, self._sign(run_id, node)):
            return None
        try:
            return run_id, base64.urlsafe_b64decode(node + "=" * (-len(node) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None

    def _sign(self, run_id: str, node: str) -> str:
        digest = hmac.new(self._key, f"{run_id}/{node}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
