"""Archive and history files through Airflow's ObjectStoragePath.

The store is any fsspec store by URL, and the URL is a required setting:
`PIPELINES_STORE_URL` (for example `s3://university-archive/pipelines`, or
`file:///opt/airflow/store` for a local folder; the demo and the tests set
`.local/store…`). Unset, every use of the store fails at once with the setting named,
rather than archives landing somewhere nobody looks. If the store needs credentials
or an endpoint, `PIPELINES_STORE_CONN_ID` names an Airflow Connection (an `aws`
connection with `endpoint_url` in its extra for an S3-compatible server).

Paths travel between tasks as strings (XCom); a task turns one back into a path with
`stored_path`, which attaches the store's connection: `ObjectStoragePath(text)` alone
would open it without credentials or endpoint (docs/scaling.md, "The store on S3").
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import asdict, dataclass

STORE_URL_SETTING = "PIPELINES_STORE_URL"


class StoreNotConfigured(RuntimeError):
    """The store's URL is not set."""


def store_url() -> str:
    """The store's URL from `PIPELINES_STORE_URL`; raises, naming it, when it is unset."""
    url = os.environ.get(STORE_URL_SETTING, "").strip()
    if not url:
        raise StoreNotConfigured(
            f"{STORE_URL_SETTING} is not set: the store for archives and history files "
            "is a required setting (s3://bucket/prefix, or file:///a/folder)"
        )
    return url


def store_conn_id() -> str | None:
    return os.environ.get("PIPELINES_STORE_CONN_ID") or None


def store_root():
    from airflow.sdk import ObjectStoragePath

    root = ObjectStoragePath(store_url(), conn_id=store_conn_id())
    root.mkdir(parents=True, exist_ok=True)
    return root


def stored_path(text: str):
    """A path the store handed out, passed on as a string (`str(path)` through XCom), as
    an ObjectStoragePath again with the store's connection attached; a path on another
    scheme than the store's gets no connection."""
    from urllib.parse import urlsplit

    from airflow.sdk import ObjectStoragePath

    same_scheme = urlsplit(text).scheme == urlsplit(store_url()).scheme
    return ObjectStoragePath(text, conn_id=store_conn_id() if same_scheme else None)


def store_path(*parts: str):
    """A path inside the store; the parent folders exist."""
    path = store_root().joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def relative_name(path, folder) -> str:
    """`path`'s name below `folder` ("quiz/attempt.pdf"): `relative_to` as pathlib has
    it, which S3 paths do not support (they have no working directory)."""
    inner, outer = path.path.rstrip("/"), folder.path.rstrip("/")
    if not inner.startswith(outer + "/"):
        raise ValueError(f"{path} is not inside {folder}")
    return inner[len(outer) + 1 :]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_bytes_if_changed(path, data: bytes) -> bool:
    """Write unless the file already holds exactly these bytes (keeps re-runs idempotent)."""
    if path.exists() and path.stat().st_size == len(data) and sha256_of(path) == sha256_bytes(data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(data)
    return True


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    sha256: str
    size: int


def write_manifest(folder, entries: list[ManifestEntry], name: str = "manifest") -> tuple:
    """`manifest.csv` and `manifest.json` (file, sha256, size), sorted by file name."""
    rows = sorted(entries, key=lambda e: e.file)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["file", "sha256", "size"])
    writer.writerows([e.file, e.sha256, e.size] for e in rows)
    csv_path, json_path = folder / f"{name}.csv", folder / f"{name}.json"
    write_bytes_if_changed(csv_path, text.getvalue().encode("utf-8"))
    body = json.dumps([asdict(e) for e in rows], ensure_ascii=False, indent=1) + "\n"
    write_bytes_if_changed(json_path, body.encode("utf-8"))
    return csv_path, json_path


def read_manifest(folder, name: str = "manifest") -> list[ManifestEntry]:
    with (folder / f"{name}.json").open("r") as handle:
        return [ManifestEntry(**row) for row in json.load(handle)]


def write_csv(path, header: list[str], rows) -> int:
    """Write a UTF-8 CSV; returns the number of data rows."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(text.getvalue().encode("utf-8"))
    return count
