"""The backing services of the production shape on one machine (include/sandbox/distributed.py).

PostgreSQL (Airflow's metadata DB) and Redis (the Celery broker) from Debian's packages,
and moto's S3 server (the store), each a project-local background process on 127.0.0.1
with its own port and folder. Each `start_…` enters its process in `processes` before
waiting for it, so that whoever stops `processes` stops a service that never came up.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from include.sandbox.environment import PROJECT_ROOT
from include.sandbox.mariadb import LocalStackError

POSTGRES_ROLE = "airflow"


def wait_until(check, what: str, log: Path, timeout: float = 60) -> None:
    """Poll `check` until it is true; a LocalStackError naming `log` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise LocalStackError(f"{what} did not start in {timeout:.0f} s; see {log}")


def postgres_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in versions:
        if (folder / name).exists():
            return str(folder / name)
    raise LocalStackError("PostgreSQL is not installed: apt-get install postgresql")


@dataclass
class Process:
    """A background process in its own session (so its whole group can be stopped)."""

    name: str
    args: list[str]
    log: Path
    env: dict[str, str] | None = None
    user: str | None = None
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, pid_file: Path | None = None) -> Process:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.log, "ab")
        args = ["runuser", "-u", self.user, "--", *self.args] if self.user else self.args
        self.popen = subprocess.Popen(
            args,
            env=self.env,
            stdout=handle,
            stderr=handle,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=PROJECT_ROOT,
        )
        if pid_file is not None:  # a session killed before its clean-up leaves these
            with open(pid_file, "a") as pids:
                pids.write(f"{self.popen.pid}\n")
        return self

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (SIGKILL: a machine lost, nothing cleans up)."""
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def tree(self) -> list[int]:
        """The process and all its descendants, in whichever process group: Airflow's
        task supervisor puts each task in a group of its own, out of reach of `kill`."""
        import psutil

        try:
            root = psutil.Process(self.popen.pid) if self.popen else None
            return [root.pid, *(c.pid for c in root.children(recursive=True))] if root else []
        except psutil.NoSuchProcess:
            return []

    def freeze(self) -> set[int]:
        """SIGSTOP the whole tree (nothing in it runs, forks or reports any more), listed
        again until no new descendant appears; `thaw` or `lose` it next."""
        frozen: set[int] = set()
        while new := set(self.tree()) - frozen:
            for pid in new:
                _signal(pid, signal.SIGSTOP)
            frozen |= new
        return frozen

    def thaw(self) -> None:
        for pid in self.tree():
            _signal(pid, signal.SIGCONT)

    def lose(self) -> None:
        """SIGKILL the whole tree at once, frozen first, as when its machine is lost: the
        task dies with its worker, nothing cleans up or reports."""
        for pid in self.freeze():
            _signal(pid, signal.SIGKILL)
        self.kill()
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            pass

    def stop(self, timeout: float = 20) -> None:
        if not self.running():
            self.kill()
            return
        self.kill(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill(signal.SIGKILL)
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            pass


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def postgres_dir(base_dir: Path) -> Path:
    """PostgreSQL's folder: in the stack's own folder, unless the `postgres` user
    cannot reach it (a checkout under a private home): then a folder of its own in
    the system's temporary directory, named in `postgres.location`."""
    pointer = base_dir / "postgres.location"
    if pointer.exists():
        return Path(pointer.read_text().strip())
    folder = base_dir / "postgres"
    if os.geteuid() == 0:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(folder, "postgres")
        reach = ["runuser", "-u", "postgres", "--", "test", "-w", str(folder)]
        if subprocess.run(reach, capture_output=True).returncode != 0:
            import tempfile

            folder = Path(tempfile.mkdtemp(prefix="lms-pipelines-postgres-"))
            shutil.chown(folder, "postgres")
    base_dir.mkdir(parents=True, exist_ok=True)
    pointer.write_text(str(folder))
    return folder


def start_postgres(run_dir: Path, port: int, pid_file: Path, processes: dict) -> None:
    """A PostgreSQL cluster of its own in `run_dir` (its data in `run_dir/data`) with a
    database `airflow`; as root, it runs as the `postgres` user."""
    user = "postgres" if os.geteuid() == 0 else None
    data = run_dir / "data"
    run_dir.mkdir(parents=True, exist_ok=True)
    if user:
        shutil.chown(run_dir, user)
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(data, ignore_errors=True)
        initdb = [
            postgres_bin("initdb"),
            "-D",
            str(data),
            "-U",
            POSTGRES_ROLE,
            "--auth=trust",  # loopback only, a throwaway cluster: no password to keep
            "--encoding=UTF8",
            "--no-sync",
        ]
        done = subprocess.run(
            ["runuser", "-u", user, "--", *initdb] if user else initdb,
            capture_output=True,
            text=True,
            cwd="/",
        )
        if done.returncode != 0:
            raise LocalStackError(f"initdb failed: {done.stderr.strip()[-1000:]}")
    log = run_dir / "postgres.log"
    processes["postgres"] = Process(
        "postgres",
        [
            postgres_bin("postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={run_dir}",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ],
        log,
        user=user,
    ).start(pid_file)
    ready = [postgres_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port)]
    wait_until(
        lambda: subprocess.run(ready, capture_output=True).returncode == 0, "PostgreSQL", log
    )
    psql = [
        postgres_bin("psql"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-U",
        POSTGRES_ROLE,
        "-d",
        "postgres",
        "-tAc",
    ]
    exists = subprocess.run(
        [*psql, "SELECT 1 FROM pg_database WHERE datname = 'airflow'"],
        capture_output=True,
        text=True,
    )
    if exists.stdout.strip() != "1":
        subprocess.run([*psql, "CREATE DATABASE airflow"], check=True, capture_output=True)


def start_redis(folder: Path, port: int, pid_file: Path, processes: dict) -> None:
    """A Redis server on 127.0.0.1:`port`, its files in `folder`, nothing saved."""
    folder.mkdir(parents=True, exist_ok=True)
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(server).exists():
        raise LocalStackError("Redis is not installed: apt-get install redis-server")
    log = folder / "redis.log"
    processes["redis"] = Process(
        "redis",
        [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", ""],
        log,
    ).start(pid_file)
    ping = ["redis-cli", "-p", str(port), "ping"]
    wait_until(lambda: b"PONG" in subprocess.run(ping, capture_output=True).stdout, "Redis", log)


def start_s3(log: Path, port: int, bucket: str, pid_file: Path, processes: dict) -> None:
    """moto's S3-compatible server (in memory) and the store's bucket."""
    server = str(Path(sys.executable).with_name("moto_server"))
    processes["s3"] = Process(
        "s3", [server, "-H", "127.0.0.1", "-p", str(port)], log, env=dict(os.environ)
    ).start(pid_file)

    def up() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return True
        except OSError:
            return False

    wait_until(up, "moto's S3 server", log)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/{bucket}", method="PUT")
    urllib.request.urlopen(request, timeout=10).close()
