"""Limits on what clients send, shared by the API and the engine (contract section 10b):
every integer in a path, query or header lies in 0..2^63-1, and JSON is nested at most
``MAX_JSON_DEPTH`` levels. Breaking either is a 400 (``InvalidRequest``) that says so, before
anything is written."""

from __future__ import annotations

import re

from orchestrator.errors import InvalidRequest

MAX_INT = 2**63 - 1
"""The largest integer the API takes anywhere (a signed 64-bit column holds it)."""

MAX_JSON_DEPTH = 64
"""Levels of arrays and objects a JSON body may nest (a graph with its ``ui`` needs a dozen)."""

_DIGITS = re.compile(r"[0-9]{1,19}")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


def parse_int(value: str, what: str) -> int:
    """``value`` as an integer in 0..2^63-1, else ``InvalidRequest`` (400) naming ``what``."""
    text = value.strip()
    if not _DIGITS.fullmatch(text) or int(text) > MAX_INT:
        raise InvalidRequest(f"{what} must be a whole number from 0 to {MAX_INT}, not {value[:40]!r}",
                             code="invalid_number")
    return int(text)


def check_int(value: int, what: str) -> int:
    """``value`` itself when it lies in 0..2^63-1, else ``InvalidRequest`` (400) naming ``what``."""
    if not 0 <= value <= MAX_INT:
        raise InvalidRequest(f"{what} must be a whole number from 0 to {MAX_INT}", code="invalid_number")
    return value


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text ``body`` nests arrays and objects deeper than ``limit``
    (strings are skipped; found without decoding, so no decoder recursion is risked)."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return len(brackets) > limit and _deeper(brackets, limit)


def _deeper(brackets: bytes, limit: int) -> bool:
    depth = 0
    for char in brackets:
        if char in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
