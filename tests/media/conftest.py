"""Fixtures for the media tests: asset stores on real backends, a node harness that runs
node types with a real asset store and no engine, small media made with FFmpeg."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

import msgspec
import pytest

from nodes.catalog import load_catalog
from nodes.media.ffmpeg import ffmpeg_exe
from nodes.sdk import MISSING, Cancelled
from orchestrator import settings as settings_module
from orchestrator.assets.factory import build_asset_service
from orchestrator.store import migrate
from orchestrator.store.db import Database
from orchestrator.store.users import LOCAL_USER_ID, ensure_local_user
from tests.fake_context import CancellableContext
from tests.servers import need


@pytest.fixture(scope="session")
def ffmpeg_bin() -> str:
    return ffmpeg_exe()


@pytest.fixture(scope="session")
def ffprobe_bin() -> str:
    return need("ffprobe", "checks the media the nodes make")


def make_store(env: dict[str, str]):
    settings = settings_module.load(env)
    db = Database(settings.database_url)
    migrate.upgrade(db)
    ensure_local_user(db)
    return build_asset_service(settings, db), db


@pytest.fixture
def local_store(tmp_path):
    store, db = make_store({"FUSIONFLOW_HOME": str(tmp_path / "home")})
    yield store
    db.dispose()


@pytest.fixture
def s3_store(tmp_path, s3):
    store, db = make_store({"FUSIONFLOW_HOME": str(tmp_path / "home"), "FUSIONFLOW_S3_ENDPOINT": s3.endpoint,
                            "FUSIONFLOW_S3_ACCESS_KEY": s3.access_key, "FUSIONFLOW_S3_SECRET_KEY": s3.secret_key,
                            "FUSIONFLOW_S3_BUCKET": f"t{uuid.uuid4().hex[:10]}"})
    yield store
    db.dispose()


@pytest.fixture(params=["local", "s3"])
def store(request):
    return request.getfixturevalue(f"{request.param}_store")


class Harness(CancellableContext):
    """A ``Context`` for one node over a real asset store: runs node types without an engine."""

    def __init__(self, store, *, node_id: str = "node") -> None:
        self.store = store
        self.run_id, self.node_id, self.attempt, self.user_id = "r_test", node_id, 1, LOCAL_USER_ID
        self.progress_events: list[tuple[float, str]] = []
        super().__init__()
        self._temp: Path | None = None
        self.on_progress = None

    def progress(self, fraction: float, message: str = "") -> None:
        self.progress_events.append((fraction, message))
        if self.on_progress:
            self.on_progress(fraction)
        if self.cancel.is_set():
            raise Cancelled()

    def run_input(self, name: str) -> Any:
        return MISSING

    def setting(self, name: str, default: Any = None) -> Any:
        return default

    def temp_dir(self) -> Path:
        if self._temp is None:
            self._temp = Path(tempfile.mkdtemp(prefix="ff-test-node-"))
        return self._temp

    def asset(self, asset_id: str) -> dict:
        return self.store.get(self.user_id, asset_id)

    def open_asset(self, ref: dict) -> AbstractContextManager[IO[bytes]]:
        return self.store.open(self.user_id, ref)

    def asset_path(self, ref: dict) -> AbstractContextManager[Path]:
        return self.store.local_path(self.user_id, ref)

    def asset_url(self, ref: dict) -> str:
        return self.store.url(self.user_id, ref)

    def save_asset(self, source, content_type: str, *, filename: str | None = None) -> dict:
        if isinstance(source, (str, Path)):
            return self.store.put_file(self.user_id, Path(source), content_type, filename=filename)
        return self.store.put_stream(self.user_id, source, content_type, filename=filename)

    def external_id(self) -> str | None:
        return None

    def set_external_id(self, value: str | None) -> None:
        pass

    def suspend(self, poll_after: float) -> None:
        """No pollers here: the node waits for its job itself."""

    def job_webhook_url(self) -> str | None:
        return None

    def record_cost(self, amount: float, detail: str = "") -> None:
        pass

    def run(self, type_name: str, params: dict | None = None, **inputs) -> dict:
        """Run a node type with these params and inputs; returns its outputs."""
        node_type = load_catalog().get(type_name)
        assert node_type is not None, type_name
        try:
            return node_type.execute(self, msgspec.convert(params or {}, node_type.params), inputs)
        finally:
            if self._temp is not None:
                shutil.rmtree(self._temp, ignore_errors=True)
                self._temp = None


@pytest.fixture
def harness(local_store) -> Harness:
    return Harness(local_store)


class Media:
    """Small test media made with FFmpeg, stored as assets."""

    def __init__(self, ffmpeg: str, harness: Harness, directory: Path) -> None:
        self.ffmpeg, self.harness, self.directory = ffmpeg, harness, directory

    def make(self, name: str, *args: str) -> Path:
        path = self.directory / name
        subprocess.run([self.ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *args, str(path)], check=True,
                       timeout=60)
        return path

    def video(self, *, seconds: float = 1.5, size: str = "320x240", audio: bool = True, rate: int = 24,
              colour: str = "testsrc2") -> dict:
        name = f"v-{seconds}-{size}-{audio}-{rate}-{colour}.mp4"
        args = ["-f", "lavfi", "-i", f"{colour}=size={size}:rate={rate}:duration={seconds}"]
        if audio:
            args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac"]
        path = self.make(name, *args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                         "-shortest")
        return self.harness.save_asset(path, "video/mp4")

    def audio(self, *, seconds: float = 1.0, frequency: int = 660, codec: str = "aac") -> dict:
        extension, content_type = ("m4a", "audio/mp4") if codec == "aac" else ("wav", "audio/wav")
        path = self.make(f"a-{seconds}-{frequency}.{extension}", "-f", "lavfi", "-i",
                         f"sine=frequency={frequency}:duration={seconds}",
                         *(["-c:a", "aac"] if codec == "aac" else []))
        return self.harness.save_asset(path, content_type)


@pytest.fixture
def media(ffmpeg_bin, harness, tmp_path) -> Media:
    directory = tmp_path / "media"
    directory.mkdir()
    return Media(ffmpeg_bin, harness, directory)


class Probe:
    def __init__(self, ffprobe: str, ffmpeg: str) -> None:
        self.ffprobe, self.ffmpeg = ffprobe, ffmpeg

    def info(self, path: Path) -> dict:
        out = subprocess.run([self.ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
                             capture_output=True, check=True, timeout=60)
        return msgspec.json.decode(out.stdout)

    def frame(self, path: Path, at: float, size: tuple[int, int]) -> bytes:
        """The frame at ``at`` seconds as raw RGB24 bytes."""
        out = subprocess.run([self.ffmpeg, "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1",
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True, timeout=60)
        assert len(out.stdout) == size[0] * size[1] * 3
        return out.stdout


@pytest.fixture(scope="session")
def probe(ffprobe_bin, ffmpeg_bin) -> Probe:
    return Probe(ffprobe_bin, ffmpeg_bin)
