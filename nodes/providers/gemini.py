"""Google Gemini adapter over ``google-genai``: one ``generateContent`` call, errors mapped.

Settings: ``GEMINI_API_KEY`` (or ``GOOGLE_API_KEY``); ``GEMINI_BASE_URL``
(default Google's; tests point it at a stub); ``GEMINI_API_VERSION`` (default the
SDK's, ``v1``); ``provider_timeout_seconds`` for the call.

The SDK call blocks; it runs in a helper thread while the node keeps watching for
a cancelled run (a cancel then stops waiting at once; Gemini has no cancel call).
Failures: 408/429/5xx and time-outs become ``TransientError`` (a ``RetryInfo``
delay is respected), other 4xx a ``NodeError`` with Google's message; a blocked
prompt or an answer without the asked-for parts is a ``NodeError`` that says why.
Every call goes through the ``gemini`` circuit breaker.
"""

from __future__ import annotations

import concurrent.futures
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from nodes.providers import circuit
from nodes.sdk import Cancelled, Context, NodeError, TransientError

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
SETTINGS = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_BASE_URL", "GEMINI_API_VERSION", *circuit.SETTINGS)
"""The settings a node calling Gemini declares (its context shows it nothing else)."""
_executor = concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="gemini")
_clients: dict[tuple, genai.Client] = {}
_clients_lock = threading.Lock()

try:  # google-genai 3.x talks through httpx2; older versions through httpx
    import httpx2 as _httpx2
    _TIMEOUTS: tuple = (TimeoutError, _httpx2.TimeoutException)
    _TRANSPORT: tuple = (ConnectionError, _httpx2.TransportError)
except ImportError:  # pragma: no cover
    _TIMEOUTS, _TRANSPORT = (TimeoutError,), (ConnectionError,)
import httpx as _httpx  # noqa: E402

_TIMEOUTS += (_httpx.TimeoutException,)
_TRANSPORT += (_httpx.TransportError,)


def api_key(setting) -> str | None:
    return setting("GEMINI_API_KEY") or setting("GOOGLE_API_KEY")


def missing_key(setting) -> str | None:
    """``check_config`` helper: the name of the missing setting, if any."""
    return None if api_key(setting) else "GEMINI_API_KEY (or GOOGLE_API_KEY)"


@dataclass
class Answer:
    text: str
    images: list[tuple[bytes, str]] = field(default_factory=list)
    usage: Any = None
    response_id: str | None = None


def _client(ctx: Context) -> tuple[genai.Client, str]:
    key = api_key(ctx.setting)
    if not key:
        raise NodeError("Gemini is not configured: set GEMINI_API_KEY", error_type="not_configured")
    base_url = ctx.setting("GEMINI_BASE_URL") or DEFAULT_BASE_URL
    version = ctx.setting("GEMINI_API_VERSION")
    timeout = float(ctx.setting("provider_timeout_seconds", 60.0) or 60.0)
    cache_key = (key, base_url, version, timeout)
    with _clients_lock:
        client = _clients.get(cache_key)
        if client is None:
            options = types.HttpOptions(base_url=base_url, timeout=int(timeout * 1000),
                                        **({"api_version": version} if version else {}))
            client = _clients[cache_key] = genai.Client(api_key=key, http_options=options)
    return client, base_url


def _retry_delay(details: Any) -> float | None:
    try:
        for item in details.get("error", {}).get("details", []):
            if str(item.get("@type", "")).endswith("RetryInfo"):
                match = re.match(r"([\d.]+)s", str(item.get("retryDelay", "")))
                if match:
                    return float(match.group(1))
    except AttributeError:
        pass
    return None


def _mapped(exc: Exception, model: str) -> NodeError:
    if isinstance(exc, genai_errors.APIError):
        message = exc.message or str(exc)
        code = int(exc.code or 0)
        if code in (408, 429) or code >= 500:
            return TransientError(f"Gemini {model}: HTTP {code} {exc.status or ''}: {message}".replace("  ", " "),
                                  error_type="rate_limited" if code == 429 else "provider_unavailable",
                                  retry_after=_retry_delay(exc.details))
        return NodeError(f"Gemini {model}: {message}", error_type="provider_error")
    if isinstance(exc, _TIMEOUTS):
        return TransientError(f"Gemini {model}: the call timed out", error_type="timeout")
    if isinstance(exc, _TRANSPORT):
        return TransientError(f"Gemini {model}: {exc}", error_type="provider_unavailable")
    return NodeError(f"Gemini {model}: {type(exc).__name__}: {exc}", error_type="provider_error")


def generate(ctx: Context, model: str, contents: list, config: types.GenerateContentConfig | None = None) -> Answer:
    """One ``generateContent`` call; returns its text, inline images and usage."""
    client, base_url = _client(ctx)
    breaker = circuit.breaker("gemini", base_url, ctx.setting)
    breaker.before_call()
    ctx.check_cancelled()
    started = time.monotonic()
    future = _executor.submit(client.models.generate_content, model=model, contents=contents, config=config)
    try:
        while True:
            try:
                response = future.result(timeout=0.2)
                break
            except concurrent.futures.TimeoutError:
                ctx.check_cancelled()
    except Cancelled:
        future.cancel()
        raise
    except Exception as exc:
        error = _mapped(exc, model)
        circuit.STATS.record("gemini", circuit.outcome_of(error), time.monotonic() - started)
        breaker.failure() if isinstance(error, TransientError) else breaker.success()
        raise error from exc
    circuit.STATS.record("gemini", "ok", time.monotonic() - started)
    breaker.success()
    return _answer(model, response)


def _answer(model: str, response: types.GenerateContentResponse) -> Answer:
    candidates = response.candidates or []
    if not candidates:
        feedback = response.prompt_feedback
        reason = getattr(getattr(feedback, "block_reason", None), "value", None) or "no reason given"
        raise NodeError(f"Gemini {model} blocked the prompt ({reason})", error_type="blocked")
    candidate = candidates[0]
    texts, images = [], []
    for part in (candidate.content.parts if candidate.content and candidate.content.parts else []):
        if part.thought:
            continue
        if part.text:
            texts.append(part.text)
        if part.inline_data and part.inline_data.data:
            images.append((part.inline_data.data, part.inline_data.mime_type or "image/png"))
    if not texts and not images:
        reason = getattr(candidate.finish_reason, "value", None) or "no reason given"
        detail = f": {candidate.finish_message}" if candidate.finish_message else ""
        raise NodeError(f"Gemini {model} returned nothing (finish reason {reason}{detail})", error_type="blocked")
    return Answer("".join(texts), images, response.usage_metadata, response.response_id)
