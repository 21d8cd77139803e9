"""The cancellation half of the fake ``Context``s that run node types with no engine.

It behaves as the engine's does: once ``cancel`` is set, ``check_cancelled`` and
``sleep`` raise ``Cancelled`` (``sleep`` wakes at once when it is set).
"""

from __future__ import annotations

import threading

from nodes.sdk import Cancelled


class CancellableContext:
    def __init__(self) -> None:
        self.cancel = threading.Event()

    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def check_cancelled(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()

    def sleep(self, seconds: float) -> None:
        self.check_cancelled()
        if self.cancel.wait(seconds):
            raise Cancelled()
