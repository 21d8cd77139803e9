"""Tell a file's media type from its first bytes (uploads are checked, not trusted)."""

from __future__ import annotations

SNIFF_BYTES = 64
"""How many leading bytes ``sniff`` needs."""
SAFETENSORS = "application/x-safetensors"
"""Model weights (a LoRA) in the safetensors format."""

_FTYP_AUDIO = {b"M4A ", b"M4B ", b"M4P ", b"F4A "}
_FTYP_QUICKTIME = {b"qt  "}
_FTYP_IMAGE = {b"avif": "image/avif", b"avis": "image/avif", b"heic": "image/heic", b"heix": "image/heic",
               b"mif1": "image/heif"}


def sniff(head: bytes) -> str | None:
    """The content type the bytes show, or None when they are none this server takes."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _FTYP_IMAGE:
            return _FTYP_IMAGE[brand]
        if brand in _FTYP_AUDIO:
            return "audio/mp4"
        if brand in _FTYP_QUICKTIME:
            return "video/quicktime"
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/x-matroska" if b"matroska" in head else "video/webm"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if len(head) > 9 and head[8:10] in (b'{"', b"{ ") and 2 <= int.from_bytes(head[:8], "little") < 100_000_000:
        return SAFETENSORS  # an 8-byte little-endian header length, then the JSON header
    return None


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
