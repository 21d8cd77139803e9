"""What every request handler may use: the runtime and the services, built once."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.engine.runtime import Runtime
from orchestrator.engine.service import RunService
from orchestrator.engine.templates import TemplateService
from orchestrator.graph.spec import TemplateRunCreate
from orchestrator.schedules.runner import ScheduleRunner
from orchestrator.schedules.service import ScheduleService
from orchestrator.webhooks.sender import Sender


@dataclass
class Services:
    runtime: Runtime
    runs: RunService
    templates: TemplateService
    schedules: ScheduleService
    sender: Sender
    """Sends webhooks from this API process (see ``start_triggers``)."""
    schedule_runner: ScheduleRunner
    """Fires due schedules from this API process."""

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        runs = RunService(runtime)
        templates = TemplateService(runs)

        def fire(user_id: str, graph_id: str, inputs: dict, schedule_id: str) -> str:
            run = templates.run(user_id, graph_id, TemplateRunCreate(inputs=inputs), schedule_id=schedule_id)
            return run["id"]

        return cls(runtime=runtime, runs=runs, templates=templates, schedules=ScheduleService(runtime.db),
                   sender=Sender(runtime.db, runtime.settings, runtime.assets, runs.webhooks),
                   schedule_runner=ScheduleRunner(runtime.db, fire, poll_seconds=runtime.settings.trigger_poll_seconds))

    def start_triggers(self) -> None:
        """Start the loops that act on their own: webhook deliveries and schedules."""
        self.sender.loop.start()
        self.schedule_runner.loop.start()

    def stop_triggers(self) -> None:
        self.schedule_runner.loop.stop()
        self.sender.loop.stop()
