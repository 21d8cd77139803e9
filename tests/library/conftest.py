"""Fixtures for the library tests: small real media made with FFmpeg, uploads, two users."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from nodes.media.ffmpeg import ffmpeg_exe
from tests import servers
from tests.api.test_auth import create_user


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", *args], check=True)


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """A 320x240 H.264 clip with sound, a WAV tone and a PNG, each a few KB."""
    folder = tmp_path_factory.mktemp("media")
    clip, tone, picture = folder / "clip.mp4", folder / "tone.wav", folder / "picture.png"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "1.2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(clip))
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=330", "-t", "2", str(tone))
    _ffmpeg("-f", "lavfi", "-i", "color=c=red:size=48x32", "-frames:v", "1", str(picture))
    return {"video": clip, "audio": tone, "image": picture}


def upload(client: httpx.Client, path: Path, *, name: str | None = None, content: bytes | None = None) -> dict:
    """Upload a file as multipart field ``file`` under ``name`` (default: its own)."""
    response = client.post("/api/assets", files={"file": (name or path.name, content if content is not None
                                                          else path.read_bytes())})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def two_users(tmp_path_factory):
    """An embedded server with authentication on: clients for alice and bob."""
    env = {"FUSIONFLOW_HOME": str(tmp_path_factory.mktemp("two-users")), "FUSIONFLOW_AUTH": "required"}
    alice_key, bob_key = create_user(env, "alice"), create_user(env, "bob")
    with servers.live_server(env) as live, \
            httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {alice_key}"}, timeout=30) as alice, \
            httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {bob_key}"}, timeout=30) as bob:
        yield alice, bob
