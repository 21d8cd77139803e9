"""Sign-in (password and Ethereum), API keys and the caller's profile (contract section 12).

``/api/auth/*`` needs no credential. Besides the tokens in the body, every sign-in
sets the refresh token as an ``HttpOnly`` cookie scoped to ``/api/auth``, so the canvas
keeps no long-lived secret where a script can read it: ``/api/auth/refresh`` and
``/api/auth/logout`` take the token from the body or, without one, from that cookie.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.params import Parameter

from orchestrator.accounts import keys, siwe
from orchestrator.accounts.documents import KeyCreated, KeyPage, Profile, SiweNonce, TokenAnswer
from orchestrator.accounts.errors import Unauthorized
from orchestrator.accounts.tokens import REFRESH_SECONDS
from orchestrator.api.state import Services
from orchestrator.engine.service import decode_cursor, encode_cursor

REFRESH_COOKIE = "ff_refresh"

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Credentials(msgspec.Struct):
    username: Name
    password: Annotated[str, msgspec.Meta(max_length=1024)]


class RefreshBody(msgspec.Struct):
    refresh_token: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class SiweBody(msgspec.Struct):
    message: Annotated[str, msgspec.Meta(max_length=siwe.MAX_MESSAGE)]
    signature: Annotated[str, msgspec.Meta(max_length=1000)]


class KeyCreate(msgspec.Struct):
    name: Name


def _signed_in(request: Request, answer: dict) -> Response[TokenAnswer]:
    cookie = Cookie(key=REFRESH_COOKIE, value=answer["refresh_token"], path="/api/auth", max_age=REFRESH_SECONDS,
                    httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return Response(TokenAnswer(**answer), cookies=[cookie])


def _signed_out() -> Response[None]:
    return Response(None, status_code=204, cookies=[Cookie(key=REFRESH_COOKIE, value="", path="/api/auth",
                                                           max_age=0, httponly=True, samesite="strict")])


def _refresh_token(request: Request, body: RefreshBody | None) -> str:
    token = (body.refresh_token if body else None) or request.cookies.get(REFRESH_COOKIE, "")
    if not token:
        raise Unauthorized("send {\"refresh_token\": …} (or the sign-in cookie)")
    return token


def siwe_domain(request: Request, services: Services) -> str:
    """``host[:port]`` of ``FUSIONFLOW_PUBLIC_URL``, else of the request."""
    public = services.runtime.settings.public_url
    return urlsplit(public).netloc if public else request.headers.get("host", "")


class AuthController(Controller):
    path = "/api/auth"
    tags = ["accounts"]

    @post("/register", status_code=201, summary="Create an account with a password (when registration is open)")
    async def register(self, data: Credentials, services: Services) -> Profile:
        profile = await anyio.to_thread.run_sync(services.accounts.accounts.register, data.username, data.password)
        return msgspec.convert(profile, Profile)

    @post("/login", status_code=200, summary="Sign in with a password")
    async def login(self, request: Request, data: Credentials, services: Services) -> Response[TokenAnswer]:
        answer = await anyio.to_thread.run_sync(services.accounts.accounts.login, data.username, data.password)
        return _signed_in(request, answer)

    @post("/refresh", status_code=200, summary="New tokens for a refresh token (which is then spent)")
    async def refresh(self, request: Request, services: Services, data: RefreshBody | None = None) -> Response[TokenAnswer]:
        token = _refresh_token(request, data)
        answer = await anyio.to_thread.run_sync(services.accounts.tokens.refresh, token)
        return _signed_in(request, answer)

    @post("/logout", status_code=204, summary="End the sign-in of a refresh token")
    async def logout(self, request: Request, services: Services, data: RefreshBody | None = None) -> Response[None]:
        token = (data.refresh_token if data else None) or request.cookies.get(REFRESH_COOKIE, "")
        if token:
            await anyio.to_thread.run_sync(services.accounts.tokens.sign_out, token)
        return _signed_out()

    @get("/siwe/nonce", summary="A single-use nonce for a Sign-In with Ethereum message")
    async def siwe_nonce(self, request: Request, services: Services,
                         address: Annotated[str | None, Parameter(pattern="^0x[0-9a-fA-F]{40}$")] = None,
                         ) -> SiweNonce:
        """Also the domain and chains the message must name, and, given ``?address=``, that
        address in EIP-55 form (which the message must use: wallets often give lower case)."""
        nonce = await anyio.to_thread.run_sync(siwe.new_nonce, services.runtime.db)
        answer = {"nonce": nonce, "domain": siwe_domain(request, services),
                  "chain_ids": list(services.runtime.settings.siwe_chains), "expires_in": siwe.NONCE_SECONDS}
        if address:
            answer["address"] = siwe.checksummed(address)
        return msgspec.convert(answer, SiweNonce)

    @post("/siwe/verify", status_code=200, summary="Sign in with a signed EIP-4361 message")
    async def siwe_verify(self, request: Request, data: SiweBody, services: Services) -> Response[TokenAnswer]:
        settings = services.runtime.settings

        def sign_in() -> dict:
            address = siwe.verify(services.runtime.db, data.message, data.signature,
                                  domain=siwe_domain(request, services), chains=settings.siwe_chains)
            return services.accounts.accounts.wallet_sign_in(address)

        return _signed_in(request, await anyio.to_thread.run_sync(sign_in))


class KeyController(Controller):
    path = "/api/keys"
    tags = ["accounts"]

    @post("/", status_code=201, sync_to_thread=True, summary="Create an API key (shown only in this answer)")
    def create(self, data: KeyCreate, services: Services, user_id: str) -> KeyCreated:
        return msgspec.convert(keys.create(services.runtime.db, user_id, data.name), KeyCreated)

    @get("/", sync_to_thread=True, summary="The caller's API keys, newest first, without the keys themselves")
    def list_keys(self, services: Services, user_id: str, limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
                  cursor: str | None = None) -> KeyPage:
        found, more = keys.list_keys(services.runtime.db, user_id, limit=limit,
                                     before=decode_cursor(cursor) if cursor else None)
        return msgspec.convert({"keys": found, "next_cursor": encode_cursor(found[-1]["id"]) if more else None},
                               KeyPage)

    @delete("/{key_id:str}", status_code=204, sync_to_thread=True, summary="Revoke an API key at once")
    def revoke(self, key_id: str, services: Services, user_id: str) -> None:
        keys.revoke(services.runtime.db, user_id, key_id)


@get("/api/me", tags=["accounts"], sync_to_thread=True, summary="Who the caller is, their credits and spend")
def me(services: Services, user_id: str) -> Profile:
    return msgspec.convert(services.accounts.accounts.me(user_id), Profile)


ROUTES = [AuthController, KeyController, me]
