"""Real servers for tests: Redis, PostgreSQL and an S3 server (moto) on free loopback
ports, and FusionFlow itself (an in-thread API server, worker subprocesses).

A missing server binary skips the test locally, with the reason; in CI
(``CI=true``) it is an error: nothing may skip for that reason there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def need(binary: str | Path, why: str) -> str:
    """The path of ``binary``, or skip (fail in CI) when it is not installed."""
    path = shutil.which(str(binary)) if not Path(binary).is_absolute() else (str(binary) if Path(binary).exists() else None)
    if path is None:
        message = f"{binary} is not installed ({why}); apt-get install it or run .ci/run"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class RedisServer:
    port: int
    directory: Path
    command: list[str]
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self) -> None:
        """Kill it (its data is gone: it keeps nothing on disk), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    binary = need("redis-server", "the broker and event bus of the distributed mode")
    directory = Path(tempfile.mkdtemp(prefix="ff-redis-"))
    port = free_port()
    server = RedisServer(port, directory, [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir",
                                           str(directory), "--save", "", "--appendonly", "no"])
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class PostgresServer:
    port: int
    directory: Path
    databases: list[str] = field(default_factory=list)

    def _pg_ctl(self, *args: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), *args],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self._pg_ctl("-l", str(self.directory / "log"), "-w", "start", "-o",
                     f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                     "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")

    def stop(self) -> None:
        """Stop it at once (connections are cut), as a crash or a restart would."""
        self._pg_ctl("-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"ff_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        self.databases.append(name)
        return self.url(name)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    need(PG_BIN / "initdb", "the database of the distributed mode")
    directory = Path(tempfile.mkdtemp(prefix="ff-pg-"))
    data = directory / "data"
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(directory, "postgres", "postgres")
    port = free_port()
    subprocess.run([*as_postgres, str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-locale"], check=True, stdout=subprocess.DEVNULL)
    server = PostgresServer(port, directory)
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class S3Server:
    port: int
    access_key: str = "testing"
    secret_key: str = "testing"

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server in this process (STACK.md: good enough for the minio client)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        if IN_CI:
            pytest.fail("moto[server] is not installed")
        pytest.skip("moto[server] is not installed")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        wait_for_port(port)
        yield S3Server(port)
    finally:
        server.stop()


# -- FusionFlow ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    """A FusionFlow API server on a free loopback port, in a thread of this process."""

    url: str
    runtime: object
    server: object
    thread: threading.Thread


@contextmanager
def live_server(env: dict[str, str], *, executes: bool | None = None) -> Iterator[LiveServer]:
    import uvicorn

    from orchestrator import settings as settings_module
    from orchestrator.api.app import create_app
    from orchestrator.engine.runtime import Runtime

    port = free_port()
    # Known before it starts, as in production: URLs signed outside a request (for providers) start with it.
    settings = settings_module.load({"FUSIONFLOW_PUBLIC_URL": f"http://127.0.0.1:{port}", **env})
    runtime = Runtime.build(settings, executes=(not settings.distributed) if executes is None else executes,
                            migrate_schema=True)
    server = uvicorn.Server(uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the FusionFlow test server did not start")
        thread.join(0.01)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", runtime, server, thread)
    finally:
        server.should_exit = True
        thread.join(15)


class WorkerPool:
    """``fusionflow worker`` processes with one ``env``, their output in temp files;
    the fault tests kill and replace them."""

    def __init__(self, env: dict[str, str], threads: int = 4, args: tuple[str, ...] = ()) -> None:
        self.env = {**os.environ, **env}
        self.threads = threads
        self.args = args
        """More ``fusionflow worker`` options (``--queues long``)."""
        self.processes: list[subprocess.Popen] = []
        self._logs: list[tempfile._TemporaryFileWrapper] = []

    def add(self, wait: bool = True) -> subprocess.Popen:
        """Start one more worker and (with ``wait``) wait until it takes work."""
        log = tempfile.NamedTemporaryFile("w+", prefix="ff-worker-", suffix=".log", delete=False)
        process = subprocess.Popen([sys.executable, "-m", "orchestrator.cli", "worker", "--threads",
                                    str(self.threads), *self.args], env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True)
        self.processes.append(process)
        self._logs.append(log)
        if wait:
            self.wait_started(process)
        return process

    def started(self, process: subprocess.Popen) -> bool:
        return "FusionFlow worker" in self.output(process)

    def wait_started(self, process: subprocess.Popen) -> None:
        log = self._logs[self.processes.index(process)]
        deadline = time.monotonic() + 120  # importing every provider SDK is slow on a loaded machine
        while "FusionFlow worker" not in Path(log.name).read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{Path(log.name).read_text()}")
            time.sleep(0.05)

    def output(self, process: subprocess.Popen) -> str:
        return Path(self._logs[self.processes.index(process)].name).read_text()

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self._logs:
            log.close()
            os.unlink(log.name)


@contextmanager
def worker_processes(env: dict[str, str], count: int, threads: int = 4,
                     args: tuple[str, ...] = ()) -> Iterator[list[subprocess.Popen]]:
    """``count`` ``fusionflow worker`` processes with ``env`` (and more options ``args``)."""
    pool = WorkerPool(env, threads, args)
    try:
        for _ in range(count):
            pool.add()
        yield pool.processes
    finally:
        pool.close()


@contextmanager
def serve_process(env: dict[str, str], *, command: list[str] | None = None,
                  cwd: Path | None = None) -> Iterator[str]:
    """``fusionflow serve`` in its own process with ``env``, from the project's root (or
    ``cwd``); yields its base URL. The browser tests use it, and the benchmarks (so that the
    measuring client does not share the server's interpreter). ``command`` replaces
    ``python -m orchestrator.cli`` (an installed ``fusionflow``, say)."""
    import httpx

    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="ff-serve-", suffix=".log", delete=False)
    process = subprocess.Popen([*(command or [sys.executable, "-m", "orchestrator.cli"]), "serve", "--host",
                                "127.0.0.1", "--port", str(port)], cwd=cwd or Path(__file__).resolve().parents[1],
                               env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"fusionflow serve did not start:\n{Path(log.name).read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        os.unlink(log.name)
