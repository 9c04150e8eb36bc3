"""Benchmark of `course_archive`'s memory: a large synthetic course backup (`.mbz`)
copied into the store and verified, by the functions the DAG's tasks call.

For each size, in a fresh process (so peak RSS is that size's alone): a gzip tar with
`moodle_backup.xml` and incompressible "user files" of that size is written to a
temporary folder, then `include.tasks.course_backups.copy_into_store` (what
`backup_course` does) copies it into a local store through ObjectStoragePath while
hashing it, and `include.courses.archive.verify_copy` (what `verify_backups` does)
hashes and reads the stored copy as a Moodle backup in one pass. Prints the peak RSS
of the process before and after, per size: flat when memory does not depend on the
backup's size. Figures only; nothing is asserted.

    .venv/bin/python bench/bench_course_archive.py [--sizes-mb 30,300]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
COURSE_ID = 42


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Incompressible:
    """`size` bytes of random data, read in chunks (never whole in memory)."""

    def __init__(self, size: int):
        self.left = size

    def read(self, n: int = 1 << 20) -> bytes:
        n = min(n if n > 0 else 1 << 20, self.left)
        self.left -= n
        return os.urandom(n)


def write_mbz(path: Path, size: int) -> None:
    """A Moodle-like backup of COURSE_ID: moodle_backup.xml and `size` bytes of files."""
    xml = (
        "<moodle_backup><information><original_course_id>"
        f"{COURSE_ID}</original_course_id><settings><setting><name>users</name>"
        "<value>1</value></setting></settings></information></moodle_backup>"
    ).encode()
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("moodle_backup.xml")
        info.size = len(xml)
        tar.addfile(info, _Chunks(xml))
        info = tarfile.TarInfo("files/user-uploads.bin")
        info.size = size
        tar.addfile(info, _Incompressible(size))


class _Chunks:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, n: int = -1) -> bytes:
        chunk, self.data = (self.data, b"") if n < 0 else (self.data[:n], self.data[n:])
        return chunk


def one_size(size_mb: int) -> dict:
    """In this process: build, copy into the store and verify one backup of `size_mb`."""
    from airflow.sdk import ObjectStoragePath

    from include.courses import archive
    from include.tasks.course_backups import copy_into_store

    with tempfile.TemporaryDirectory(prefix="bench-course-") as tmp:
        source = Path(tmp) / "backup.mbz"
        write_mbz(source, size_mb << 20)
        target = ObjectStoragePath(f"file://{tmp}/store/courses/2025-2026/c-{COURSE_ID}.mbz")
        before = _peak_mb()
        started = time.monotonic()
        digest, size = copy_into_store(source, target)
        copied = time.monotonic() - started
        with target.open("rb") as stream:
            reason = archive.verify_copy(stream, digest, COURSE_ID)
        verified = time.monotonic() - started - copied
        return {
            "size_mb": round(size / 2**20),
            "peak_rss_before_mb": round(before, 1),
            "peak_rss_after_mb": round(_peak_mb(), 1),
            "copy_s": round(copied, 2),
            "verify_s": round(verified, 2),
            "verified": reason is None,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", default="30,300")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child: one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    figures = []
    print("course backup copied into the store and verified (streams, 1 MiB chunks)")
    for size in (int(s) for s in args.sizes_mb.split(",")):
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        figure = json.loads(done.stdout.strip().splitlines()[-1])
        figures.append(figure)
        print(
            f"    {figure['size_mb']:>5} MB .mbz: peak RSS {figure['peak_rss_after_mb']:.0f} MB "
            f"(process before the copy: {figure['peak_rss_before_mb']:.0f} MB); copy "
            f"{figure['copy_s']:.1f} s, verify {figure['verify_s']:.1f} s, "
            f"verified: {figure['verified']}"
        )
    growth = figures[-1]["peak_rss_after_mb"] - figures[0]["peak_rss_after_mb"]
    print(
        f"    peak RSS grows {growth:+.0f} MB from {figures[0]['size_mb']} MB to "
        f"{figures[-1]['size_mb']} MB of backup"
    )
    print(json.dumps({"bench": "course_archive", "figures": figures}))


if __name__ == "__main__":
    main()
