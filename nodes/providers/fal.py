"""fal.ai adapter over ``fal-client``: submit to fal's queue, follow it, fetch the result.

``run(ctx, app, arguments)`` is what nodes call. It

- submits once and stores the request id on the node (``ctx.set_external_id``),
  so a retried or redelivered node resumes polling the same request instead of
  paying for a new one;
- turns queue positions and the app's log lines into ``node.progress`` events;
- suspends while fal works (``ctx.suspend``): the node gives its worker thread back
  after the first look, ``WATCHER`` follows the request from the engine's pollers,
  and the node runs again to fetch the result once it ended. With a public address
  the request carries ``fal_webhook`` (``ctx.job_webhook_url``), so fal's call wakes
  the poller at once and polling slows to ``FAL_WEBHOOK_POLL_SECONDS`` (default 5);
- watches for a cancelled run while waiting, and then calls fal's cancel URL;
- maps failures: 408/409/429/5xx, time-outs and connection errors become
  ``TransientError`` (the engine retries them with backoff; ``Retry-After`` is
  respected), any other 4xx a ``NodeError`` with fal's own message;
- guards every call with the ``fal`` circuit breaker.

Settings (``ctx.setting``): ``FAL_KEY``; ``FAL_QUEUE_URL`` (default
``https://queue.fal.run/``; tests point it at a stub); ``FAL_POLL_INTERVAL``
(seconds, default 1); ``FAL_MAX_WAIT_SECONDS`` (default 7200: a request still
unfinished then is cancelled and the node fails); ``provider_timeout_seconds``
for each HTTP call.

fal-client retries 408/409/429 and transport errors itself, up to 10 times with
backoff. FusionFlow's engine does the retrying instead (bounded by
``FUSIONFLOW_MAX_ATTEMPTS``, with ``node.retrying`` events), so the adapter sets
the client's ``MAX_ATTEMPTS`` to 1. The queue host is ``QUEUE_URL_FORMAT`` in
fal-client, a module global read at call time: it is set from ``FAL_QUEUE_URL``
(one value per process, as settings are).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fal_client
import fal_client.client as fal_module
import httpx

from nodes.providers import circuit
from nodes.providers.download import _retry_after
from nodes.sdk import Cancelled, Context, JobState, NodeError, TransientError

DEFAULT_QUEUE_URL = "https://queue.fal.run/"
SETTINGS = ("FAL_KEY", "FAL_QUEUE_URL", "FAL_RUN_URL", "FAL_CDN_URL", "FAL_POLL_INTERVAL", "FAL_MAX_WAIT_SECONDS",
            "FAL_WEBHOOK_POLL_SECONDS",
            *circuit.SETTINGS)
"""The settings a node calling fal declares (its context shows it nothing else)."""
TRANSIENT_STATUS = {408, 409, 425, 429, 499}
TRANSIENT_ERROR_TYPES = {
    "request_timeout", "startup_timeout", "runner_scheduling_failure", "runner_connection_timeout",
    "runner_disconnected", "runner_connection_refused", "runner_connection_error",
    "runner_incomplete_response", "runner_server_error", "internal_error",
}
MAX_LOG_EVENTS_PER_POLL = 10
APP_ID = r"^[A-Za-z0-9_-][\w.-]*(/[A-Za-z0-9_-][\w.-]*)+$"
"""A fal app id: ``owner/app[/path…]``, no segment starting with a dot (no ``..`` to climb
out of the queue's app paths)."""
_FRACTION = re.compile(r"(\d+(?:\.\d+)?)\s*%|\b(\d+)\s*/\s*(\d+)\b")
_config_lock = threading.Lock()
_clients: dict[tuple[str, float], fal_client.SyncClient] = {}


def missing_key(setting) -> str | None:
    """``check_config`` helper: the name of the missing setting, if any."""
    return None if setting("FAL_KEY") else "FAL_KEY"


@dataclass
class _Client:
    sdk: fal_client.SyncClient
    queue_url: str


def _client(setting: Callable[..., Any]) -> _Client:
    """The SDK client for the settings read by ``setting`` (a node's ``ctx.setting``)."""
    key = setting("FAL_KEY")
    if not key:
        raise NodeError("fal is not configured: set FAL_KEY", error_type="not_configured")
    queue_url = setting("FAL_QUEUE_URL") or DEFAULT_QUEUE_URL
    if not queue_url.endswith("/"):
        queue_url += "/"
    timeout = float(setting("provider_timeout_seconds", 60.0) or 60.0)
    with _config_lock:
        fal_module.QUEUE_URL_FORMAT = queue_url
        fal_module.MAX_ATTEMPTS = 1
        fal_module.QUEUE_POLL_TIMEOUT = httpx.Timeout(timeout, connect=min(timeout, 30.0))
        sdk = _clients.get((key, timeout))
        if sdk is None:
            sdk = _clients[(key, timeout)] = fal_client.SyncClient(key=key, default_timeout=timeout)
    return _Client(sdk, queue_url)


def _detail(message: Any) -> str:
    """fal's error body ``detail``: a string, or FastAPI's list of field errors."""
    if isinstance(message, list):
        parts = []
        for item in message:
            if isinstance(item, dict):
                loc = [str(p) for p in item.get("loc", []) if p != "body"]
                parts.append(f"{'.'.join(loc) + ': ' if loc else ''}{item.get('msg', item)}")
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(message)


def _mapped(exc: Exception, app: str, what: str) -> NodeError:
    """The SDK error for a failed fal call."""
    if isinstance(exc, fal_client.FalClientHTTPError):
        status = exc.status_code
        message = _detail(exc.message)
        if status in TRANSIENT_STATUS or status >= 500:
            return TransientError(f"fal {app}: {what} failed with HTTP {status}: {message}",
                                  error_type="provider_unavailable" if status >= 500 else "rate_limited"
                                  if status == 429 else "transient",
                                  retry_after=_retry_after(exc.response_headers))
        return NodeError(f"fal {app}: {message}", error_type="provider_error")
    if isinstance(exc, httpx.TimeoutException):
        return TransientError(f"fal {app}: {what} timed out", error_type="timeout")
    if isinstance(exc, httpx.TransportError):
        return TransientError(f"fal {app}: {what} failed: {exc}", error_type="provider_unavailable")
    return NodeError(f"fal {app}: {what} failed: {type(exc).__name__}: {exc}", error_type="provider_error")


def _call(breaker: circuit.CircuitBreaker, app: str, what: str, fn, *args, **kwargs):
    breaker.before_call()
    started = time.monotonic()
    try:
        value = fn(*args, **kwargs)
    except Exception as exc:
        error = _mapped(exc, app, what)
        circuit.STATS.record("fal", circuit.outcome_of(error), time.monotonic() - started)
        if isinstance(error, TransientError):
            breaker.failure()
        else:
            breaker.success()
        raise error from exc
    circuit.STATS.record("fal", "ok", time.monotonic() - started)
    breaker.success()
    return value


class _Progress:
    """Queue position and log lines -> ``ctx.progress``, with a monotonic fraction guess."""

    def __init__(self, ctx: Context, span: tuple[float, float], expected_seconds: float) -> None:
        self.ctx = ctx
        self.low, self.high = span
        self.expected = max(expected_seconds, 1.0)
        self.fraction = self.low
        self.started: float | None = None
        self.seen_logs = 0
        self.last_message = ""

    def _emit(self, fraction: float, message: str) -> None:
        fraction = max(self.fraction, min(self.high, fraction))
        if message == self.last_message and fraction - self.fraction < 0.01:
            return
        self.fraction, self.last_message = fraction, message
        self.ctx.progress(fraction, message)

    def queued(self, position: int) -> None:
        self._emit(self.low, f"in fal's queue, position {position}")

    def running(self, logs: list | None) -> None:
        now = time.monotonic()
        if self.started is None:
            self.started = now
            self._emit(self.low, "running on fal")
        logs = logs or []
        if len(logs) < self.seen_logs:
            self.seen_logs = 0
        new = logs[self.seen_logs:]
        self.seen_logs = len(logs)
        guess = self.low + (self.high - self.low) * 0.9 * (1 - math.exp(-(now - self.started) / self.expected))
        for entry in new[-MAX_LOG_EVENTS_PER_POLL:]:
            message = str(entry.get("message", "") if isinstance(entry, dict) else entry).strip()[:300]
            if not message:
                continue
            parsed = _parse_fraction(message)
            fraction = self.low + (self.high - self.low) * parsed if parsed is not None else guess
            self._emit(fraction, message)
        if not new:
            self._emit(guess, self.last_message or "running on fal")


def _parse_fraction(message: str) -> float | None:
    match = None
    for match in _FRACTION.finditer(message):
        pass
    if match is None:
        return None
    if match.group(1) is not None:
        value = float(match.group(1)) / 100
    else:
        total = int(match.group(3))
        value = int(match.group(2)) / total if total else 0.0
    return value if 0.0 <= value <= 1.0 else None


def _external(app: str, request_id: str) -> str:
    return f"fal:{app}:{request_id}"[:200]


def _stored_request(ctx: Context, app: str) -> str | None:
    stored = ctx.external_id()
    prefix = f"fal:{app}:"
    if stored and stored.startswith(prefix):
        return stored[len(prefix):]
    return None


def run(ctx: Context, app: str, arguments: dict, *, span: tuple[float, float] = (0.0, 0.9),
        expected_seconds: float = 30.0) -> tuple[dict, str]:
    """Run fal app ``app`` with ``arguments`` through fal's queue; returns (result, request id).

    ``span`` is the part of the node's progress (0 to 1) this call reports in;
    ``expected_seconds`` paces the progress guess when the app logs no fractions.
    """
    if not re.fullmatch(APP_ID, app):
        raise NodeError(f"{app[:200]!r} is not a fal app id (owner/app, without '..')", error_type="invalid_param")
    client = _client(ctx.setting)
    breaker = circuit.breaker("fal", client.queue_url, ctx.setting)
    interval = float(ctx.setting("FAL_POLL_INTERVAL", None) or 1.0)
    max_wait = float(ctx.setting("FAL_MAX_WAIT_SECONDS", None) or 7200.0)
    progress = _Progress(ctx, span, expected_seconds)

    handle = None
    request_id = _stored_request(ctx, app)
    if request_id:
        handle = client.sdk.get_handle(app, request_id)
        ctx.progress(span[0], f"resuming fal request {request_id}")
    for _ in range(2):
        if handle is None:
            ctx.check_cancelled()
            handle = _call(breaker, app, "submitting", client.sdk.submit, app, arguments,
                           webhook_url=ctx.job_webhook_url())
            ctx.set_external_id(_external(app, handle.request_id))
        try:
            status = _wait(ctx, breaker, app, handle, progress, interval, max_wait)
            break
        except NodeError as exc:
            if request_id and getattr(exc.__cause__, "status_code", None) == 404:
                # the stored request is unknown to fal (expired): submit anew, once
                request_id, handle = None, None
                ctx.set_external_id(None)
                continue
            raise
    if status.error:
        ctx.set_external_id(None)  # a retry must submit again
        message = f"fal {app}: {status.error}"
        if status.error_type in TRANSIENT_ERROR_TYPES:
            raise TransientError(message, error_type=status.error_type)
        raise NodeError(message, error_type=status.error_type or "provider_error")
    result = _call(breaker, app, "fetching the result", handle.get, interval=interval)
    if not isinstance(result, dict):
        raise NodeError(f"fal {app}: the result is not a JSON object")
    return result, handle.request_id


def _wait(ctx: Context, breaker: circuit.CircuitBreaker, app: str, handle, progress: _Progress,
          interval: float, max_wait: float) -> fal_module.Completed:
    deadline = time.monotonic() + max_wait
    try:
        while True:
            status = _call(breaker, app, "polling the status", handle.status, with_logs=True)
            if isinstance(status, fal_module.Completed):
                if status.logs:
                    progress.running(status.logs)
                return status
            if isinstance(status, fal_module.Queued):
                progress.queued(status.position)
            else:
                progress.running(getattr(status, "logs", None))
            if time.monotonic() > deadline:
                _cancel(handle)
                ctx.set_external_id(None)
                raise NodeError(f"fal {app}: request {handle.request_id} did not finish within {max_wait:g} s; "
                                "cancelled it", error_type="timeout")
            # the engine's pollers follow the request from here:
            ctx.suspend(_poll_after(ctx.setting, interval, webhooks=ctx.job_webhook_url() is not None))
            ctx.sleep(interval)
    except Cancelled:
        if ctx.cancelled():  # the run was cancelled (not: another worker took the node over)
            _cancel(handle)
        raise


def _cancel(handle) -> None:
    try:
        handle.cancel()
    except Exception:  # best effort: the node ends cancelled whatever fal answers
        pass


def _poll_after(setting: Callable[..., Any], interval: float, *, webhooks: bool) -> float:
    """Seconds between two looks at a suspended request: the poll interval, or, when
    fal calls a webhook as the request ends, a slow fallback."""
    if webhooks:
        return max(interval, float(setting("FAL_WEBHOOK_POLL_SECONDS", None) or 5.0))
    return interval


def _parse_external(external_id: str) -> tuple[str, str]:
    """(app, request id) of an external id written by ``run``."""
    _, app, request_id = external_id.split(":", 2)
    return app, request_id


class FalWatcher:
    """Follows suspended nodes' fal requests (``nodes.sdk.JobWatcher``): one status call
    per look, through the same breaker and statistics as the nodes' own calls."""

    scheme = "fal"
    settings = SETTINGS

    def check(self, setting: Callable[..., Any], external_id: str) -> JobState:
        app, request_id = _parse_external(external_id)
        client = _client(setting)
        breaker = circuit.breaker("fal", client.queue_url, setting)
        interval = float(setting("FAL_POLL_INTERVAL", None) or 1.0)
        try:
            status = _call(breaker, app, "polling the status", client.sdk.get_handle(app, request_id).status,
                           with_logs=True)
        except TransientError:
            raise
        except NodeError:  # unknown to fal (expired) or refused: the node's own call says what to do
            return JobState(done=True)
        if isinstance(status, fal_module.Completed):
            return JobState(done=True)
        poll_after = _poll_after(setting, interval, webhooks=bool(setting("job_webhooks")))
        if isinstance(status, fal_module.Queued):
            return JobState(False, None, f"in fal's queue, position {status.position}", poll_after)
        logs = getattr(status, "logs", None) or []
        last = logs[-1] if logs else None
        message = str(last.get("message", "") if isinstance(last, dict) else last or "running on fal").strip()
        return JobState(False, _parse_fraction(message), message[:300] or "running on fal", poll_after)

    def cancel(self, setting: Callable[..., Any], external_id: str) -> None:
        app, request_id = _parse_external(external_id)
        _cancel(_client(setting).sdk.get_handle(app, request_id))


WATCHER = FalWatcher()
