"""What every request handler may use: the runtime and the services, built once."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.engine.runtime import Runtime
from orchestrator.engine.service import RunService
from orchestrator.engine.templates import TemplateService
from orchestrator.graph.spec import TemplateRunCreate
from orchestrator.model_catalog.service import ModelCatalog
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
    models: ModelCatalog

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        runs = RunService(runtime)
        templates = TemplateService(runs)

        def fire(user_id: str, graph_id: str, inputs: dict, schedule_id: str) -> str:
            run = templates.run(user_id, graph_id, TemplateRunCreate(inputs=inputs), schedule_id=schedule_id)
            return run["id"]

        return cls(runtime=runtime, runs=runs, templates=templates, schedules=ScheduleService(runtime.db),
                   sender=Sender(runtime.db, runtime.settings, runtime.assets, runs.webhooks),
                   schedule_runner=ScheduleRunner(runtime.db, fire, poll_seconds=runtime.settings.trigger_poll_seconds),
                   models=ModelCatalog(runtime.settings))

    def start_triggers(self) -> None:
        """Start the loops that act on their own: webhook deliveries, schedules, and the model
        catalog's refresh from fal."""
        for loop in self._loops():
            loop.start()

    def stop_triggers(self) -> None:
        for loop in reversed(self._loops()):
            loop.stop()

    def _loops(self) -> list:
        return [self.sender.loop, self.schedule_runner.loop, self.models.loop]
