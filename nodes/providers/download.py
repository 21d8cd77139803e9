"""Provider results become our assets: stream a URL (or a data URI) into the asset store.

Provider URLs expire, so every media URL a provider answers with is fetched at
once, streamed to a scratch file (memory does not grow with the file) and saved
with ``ctx.save_asset``. URLs that point at private, loopback or link-local
addresses are refused unless ``allow_private_urls`` is set (tests with local
stubs set ``FUSIONFLOW_ALLOW_PRIVATE_URLS=true``); redirects are checked too.
"""

from __future__ import annotations

import base64
import ipaddress
import mimetypes
import socket
import threading
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from nodes.sdk import Context, NodeError, TransientError

CHUNK = 1 << 16
MAX_DATA_URI_BYTES = 32 * 1024 * 1024
"""The most a ``data:`` URI in a provider result may decode to (it is decoded in memory)."""
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_clients: dict[bool, httpx.Client] = {}
_clients_lock = threading.Lock()


def _http(allow_private: bool) -> httpx.Client:
    """One shared client per policy (connection reuse); every request, redirects included,
    goes through ``VettedTransport``."""
    with _clients_lock:
        client = _clients.get(allow_private)
        if client is None:
            client = _clients[allow_private] = httpx.Client(follow_redirects=True,
                                                            transport=VettedTransport(allow_private))
        return client


class VettedTransport(httpx.HTTPTransport):
    """Checks every request (redirects too) with ``vet`` and connects to the very address
    it vetted: the name is resolved once, so DNS cannot answer the check with a public
    address and the connection with a private one. The Host header and TLS (SNI and the
    certificate check) keep the name."""

    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        address = vet(str(request.url), self.allow_private)
        if address is None or address == host:
            return super().handle_request(request)
        # A copy goes out: the client keeps the request by name (redirects resolve against it).
        pinned = httpx.Request(request.method, request.url.copy_with(host=address), headers=request.headers,
                               stream=request.stream, extensions={**request.extensions, "sni_hostname": host})
        return super().handle_request(pinned)


def vet(url: str, allow_private: bool) -> str | None:
    """The address to connect to for ``url``: every address its host resolves to must be
    public (else ``NodeError``); None when private addresses are allowed (resolve as usual)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NodeError(f"refusing to fetch {url[:100]!r}: only http and https URLs are fetched")
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TransientError(f"cannot resolve {parts.hostname}: {exc}") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if not is_public(address):
            raise NodeError(f"refusing to fetch {parts.hostname}: it resolves to the non-public address "
                            f"{address} (set FUSIONFLOW_ALLOW_PRIVATE_URLS=true to allow)")
    if not addresses:
        raise TransientError(f"cannot resolve {parts.hostname}")
    return str(addresses[0])


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address, and for IPv6 one whose embedded IPv4 address (NAT64,
    6to4, Teredo, IPv4-compatible or -mapped) is public too."""
    if not address.is_global or address.is_multicast:
        return False
    return all(is_public(inner) for inner in _embedded_ipv4(address))


def _embedded_ipv4(address) -> list[ipaddress.IPv4Address]:
    if address.version != 6:
        return []
    found = [inner for inner in (address.ipv4_mapped, address.sixtofour) if inner is not None]
    found += list(address.teredo or ())
    if any(address in network for network in _NAT64) or int(address) >> 32 == 0:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _filename(url: str, content_type: str | None, given: str | None) -> str:
    if given:
        return Path(given).name
    name = Path(unquote(urlsplit(url).path)).name
    if name and "." in name:
        return name
    extension = mimetypes.guess_extension(content_type or "") or ""
    return f"output{extension}"


def save_url(ctx: Context, url: str, *, content_type: str | None = None, filename: str | None = None) -> dict:
    """Download ``url`` (http(s) or ``data:``) into the asset store; returns the asset reference."""
    if url.startswith("data:"):
        return _save_data_uri(ctx, url, filename)
    allow_private = bool(ctx.setting("allow_private_urls", False))
    timeout = float(ctx.setting("provider_timeout_seconds", 60.0) or 60.0)
    limit = int(ctx.setting("max_upload_bytes", 0) or 0)
    target = ctx.temp_dir() / f"dl-{uuid.uuid4().hex}"
    try:
        with _http(allow_private).stream("GET", url, timeout=timeout) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise TransientError(f"downloading the result failed: HTTP {response.status_code}",
                                     retry_after=_retry_after(response.headers))
            if response.status_code >= 400:
                raise NodeError(f"downloading the result failed: HTTP {response.status_code} from "
                                f"{urlsplit(url).hostname}")
            received = 0
            with target.open("wb") as out:
                for chunk in response.iter_bytes(CHUNK):
                    received += len(chunk)
                    if limit and received > limit:
                        raise NodeError(f"the result is larger than the limit of {limit} bytes")
                    out.write(chunk)
            header_type = response.headers.get("content-type", "").split(";")[0].strip()
    except httpx.TimeoutException as exc:
        raise TransientError(f"downloading the result timed out after {timeout:g} s") from exc
    except httpx.TransportError as exc:
        raise TransientError(f"downloading the result failed: {exc}") from exc
    kind = content_type or (header_type if header_type and header_type != "application/octet-stream" else None) \
        or mimetypes.guess_type(urlsplit(url).path)[0] or header_type or "application/octet-stream"
    try:
        return ctx.save_asset(target, kind, filename=_filename(url, kind, filename))
    finally:
        target.unlink(missing_ok=True)


def _save_data_uri(ctx: Context, uri: str, filename: str | None) -> dict:
    header, _, payload = uri.partition(",")
    kind = header[5:].split(";")[0] or "application/octet-stream"
    encoded = ";base64" in header
    limit = min(MAX_DATA_URI_BYTES, int(ctx.setting("max_upload_bytes", 0) or MAX_DATA_URI_BYTES))
    if (len(payload) * 3 // 4 if encoded else len(payload)) > limit:
        raise NodeError(f"a data: URI in the result is larger than the limit of {limit} bytes")
    try:
        data = base64.b64decode(payload) if encoded else unquote(payload).encode()
    except ValueError:  # binascii.Error
        raise NodeError("a data: URI in the result is not valid base64") from None
    return save_bytes(ctx, data, kind, filename=filename)


def save_bytes(ctx: Context, data: bytes, content_type: str, *, filename: str | None = None) -> dict:
    target = ctx.temp_dir() / f"inline-{uuid.uuid4().hex}"
    target.write_bytes(data)
    try:
        return ctx.save_asset(target, content_type, filename=filename or _filename("", content_type, None))
    finally:
        target.unlink(missing_ok=True)


def _retry_after(headers: httpx.Headers | dict) -> float | None:
    value = headers.get("retry-after") if headers else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
