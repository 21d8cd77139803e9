"""What every request handler may use: the runtime and the services, built once."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.engine.runtime import Runtime
from orchestrator.engine.service import RunService
from orchestrator.engine.templates import TemplateService
from orchestrator.webhooks.sender import Sender


@dataclass
class Services:
    runtime: Runtime
    runs: RunService
    templates: TemplateService
    sender: Sender
    """Sends webhooks from this API process (see ``start_triggers``)."""

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        runs = RunService(runtime)
        sender = Sender(runtime.db, runtime.settings, runtime.assets, runs.webhooks)
        return cls(runtime=runtime, runs=runs, templates=TemplateService(runs), sender=sender)

    def start_triggers(self) -> None:
        """Start the loops that act on their own: webhook deliveries."""
        self.sender.start()

    def stop_triggers(self) -> None:
        self.sender.stop()
