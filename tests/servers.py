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
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    binary = need("redis-server", "the broker and event bus of the distributed mode")
    directory = Path(tempfile.mkdtemp(prefix="ff-redis-"))
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
                                "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield RedisServer(port, directory, process)
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class PostgresServer:
    port: int
    directory: Path
    databases: list[str] = field(default_factory=list)

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
    subprocess.run([*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(directory / "log"), "-w",
                    "start", "-o", f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"],
                   check=True, stdout=subprocess.DEVNULL)
    try:
        yield PostgresServer(port, directory)
    finally:
        subprocess.run([*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    runtime = Runtime(settings, executes=(not settings.distributed) if executes is None else executes,
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


@contextmanager
def worker_processes(env: dict[str, str], count: int, threads: int = 4) -> Iterator[list[subprocess.Popen]]:
    """``count`` ``fusionflow worker`` processes with ``env``, their output in temp files."""
    full_env = {**os.environ, **env}
    logs = [tempfile.NamedTemporaryFile("w+", prefix="ff-worker-", suffix=".log", delete=False) for _ in range(count)]
    processes = [subprocess.Popen([sys.executable, "-m", "orchestrator.cli", "worker", "--threads", str(threads)],
                                  env=full_env, stdout=log, stderr=subprocess.STDOUT, text=True)
                 for log in logs]
    try:
        deadline = time.monotonic() + 120  # importing every provider SDK is slow on a loaded machine
        for process, log in zip(processes, logs):
            while "FusionFlow worker" not in Path(log.name).read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker did not start:\n{Path(log.name).read_text()}")
                time.sleep(0.05)
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
            os.unlink(log.name)
