"""The node SDK: what a node type declares and what it may ask of the engine.

A node type is a params struct (msgspec), typed input and output ports, and one
function ``run(ctx, params, inputs) -> outputs``. It knows nothing of runs,
queues or HTTP: everything it needs from the outside comes through ``Context``,
which the engine implements. That keeps node types testable with no engine.

    class JoinParams(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
        separator: str = ""

    @node_type("text.join", title="Join text", category="text",
               inputs=[Port("parts", "text", multiple=True)],
               outputs=[Port("text", "text")], cacheable=True)
    def join(ctx: Context, params: JoinParams, inputs: dict) -> dict:
        return {"text": params.separator.join(inputs["parts"])}
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated, Any, Protocol, get_type_hints

import msgspec

PORT_TYPES = ("text", "number", "boolean", "json", "image", "video", "audio", "any")
MEDIA_TYPES = ("image", "video", "audio")


class Params(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base for params structs: unknown params are errors, every field keyword-only.
    Every node takes ``timeout``: its time limit in seconds (default: its type's)."""

    timeout: Annotated[float, msgspec.Meta(gt=0, le=7 * 86400)] | None = None
    """Seconds this node may run before it is stopped and fails (default: its type's limit)."""


class NoParams(Params):
    """Params of a node type that takes none."""


@dataclass(frozen=True)
class Port:
    """One input or output of a node type.

    ``required`` and ``multiple`` only mean something on inputs: a required input
    must have an edge; a ``multiple`` input takes any number of edges and receives
    the list of their values, in the order in which the edges stand in the graph.
    """

    name: str
    type: str
    required: bool = True
    multiple: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if self.type not in PORT_TYPES:
            raise ValueError(f"port {self.name!r}: unknown type {self.type!r}")


class NodeError(Exception):
    """A node failed for good; the message reaches the user as it is."""

    error_type = "node_error"

    def __init__(self, message: str, *, error_type: str | None = None) -> None:
        super().__init__(message)
        if error_type:
            self.error_type = error_type


class TransientError(NodeError):
    """A failure worth retrying (time-out, rate limit, 5xx): the engine retries with backoff."""

    error_type = "transient"

    def __init__(self, message: str, *, error_type: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, error_type=error_type)
        self.retry_after = retry_after


class Cancelled(Exception):
    """Raised inside a node when its run was cancelled; the node ends ``cancelled``."""


class Suspended(Exception):
    """Raised by ``Context.suspend``: the node waits on an external job and gives its
    worker thread back. Let it propagate (do not catch it in a node)."""

    def __init__(self, poll_after: float) -> None:
        super().__init__(f"waiting on an external job (first look in {poll_after:g} s)")
        self.poll_after = poll_after


@dataclass(frozen=True)
class JobState:
    """What a ``JobWatcher`` saw of an external job."""

    done: bool
    """The job ended (well or not) or is unknown: the node runs again to take its result."""
    progress: float | None = None
    """0 to 1 when the provider says how far it is."""
    message: str = ""
    poll_after: float = 1.0
    """Seconds until the next look, when not done."""


class JobWatcher(Protocol):
    """Looks at one provider's external jobs (by the scheme of the id a node recorded with
    ``set_external_id``, ``<scheme>:…``) while their nodes are suspended, from a
    small pool of pollers: no worker thread waits on them."""

    scheme: str
    settings: tuple[str, ...]
    """The settings ``check`` and ``cancel`` read (as a node type declares its own)."""

    def check(self, setting: Callable[..., Any], external_id: str) -> JobState:
        """The job's state. Raise ``TransientError`` when the provider cannot be asked now."""

    def cancel(self, setting: Callable[..., Any], external_id: str) -> None:
        """Cancel the job at the provider (best effort)."""


