"""What the library's services answer: typed documents (msgspec structs), so that the
OpenAPI document describes every body and the canvas's types are generated from it."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

AssetKind = Literal["image", "video", "audio", "other"]
CollectionKind = Literal["image", "video", "audio"]


class AssetRef(msgspec.Struct, omit_defaults=True):
    """An asset reference (contract section 7); ``url`` is signed and expires."""

    asset_id: str
    url: str
    content_type: str
    size: int
    sha256: str
    filename: str | None = None


class Origin(msgspec.Struct, omit_defaults=True):
    """``upload``, or the run and node that made the asset."""

    type: Literal["upload", "run"]
    run_id: str | None = None
    node_id: str | None = None


class MediaInfo(msgspec.Struct, omit_defaults=True):
    """What the file tells, as far as it does (read with PyAV)."""

    width: int | None = None
    height: int | None = None
    duration: float | None = None
    """Seconds."""
    codec: str | None = None
    fps: float | None = None
    sample_rate: int | None = None
    audio_codec: str | None = None


class AssetItem(msgspec.Struct, omit_defaults=True):
    """An asset of the library (contract section 11)."""

    asset_id: str
    url: str
    content_type: str
    size: int
    sha256: str
    name: str
    kind: AssetKind
    tags: list[str]
    created_at: str
    expires_at: str | None
    keep: bool
    origin: Origin
    metadata: MediaInfo
    filename: str | None = None
    poster: AssetRef | None | msgspec.UnsetType = msgspec.UNSET
    """Videos only: a JPEG of the first frame, null until it is made."""


class AssetPage(msgspec.Struct):
    assets: list[AssetItem]
    next_cursor: str | None


class CollectionDocument(msgspec.Struct):
    id: str
    name: str
    kind: CollectionKind
    items: list[AssetItem]
    count: int
    created_at: str


class CollectionPage(msgspec.Struct):
    collections: list[CollectionDocument]
    next_cursor: str | None


class HookDocument(msgspec.Struct):
    id: str
    text: str
    category: str
    created_at: str


class HookPage(msgspec.Struct):
    hooks: list[HookDocument]
    next_cursor: str | None


class HookCategory(msgspec.Struct):
    name: str
    count: int


class HookCategories(msgspec.Struct):
    categories: list[HookCategory]


class HooksCreated(msgspec.Struct):
    created: int


class ModelDocument(msgspec.Struct):
    """A trained model: a succeeded ``lora.train`` registers one."""

    id: str
    name: str
    kind: Literal["lora"]
    base_model: str
    trigger_word: str
    weights: AssetRef
    created_at: str
    run_id: str | None


class ModelPage(msgspec.Struct):
    models: list[ModelDocument]
    next_cursor: str | None


class Storage(msgspec.Struct):
    """Bytes stored, by kind."""

    image: int
    video: int
    audio: int
    other: int


class SpendDay(msgspec.Struct):
    day: str
    cost: float
    """USD."""


class SpendProvider(msgspec.Struct):
    provider: str
    cost: float
    """USD."""


class UsageDocument(msgspec.Struct):
    storage: Storage
    assets: int
    runs: int
    spend: list[SpendDay]
    spend_by_provider: list[SpendProvider]
    """Extension: spend over the same days, by provider, largest first."""


def as_document(value: Any, kind: type) -> Any:
    """``value`` (built of dicts and lists) as the document type ``kind``."""
    return msgspec.convert(value, kind)
