"""Real Celery workers and beat, and a private Redis server, as child processes of a test."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 60


def start_celery(role: str, env: dict, tmp_path: Path) -> subprocess.Popen:
    """A worker or beat, started as `make worker` and `make beat` start them, with one process and its own name."""
    command = [sys.executable, "-m", "celery", "-A", "tracker", role, "--loglevel", "INFO"]
    if role == "worker":
        command += ["--concurrency", "1", "--pool", "prefork", "--without-gossip", "--without-mingle"]
        command += ["-n", f"test-{time.monotonic_ns()}@%h"]
    else:
        command += ["--schedule", str(tmp_path / "beat-schedule")]
    log = open(tmp_path / f"{role}-{time.monotonic_ns()}.log", "w")
    return subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until(condition, seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in sorted(tmp_path.glob("*.log")))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port, which the test may stop and start again.

    It keeps its data across a restart, as a production Redis does (a snapshot written on shutdown), so that a
    queued task outlives the outage."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        command += ["no", "--daemonize", "no", "--dir", str(self.directory), "--dbfilename", "private.rdb"]
        log = open(self.directory / f"redis-{time.monotonic_ns()}.log", "w")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if not wait_until(self.is_answering, 10):
            raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        """Shut down with a snapshot, as a service manager's stop does."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            redis.Redis(port=self.port).shutdown(save=True)
        except redis.ConnectionError:
            pass  # the server closes the connection as it exits
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def is_answering(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.ConnectionError:
            return False
