"""What every request handler may use: the runtime and the services, built once."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.engine.runtime import Runtime
from orchestrator.engine.service import RunService
from orchestrator.engine.templates import TemplateService
from orchestrator.library import Library


@dataclass
class Services:
    runtime: Runtime
    runs: RunService
    templates: TemplateService
    library: Library

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        runs = RunService(runtime)
        return cls(runtime=runtime, runs=runs, templates=TemplateService(runs),
                   library=Library.build(runtime.db, runtime.assets, runtime.settings))