class Context(Protocol):
    """What a running node may ask of the engine."""

    run_id: str
    node_id: str
    attempt: int
    user_id: str

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress (0 to 1) with a short message; becomes a ``node.progress`` event."""

    def cancelled(self) -> bool:
        """True once the run was cancelled (cheap to call often: throttled)."""

    def check_cancelled(self) -> None:
        """Raise ``Cancelled`` if the run was cancelled."""

    def sleep(self, seconds: float) -> None:
        """Sleep, but wake and raise ``Cancelled`` within a fraction of a second of a cancel."""

    def run_input(self, name: str) -> Any:
        """The run's input ``name``, or ``MISSING`` when the run did not give it."""

    def setting(self, name: str, default: Any = None) -> Any:
        """A setting (API keys, base URLs, prices) by name."""

    def temp_dir(self) -> Path:
        """A private scratch directory, removed after the node finishes."""

    def asset(self, asset_id: str) -> dict:
        """The reference of an asset of the run's user, by id (raises ``NodeError`` if unknown)."""

    def open_asset(self, ref: dict) -> AbstractContextManager[IO[bytes]]:
        """Open an asset reference for streaming reads."""

    def asset_path(self, ref: dict) -> AbstractContextManager[Path]:
        """A local file path holding the asset's bytes (downloaded to scratch if need be)."""

    def asset_url(self, ref: dict) -> str:
        """A URL a third party can fetch the asset from (presigned where possible)."""

    def save_asset(self, source: Path | IO[bytes], content_type: str, *, filename: str | None = None) -> dict:
        """Store a file or stream as an asset of the run's user; returns the asset reference."""

    def external_id(self) -> str | None:
        """The provider request id recorded by an earlier attempt or delivery of this node."""

    def set_external_id(self, value: str | None) -> None:
        """Record a provider request id so a redelivered node resumes it instead of paying again."""

    def suspend(self, poll_after: float) -> None:
        """Wait for the external job recorded with ``set_external_id`` without holding a
        worker thread: raises ``Suspended``, and the node's function runs again from the
        start (finding its external id) once the job's ``JobWatcher`` sees it end. Returns
        without doing anything where the engine cannot suspend this node: the node then
        waits for its job itself."""

    def job_webhook_url(self) -> str | None:
        """A URL the provider may call when the node's job ends (wakes its poller at
        once), or None when this server has no public address (``FUSIONFLOW_PUBLIC_URL``)."""

    def record_cost(self, amount: float, detail: str = "") -> None:
        """Add a provider cost (USD) to the node and the run."""

    def collection_items(self, collection_id: str) -> list[dict]:
        """The asset references of one of the user's collections, in order (``NodeError`` if unknown)."""

    def hooks(self, category: str, limit: int | None = None) -> list[str]:
        """The texts of one of the user's hook categories, oldest first (``NodeError`` if it has none)."""

    def model(self, model_id: str) -> dict:
        """One of the user's trained models, with its ``weights`` reference (``NodeError`` if unknown)."""

    def register_model(self, *, name: str, base_model: str, trigger_word: str, weights: dict) -> dict:
        """Register the model this node trained (once per node of a run); returns it."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

RunFunction = Callable[[Context, Any, dict[str, Any]], dict[str, Any]]
EstimateFunction = Callable[[Any, dict[str, Any]], float]
ConfigCheck = Callable[[Any, Callable[[str], Any]], "str | None"]
CacheRule = Callable[[Any], bool]
"""Given a node's params, True when its outputs are determined by its params and inputs."""


def with_seed(params: Any) -> bool:
    """The cache rule of generators and provider nodes: cacheable when a ``seed`` is given."""
    return getattr(params, "seed", None) is not None


@dataclass(frozen=True)
class MapSpec:
    """A mapped node type: one node in the graph, one execution per item of the list on
    input ``over``, expanded at run time. Each execution runs the type's function with
    that item on ``over`` (its own events, retries, cache entry and worker); when all
    have succeeded, ``gather`` turns their outputs, in item order, into the node's."""

    over: str
    gather: Callable[[list[dict[str, Any]]], dict[str, Any]]


