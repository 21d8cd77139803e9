"""What of an error a user may read: no server paths, no memory addresses.

Node errors reach every client of a run; the full text (FFmpeg's stderr, a
traceback) stays in the server's log.
"""

from __future__ import annotations

import re

_PATH = re.compile(r"(?<![\w.:/~-])(?:file://)?(?:/[^\s'\"/:,;|()\[\]]+)+/?")
_ADDRESS = re.compile(r"\s*@\s*0x[0-9a-fA-F]+")


def without_paths(text: str) -> str:
    """``text`` with each absolute path cut to its last part (the file name tells a user
    enough) and pointers such as ``[hls @ 0x55d0…]`` dropped."""
    text = _ADDRESS.sub("", text)
    return _PATH.sub(lambda match: match.group(0).rstrip("/").rsplit("/", 1)[-1] or "/", text)
