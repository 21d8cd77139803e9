"""Tell a file's media type from its first bytes, and which FFmpeg demuxer reads it.

Uploads and provider results are checked against this, not trusted; FFmpeg is told
the demuxer of the type the bytes show, so that no file is read as something else
(an HLS playlist disguised as MP3 would otherwise make FFmpeg fetch its "segments").
"""

from __future__ import annotations

SNIFF_BYTES = 64
"""How many leading bytes ``sniff`` needs."""
SAFETENSORS = "application/x-safetensors"
"""Model weights (a LoRA) in the safetensors format."""

_FTYP_AUDIO = {b"M4A ", b"M4B ", b"M4P ", b"F4A "}
_FTYP_QUICKTIME = {b"qt  "}
_FTYP_IMAGE = {b"avif": "image/avif", b"avis": "image/avif", b"heic": "image/heic", b"heix": "image/heic",
               b"mif1": "image/heif"}


SAFETENSORS = "application/x-safetensors"
"""Model weights (a LoRA) in the safetensors format."""


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


DEMUXERS = {
    "image/png": "png_pipe", "image/jpeg": "jpeg_pipe", "image/gif": "gif", "image/webp": "webp_pipe",
    "audio/wav": "wav", "video/x-msvideo": "avi", "audio/mpeg": "mp3", "audio/ogg": "ogg", "audio/flac": "flac",
    "video/mp4": "mov", "audio/mp4": "mov", "video/quicktime": "mov", "image/avif": "mov", "image/heic": "mov",
    "image/heif": "mov", "video/webm": "matroska", "video/x-matroska": "matroska",
}
"""FFmpeg's demuxer for each type ``sniff`` tells (``mov`` reads MP4, M4A, MOV and HEIF alike)."""


def demuxer(head: bytes) -> str | None:
    """The FFmpeg demuxer for bytes starting with ``head``, or None if they are no media."""
    return DEMUXERS.get(sniff(head) or "")