@dataclass(frozen=True)
class Backend:
    """Another implementation of a node type for one value of its ``provider`` param
    (fal or Gemini behind ``image.generate``), plugged in through the catalog."""

    run: RunFunction
    estimate: EstimateFunction | None = None
    settings: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeType:
    """A registered node type. See the module docstring."""

    type: str
    title: str
    category: str
    description: str
    params: type[Params]
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    run: RunFunction
    cacheable: bool | CacheRule = False
    """True when outputs are determined by type, version, params and inputs; or a rule
    deciding it from the params (``with_seed``)."""
    version: int = 1
    estimate: EstimateFunction | None = None
    """Cost in USD of one execution with these params, before running."""
    check_config: ConfigCheck | None = None
    """Returns the name of a missing setting when the params need one (a provider key)."""
    settings: tuple[str, ...] = ()
    """The settings its context may read (provider keys, time-outs); nothing else is visible."""
    mapped: MapSpec | None = None
    """Set for a mapped node type (see ``MapSpec``)."""
    timeout: float = 3600.0
    """Its default time limit in seconds (a node's ``timeout`` param overrides it)."""
    instant: bool = False
    """A pure function of its params, inputs and run inputs that takes no time (no I/O,
    no assets, no progress): the engine may run it before claiming it and record the
    claim and the outcome in one transaction (a redelivered message may run it twice,
    harmlessly)."""
    long: bool = False
    """Waits on something outside for long (a provider job, a training, a timer): its nodes
    go to the long queues and threads, so a burst of them cannot hold up short work.
    ``node_type`` makes a type that calls a provider (category ``provider``, or provider
    settings declared) long unless it says otherwise."""
    backends: dict[str, Backend] = field(default_factory=dict)
    """Implementations by ``provider`` param, added by ``Catalog.add_backend``."""
    input_ports: dict[str, Port] = field(init=False, repr=False, compare=False)
    output_ports: dict[str, Port] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_ports", {p.name: p for p in self.inputs})
        object.__setattr__(self, "output_ports", {p.name: p for p in self.outputs})

    def is_cacheable(self, params: Any) -> bool:
        """Whether a node of this type with ``params`` may be taken from the output cache."""
        return self.cacheable(params) if callable(self.cacheable) else self.cacheable

    def backend(self, params: Any) -> Backend | None:
        return self.backends.get(getattr(params, "provider", None)) if self.backends else None

    def execute(self, ctx: Context, params: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """Run a node of this type: through the back end of its ``provider``, if one is plugged in."""
        backend = self.backend(params)
        return (backend.run if backend is not None else self.run)(ctx, params, inputs)

    def estimate_cost(self, params: Any, prices: dict[str, Any]) -> float:
        """USD for one execution with ``params`` (0 when the type has no price)."""
        backend = self.backend(params)
        estimate = backend.estimate if backend is not None and backend.estimate else self.estimate
        return estimate(params, prices) if estimate else 0.0

    def allowed_settings(self, params: Any) -> tuple[str, ...]:
        backend = self.backend(params)
        return self.settings + backend.settings if backend is not None else self.settings

    def params_schema(self) -> dict:
        """The JSON Schema of the params, inlined (no top-level ``$ref``)."""
        return _inline_schema(self.params)

    def describe(self) -> dict:
        """The catalog entry of ``GET /api/nodes``."""
        return {
            "type": self.type,
            "title": self.title,
            "category": self.category,
            "description": self.description,
            "params": self.params_schema(),
            "inputs": [
                {"name": p.name, "type": p.type, "required": p.required, "multiple": p.multiple,
                 "description": p.description}
                for p in self.inputs
            ],
            "outputs": [{"name": p.name, "type": p.type, "description": p.description} for p in self.outputs],
            "cacheable": bool(self.cacheable),
            "cacheable_when": "seed" if callable(self.cacheable) else None,
            "mapped_over": self.mapped.over if self.mapped else None,
            "long": self.long,
        }


def _inline_schema(struct: type) -> dict:
    schema = msgspec.json.schema(struct)
    defs = schema.pop("$defs", {})
    ref = schema.get("$ref", "")
    name = ref.rsplit("/", 1)[-1]
    body = dict(defs.pop(name, schema))
    body.pop("title", None)
    if defs:
        body["$defs"] = defs
    return body


_REGISTRY: dict[str, NodeType] = {}


def node_type(
    type_name: str,
    *,
    title: str,
    category: str,
    inputs: list[Port] | tuple[Port, ...] = (),
    outputs: list[Port] | tuple[Port, ...] = (),
    description: str | None = None,
    cacheable: bool | CacheRule = False,
    version: int = 1,
    estimate: EstimateFunction | None = None,
    check_config: ConfigCheck | None = None,
    settings: tuple[str, ...] = (),
    instant: bool = False,
    timeout: float = 3600.0,
    mapped: MapSpec | None = None,
    long: bool | None = None,
) -> Callable[[RunFunction], RunFunction]:
    """Register a function as a node type. Its params struct is read from the
    annotation of its second argument; its description defaults to its docstring;
    ``long`` defaults to whether it calls a provider (see ``NodeType.long``)."""

    def register(fn: RunFunction) -> RunFunction:
        params_cls = _params_class(fn)
        if type_name in _REGISTRY:
            raise ValueError(f"node type {type_name!r} is registered twice")
        _REGISTRY[type_name] = NodeType(
            type=type_name,
            title=title,
            category=category,
            description=description if description is not None else inspect.cleandoc(fn.__doc__ or ""),
            params=params_cls,
            inputs=tuple(inputs),
            outputs=tuple(outputs),
            run=fn,
            cacheable=cacheable,
            version=version,
            estimate=estimate,
            check_config=check_config,
            settings=tuple(settings),
            instant=instant,
            timeout=timeout,
            mapped=mapped,
            long=long if long is not None else (category == "provider" or bool(settings)),
        )
        return fn

    return register


def _params_class(fn: RunFunction) -> type[Params]:
    hints = get_type_hints(fn)
    names = list(inspect.signature(fn).parameters)
    params_cls = hints.get(names[1]) if len(names) > 1 else None
    if not (isinstance(params_cls, type) and issubclass(params_cls, msgspec.Struct)):
        raise TypeError(f"{fn.__qualname__}: annotate the params argument with a msgspec Struct")
    return params_cls


def declared_types() -> list[NodeType]:
    """Every node type declared so far with ``node_type`` (``nodes.catalog`` imports the
    modules that declare them and builds the catalog from this)."""
    return list(_REGISTRY.values())
