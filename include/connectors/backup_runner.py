"""Runs Moodle's command-line course backup (`admin/cli/backup.php`) where Moodle lives.

Moodle has no web-service function for backups; its CLI makes them:
`php admin/cli/backup.php --courseid=N --destination=DIR` prints
`Writing DIR/backup-moodle2-course-….mbz` then `Backup completed.` and exits 0;
on an error it prints Moodle's message (`Error code: …`) and exits 1.

Runners: `local` (Airflow runs on the Moodle host, or the sandbox's stand-in).
An SSH runner is not built: it needs the SSH provider (paramiko), which is not
a dependency of this project yet; see docs/courses.md.
"""

from __future__ import annotations

import logging
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_WRITING = re.compile(r"^Writing (?P<path>.+\.mbz)\s*$", re.MULTILINE)


class MoodleBackupError(RuntimeError):
    """The backup command failed; the message carries Moodle's own output."""


@dataclass
class BackupResult:
    path: Path
    output: str


class LocalBackupRunner:
    """Runs the backup command as a local process, one course at a time."""

    def __init__(self, command: list[str], timeout_seconds: float, staging_dir: str | None = None):
        self.command = list(command)
        self.timeout_seconds = timeout_seconds
        self.staging_dir = staging_dir

    def backup(self, course_id: int) -> BackupResult:
        """Back up one course (with user data) into a fresh staging folder; returns the file."""
        if self.staging_dir:
            Path(self.staging_dir).mkdir(parents=True, exist_ok=True)
        destination = Path(tempfile.mkdtemp(prefix=f"course-{course_id}-", dir=self.staging_dir))
        argv = [*self.command, f"--courseid={int(course_id)}", f"--destination={destination}"]
        log.info("running %s", " ".join(argv))
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=self.timeout_seconds, check=False
            )
        except subprocess.TimeoutExpired:
            raise MoodleBackupError(
                f"backup of course {course_id} did not finish in {self.timeout_seconds:.0f} s"
            ) from None
        except OSError as exc:
            raise MoodleBackupError(f"backup command could not start: {exc}") from None
        output = (done.stdout or "") + (done.stderr or "")
        if done.returncode != 0:
            raise MoodleBackupError(
                f"backup of course {course_id} failed (exit {done.returncode}): "
                + " | ".join(line for line in output.strip().splitlines()[-4:])
            )
        found = _WRITING.search(done.stdout or "")
        if not found or "Backup completed." not in (done.stdout or ""):
            raise MoodleBackupError(
                f"backup of course {course_id}: no backup file reported: {output.strip()[-300:]}"
            )
        path = Path(found.group("path").strip())
        if not path.is_file():
            raise MoodleBackupError(f"backup of course {course_id}: {path} does not exist")
        return BackupResult(path=path, output=output)

    @staticmethod
    def discard(result: BackupResult) -> None:
        """Remove the staging file and its folder once the copy is in the store."""
        result.path.unlink(missing_ok=True)
        try:
            result.path.parent.rmdir()
        except OSError:
            pass


def backup_runner(settings) -> LocalBackupRunner:
    """The runner the settings name (`backup_runner`)."""
    if settings.backup_runner == "local":
        return LocalBackupRunner(
            settings.backup_command, settings.backup_timeout_seconds, settings.staging_dir
        )
    raise ValueError(f"backup_runner {settings.backup_runner!r} is not supported")
