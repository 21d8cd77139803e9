"""``archive.zip``: package assets into one ZIP asset, streamed (no file held in memory)."""

from __future__ import annotations

import mimetypes
import re
import zipfile
from typing import Any

from nodes.sdk import Context, NodeError, Params, Port, node_type

CHUNK = 1024 * 1024
EXTENSIONS = {"video/mp4": ".mp4", "audio/mp4": ".m4a", "audio/wav": ".wav", "audio/mpeg": ".mp3",
              "image/png": ".png", "image/jpeg": ".jpg", "video/quicktime": ".mov", "video/webm": ".webm"}


class ZipParams(Params):
    filename: str = "assets.zip"
    prefix: str = "item"
    """Entries are named ``<prefix>-001.mp4`` … in input order (or by the asset's filename with ``keep_names``)."""
    keep_names: bool = False


def collect_refs(value: Any) -> list[dict]:
    """Asset references in a value: a reference, a list of them, or records holding one
    (such as ``variants.plan``'s), in order."""
    if isinstance(value, dict):
        if "asset_id" in value and "sha256" in value:
            return [value]
        return [ref for item in value.values() for ref in collect_refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in collect_refs(item)]
    return []


def _entry_name(ref: dict, index: int, params: ZipParams, taken: set[str]) -> str:
    extension = EXTENSIONS.get(ref.get("content_type", "")) or mimetypes.guess_extension(
        ref.get("content_type", "")) or ".bin"
    name = ref.get("filename") if params.keep_names and ref.get("filename") else f"{params.prefix}-{index:03d}{extension}"
    name = re.sub(r"[^\w.\- ]", "_", name)
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}{dot}{ext}", n + 1
    taken.add(candidate)
    return candidate


@node_type("archive.zip", title="ZIP archive", category="archive", cacheable=True,
           inputs=[Port("assets", "any", multiple=True, required=False,
                        description="Assets, or lists of them (json), in edge order"),
                   Port("list", "json", required=False, description="A list of asset references")],
           outputs=[Port("archive", "json", description="The ZIP's asset reference"), Port("count", "number")])
def zip_assets(ctx: Context, params: ZipParams, inputs: dict) -> dict:
    """Package every asset connected (or listed) into one ZIP, streamed entry by entry."""
    refs = collect_refs(inputs.get("assets") or []) + collect_refs(inputs.get("list") or [])
    if not refs:
        raise NodeError("nothing to archive: connect assets, or a list of them")
    total = sum(int(ref.get("size") or 0) for ref in refs) or 1
    done = 0
    path = ctx.temp_dir() / "archive.zip"
    taken: set[str] = set()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for index, ref in enumerate(refs, start=1):
            ctx.check_cancelled()
            name = _entry_name(ref, index, params, taken)
            with ctx.open_asset(ref) as source, archive.open(name, "w", force_zip64=True) as entry:
                while chunk := source.read(CHUNK):
                    entry.write(chunk)
                    done += len(chunk)
            ctx.progress(min(1.0, done / total), f"{index} of {len(refs)} files")
    return {"archive": ctx.save_asset(path, "application/zip", filename=params.filename), "count": len(refs)}
