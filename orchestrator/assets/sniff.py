"""Which type to store and to serve bytes under: the bytes' own word (``sniff``, shared
with the FFmpeg runner in ``nodes.mediatypes``), never only what a client or provider says."""

from __future__ import annotations

from nodes.mediatypes import SAFETENSORS, SNIFF_BYTES, sniff

__all__ = ["SAFETENSORS", "SNIFF_BYTES", "sniff", "reconcile", "stored_type", "served_type", "presented"]

_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "audio/x-wav": "audio/wav",
            "audio/wave": "audio/wav", "audio/vnd.wave": "audio/wav", "audio/mp3": "audio/mpeg",
            "audio/x-m4a": "audio/mp4", "application/x-zip-compressed": "application/zip"}
GENERIC = {"", "application/octet-stream", "binary/octet-stream"}


def reconcile(declared: str | None, head: bytes) -> tuple[str | None, str | None]:
    """``(content_type, problem)``: the type to store, or a sentence saying why not.

    The sniffed type wins; a declared type must agree with it (same kind: an MP4
    may be declared as audio or video, since the container holds either)."""
    sniffed = sniff(head)
    declared = _ALIASES.get((declared or "").split(";")[0].strip().lower(), (declared or "").split(";")[0].strip().lower())
    if sniffed is None:
        shown = f" (declared {declared})" if declared not in GENERIC else ""
        return None, (f"the bytes are not a media type this server accepts{shown}: upload PNG, JPEG, GIF, WebP, "
                      "MP4, MOV, WebM, MKV, WAV, MP3, M4A, OGG, FLAC, ZIP or .safetensors")
    if declared in GENERIC:
        return sniffed, None
    if declared == sniffed:
        return sniffed, None
    if sniffed in ("video/mp4", "audio/mp4", "video/quicktime") and declared in ("video/mp4", "audio/mp4", "video/quicktime"):
        return declared, None
    if sniffed in ("video/webm", "video/x-matroska") and declared in ("video/webm", "video/x-matroska", "audio/webm"):
        return declared, None
    return None, f"the upload says it is {declared} but its bytes are {sniffed}"


OCTET_STREAM = "application/octet-stream"
INLINE_KINDS = ("image/", "video/", "audio/")
"""Types a browser may show inline: media, and only as the bytes themselves show it."""


def stored_type(declared: str | None, head: bytes) -> str:
    """The type to keep for bytes a node or a provider made (their word is not trusted):
    the media type the bytes show (the declared one where ``reconcile`` lets it stand),
    else ``application/octet-stream``, so that nothing is ever kept as HTML, SVG or script."""
    if sniff(head) is None:
        return OCTET_STREAM
    kept, _ = reconcile(declared, head)
    return kept or sniff(head) or OCTET_STREAM


def served_type(stored: str | None, head: bytes) -> tuple[str, bool]:
    """``(Content-Type, inline)`` to serve bytes under: inline only for media on the
    allow-list that the bytes agree with; anything else as a download."""
    kept, problem = reconcile(stored, head)
    return presented(kept) if kept and not problem else (OCTET_STREAM, False)


def presented(stored: str | None) -> tuple[str, bool]:
    """``(Content-Type, inline)`` for a stored type (which the store checked on the way in),
    where the bytes cannot be looked at (signing an S3 URL): media inline, ZIP as a
    download, anything else as ``application/octet-stream``."""
    if stored and stored.startswith(INLINE_KINDS):
        return stored, True
    return (stored if stored == "application/zip" else OCTET_STREAM), False
