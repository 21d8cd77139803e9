"""What every request handler may use: the runtime and the services, built once."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.accounts.services import AccountServices
from orchestrator.engine.runtime import Runtime
from orchestrator.engine.service import RunService
from orchestrator.engine.templates import TemplateService


@dataclass
class Services:
    runtime: Runtime
    runs: RunService
    templates: TemplateService
    accounts: AccountServices

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        runs = RunService(runtime)
        accounts = AccountServices.build(runtime.db, runtime.settings, runs.cancel)
        return cls(runtime=runtime, runs=runs, templates=TemplateService(runs), accounts=accounts)
