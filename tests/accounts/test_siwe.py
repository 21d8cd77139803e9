"""Sign-In with Ethereum (contract section 12), with real signatures: messages built by
the `siwe` package, signed by eth-account, checked by the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from siwe import SiweMessage

from tests.accounts.conftest import bearer


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signed(account, nonce: str, *, domain: str, chain_id: int = 1, expires_in: timedelta | None = None,
           signer=None) -> dict:
    now = datetime.now(UTC)
    message = SiweMessage(domain=domain, address=account.address, uri=f"http://{domain}/", version="1",
                          chain_id=chain_id, nonce=nonce, issued_at=_iso(now - timedelta(seconds=5)),
                          statement="Sign in to FusionFlow",
                          expiration_time=_iso(now + expires_in) if expires_in is not None else None)
    text = message.prepare_message()
    signature = (signer or account).sign_message(encode_defunct(text=text)).signature.hex()
    return {"message": text, "signature": "0x" + signature.removeprefix("0x")}


@pytest.fixture
def domain(server) -> str:
    return urlsplit(server.url).netloc


def nonce(client) -> str:
    response = client.get("/api/auth/siwe/nonce")
    assert response.status_code == 200
    value = response.json()["nonce"]
    assert len(value) >= 8 and value.isalnum()
    return value


def test_a_wallet_signs_in_and_becomes_a_user(client, domain):
    wallet = Account.create()
    response = client.post("/api/auth/siwe/verify", json=signed(wallet, nonce(client), domain=domain))
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "bearer" and tokens["refresh_token"]
    me = client.get("/api/me", headers=bearer(tokens["access_token"])).json()
    assert me["address"] == wallet.address and me["name"] == wallet.address and me["credits"] == 0.0
    again = client.post("/api/auth/siwe/verify", json=signed(wallet, nonce(client), domain=domain)).json()
    assert client.get("/api/me", headers=bearer(again["access_token"])).json()["id"] == me["id"]


def test_a_nonce_works_once(client, domain):
    wallet = Account.create()
    body = signed(wallet, nonce(client), domain=domain)
    assert client.post("/api/auth/siwe/verify", json=body).status_code == 200
    replay = client.post("/api/auth/siwe/verify", json=body)
    assert replay.status_code == 401 and "nonce" in replay.json()["error"]["message"]
    made_up = client.post("/api/auth/siwe/verify", json=signed(wallet, "abcdefgh12345", domain=domain))
    assert made_up.status_code == 401 and "nonce" in made_up.json()["error"]["message"]


@pytest.mark.parametrize("case", ["other domain", "other chain", "expired", "wrong signer", "garbage"])
def test_bad_messages_are_401_and_spend_nothing(client, domain, case):
    wallet = Account.create()
    fresh = nonce(client)
    body = {
        "other domain": lambda: signed(wallet, fresh, domain="evil.example"),
        "other chain": lambda: signed(wallet, fresh, domain=domain, chain_id=5),
        "expired": lambda: signed(wallet, fresh, domain=domain, expires_in=timedelta(seconds=-1)),
        "wrong signer": lambda: signed(wallet, fresh, domain=domain, signer=Account.create()),
        "garbage": lambda: {"message": "sign me in, please", "signature": "0x00"},
    }[case]()
    response = client.post("/api/auth/siwe/verify", json=body)
    assert response.status_code == 401
    message = response.json()["error"]["message"]
    assert {"other domain": "evil.example", "other chain": "chain 5", "expired": "expired",
            "wrong signer": "signature", "garbage": "EIP-4361"}[case] in message
    # the nonce was not spent by the refused message: the right one still signs in
    assert client.post("/api/auth/siwe/verify", json=signed(wallet, fresh, domain=domain)).status_code == 200


def test_the_domain_is_the_public_url_when_set(tmp_path):
    import httpx

    from tests import servers

    env = {"FUSIONFLOW_HOME": str(tmp_path), "FUSIONFLOW_AUTH": "required",
           "FUSIONFLOW_PUBLIC_URL": "https://flow.example.com:8443/"}
    with servers.live_server(env) as live, httpx.Client(base_url=live.url) as client:
        wallet = Account.create()
        request_host = urlsplit(live.url).netloc
        refused = client.post("/api/auth/siwe/verify", json=signed(wallet, nonce(client), domain=request_host))
        assert refused.status_code == 401
        accepted = client.post("/api/auth/siwe/verify",
                               json=signed(wallet, nonce(client), domain="flow.example.com:8443"))
        assert accepted.status_code == 200, accepted.text


def test_the_nonce_route_gives_the_domain_and_the_checksummed_address(client, domain):
    wallet = Account.create()
    answer = client.get("/api/auth/siwe/nonce", params={"address": wallet.address.lower()}).json()
    assert answer["address"] == wallet.address and answer["domain"] == domain and answer["chain_ids"] == [1]
    assert client.get("/api/auth/siwe/nonce", params={"address": "0x123"}).status_code == 400
