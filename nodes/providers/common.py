"""Small helpers shared by the provider node types: config checks, estimates, inputs."""

from __future__ import annotations

from typing import Any

from nodes.providers import fal, gemini
from nodes.sdk import Context, NodeError

PROVIDER_CHECKS = {"fal": fal.missing_key, "gemini": gemini.missing_key}


def check_provider(params: Any, setting) -> str | None:
    """``check_config`` for nodes with a ``provider`` param: the missing key, if any."""
    check = PROVIDER_CHECKS.get(getattr(params, "provider", None))
    return check(setting) if check else None


def input_url(ctx: Context, ref: Any, port: str) -> str:
    """A URL a provider can fetch an input asset from (presigned where the store can)."""
    if not isinstance(ref, dict) or "asset_id" not in ref:
        raise NodeError(f"input {port!r} is not an asset")
    return ctx.asset_url(ref)


def read_asset(ctx: Context, ref: dict, port: str, limit: int = 20 * 1024 * 1024) -> bytes:
    """An input asset's bytes, for providers that take them inline (Gemini: up to 20 MB)."""
    if not isinstance(ref, dict) or "asset_id" not in ref:
        raise NodeError(f"input {port!r} is not an asset")
    if ref.get("size") and ref["size"] > limit:
        raise NodeError(f"input {port!r} is {ref['size']} bytes; the provider takes at most {limit}")
    with ctx.open_asset(ref) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise NodeError(f"input {port!r} is larger than {limit} bytes; the provider takes at most that")
    return data
