"""Sign-In with Ethereum (EIP-4361): single-use expiring nonces, and verification of a
signed message for this server's domain and an accepted chain.

The ``siwe`` package (which brings web3 and pydantic) is imported on first use only.
"""

from __future__ import annotations

import logging
import secrets
import string
import time
import warnings

from sqlalchemy import delete

from orchestrator.accounts.errors import Unauthorized
from orchestrator.store.db import Database
from orchestrator.store.models import siwe_nonces

log = logging.getLogger(__name__)

NONCE_SECONDS = 600
NONCE_LENGTH = 17
_ALPHANUMERIC = string.ascii_letters + string.digits
MAX_MESSAGE = 4096


def new_nonce(db: Database) -> str:
    """A fresh nonce (letters and digits), valid once for ``NONCE_SECONDS``."""
    nonce = "".join(secrets.choice(_ALPHANUMERIC) for _ in range(NONCE_LENGTH))
    now = time.time()
    with db.write() as conn:
        conn.execute(delete(siwe_nonces).where(siwe_nonces.c.expires_at < now))  # sweep the stale ones
        conn.execute(siwe_nonces.insert().values(nonce=nonce, expires_at=now + NONCE_SECONDS))
    return nonce


def checksummed(address: str) -> str:
    """``address`` in EIP-55 mixed case."""
    from eth_utils import to_checksum_address

    return to_checksum_address(address)


def verify(db: Database, message: str, signature: str, *, domain: str, chains: tuple[int, ...]) -> str:
    """The checksummed address that signed ``message``; ``Unauthorized`` naming what is wrong.
    The nonce is spent only by a message whose every check passed."""
    with warnings.catch_warnings():  # abnf 2.8 warns about siwe's grammar redefining core rules
        warnings.simplefilter("ignore")
        from siwe import siwe as siwe_lib

    if len(message) > MAX_MESSAGE:
        raise Unauthorized(f"the message is longer than {MAX_MESSAGE} characters")
    try:
        parsed = siwe_lib.SiweMessage.from_message(message)
    except Exception:  # the parser raises grammar and pydantic errors alike
        raise Unauthorized("the message is not an EIP-4361 (Sign-In with Ethereum) message") from None
    if parsed.domain != domain:
        log.info("SIWE message for domain %r refused (this server is %r)", parsed.domain, domain)
        raise Unauthorized(f"the message is for {parsed.domain!r}, not for this server ({domain!r})")
    if parsed.chain_id not in chains:
        raise Unauthorized(f"chain {parsed.chain_id} is not accepted here (FUSIONFLOW_SIWE_CHAINS: "
                           f"{', '.join(map(str, chains))})")
    try:
        parsed.verify(signature, domain=domain)
    except siwe_lib.ExpiredMessage:
        raise Unauthorized("the message has expired: sign a new one") from None
    except siwe_lib.NotYetValidMessage:
        raise Unauthorized("the message is not valid yet (Not Before)") from None
    except siwe_lib.VerificationError:
        raise Unauthorized("the signature does not match the message's address") from None
    except Exception:  # a signature that is not even hex
        raise Unauthorized("the signature is malformed") from None
    with db.write() as conn:
        spent = conn.execute(delete(siwe_nonces)
                             .where(siwe_nonces.c.nonce == parsed.nonce, siwe_nonces.c.expires_at >= time.time())
                             .returning(siwe_nonces.c.nonce)).first()
    if spent is None:
        raise Unauthorized("the nonce is unknown, expired or already used: get a new one "
                           "(GET /api/auth/siwe/nonce)")
    return parsed.address
