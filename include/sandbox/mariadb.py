"""A project-local MariaDB server from the system's binaries.

Data directory, socket and logs live in `.local/mariadb/`; it listens on
127.0.0.1 only, on its own port, so it never touches a system server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from include.sandbox.environment import LOCAL_DIR


class LocalStackError(RuntimeError):
    """A one-line, actionable reason why the local stack cannot start."""


@dataclass(frozen=True)
class LocalMariaDB:
    port: int
    base_dir: Path = LOCAL_DIR / "mariadb"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket(self) -> Path:
        return self.base_dir / "mysqld.sock"

    @property
    def pid_file(self) -> Path:
        return self.base_dir / "mysqld.pid"

    def _binary(self, *names: str) -> str:
        for name in names:
            found = shutil.which(name) or (
                f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
            )
            if found:
                return found
        raise LocalStackError(
            f"MariaDB is not installed ({names[0]} not found): "
            "apt-get install mariadb-server mariadb-client"
        )

    def client_args(self) -> list[str]:
        return [
            self._binary("mariadb", "mysql"),
            "--no-defaults",
            f"--socket={self.socket}",
            "-uroot",
        ]

    def is_running(self) -> bool:
        if not self.socket.exists():
            return False
        probe = subprocess.run(
            [*self.client_args(), "-e", "SELECT 1"], capture_output=True, timeout=10
        )
        return probe.returncode == 0

    def start(self) -> bool:
        """Start the server unless it runs already. Returns True if it started it."""
        server = self._binary("mariadbd", "mysqld")
        if self.is_running():
            return False
        if _port_in_use(self.port):
            raise LocalStackError(
                f"port {self.port} on 127.0.0.1 is in use by another program: free it "
                "or change SANDBOX_MARIADB_PORT and the ports in sandbox.env"
            )
        self.base_dir.mkdir(parents=True, exist_ok=True)
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        if not (self.data_dir / "mysql").exists():
            install = self._binary("mariadb-install-db", "mysql_install_db")
            subprocess.run(
                [
                    install,
                    "--no-defaults",
                    f"--datadir={self.data_dir}",
                    "--auth-root-authentication-method=socket",
                    "--skip-test-db",
                    *as_root,
                ],
                check=True,
                capture_output=True,
            )
        log = open(self.base_dir / "mysqld.log", "ab")
        subprocess.Popen(
            [
                server,
                "--no-defaults",
                f"--datadir={self.data_dir}",
                f"--socket={self.socket}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--pid-file={self.pid_file}",
                "--skip-name-resolve",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
                "--innodb-buffer-pool-size=1G",
                "--innodb-flush-log-at-trx-commit=2",
                "--max-connections=500",
                "--max-allowed-packet=256M",
                *as_root,
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.is_running():
                return True
            time.sleep(0.3)
        raise LocalStackError(f"MariaDB did not start; see {self.base_dir / 'mysqld.log'}")

    def stop(self) -> None:
        if not self.pid_file.exists():
            return
        pid = int(self.pid_file.read_text().strip() or 0)
        try:
            os.kill(pid, 15)
        except ProcessLookupError:
            return
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)

    def execute(self, sql: str, database: str | None = None) -> str:
        args = [*self.client_args(), "--batch", "--skip-column-names"]
        if database:
            args.append(database)
        done = subprocess.run(args, input=sql.encode(), capture_output=True)
        if done.returncode != 0:
            raise LocalStackError(done.stderr.decode().strip())
        return done.stdout.decode()

    def ensure_account(self, login: str, password: str) -> None:
        """The application account the Airflow connections use (loopback only)."""
        escaped = password.replace("'", "''")
        self.execute(
            f"CREATE USER IF NOT EXISTS '{login}'@'127.0.0.1' IDENTIFIED BY '{escaped}';"
            f"CREATE USER IF NOT EXISTS '{login}'@'localhost' IDENTIFIED BY '{escaped}';"
            f"GRANT ALL PRIVILEGES ON *.* TO '{login}'@'127.0.0.1';"
            f"GRANT ALL PRIVILEGES ON *.* TO '{login}'@'localhost';"
        )

    def recreate_database(self, name: str) -> None:
        self.execute(
            f"DROP DATABASE IF EXISTS `{name}`;"
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        )

    def ensure_database(self, name: str) -> None:
        self.execute(
            f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        )

    def load_file(self, path: Path, database: str) -> None:
        self.execute(path.read_text(encoding="utf-8"), database=database)


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
