"""Files of the archive store as the operations pages see them: listings and safe downloads.

A download path comes from the browser, so it is checked before it touches the
store: relative, no `..`, no backslash or scheme, and (for a local store) its
real path must stay inside the store root even through symbolic links.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from include.operations.paging import Page, PageRequest


class UnsafePathError(ValueError):
    """The requested path could leave the store (absolute, `..`, scheme, ...)."""


_DRIVE_OR_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def safe_relative_path(raw: str) -> str:
    """The normalised store-relative path, or `UnsafePathError` saying why not."""
    if not raw or not raw.strip():
        raise UnsafePathError("empty path")
    if "\x00" in raw or "\\" in raw:
        raise UnsafePathError("path contains a backslash or NUL byte")
    if raw.startswith("/") or raw.startswith("~") or _DRIVE_OR_SCHEME.match(raw):
        raise UnsafePathError("absolute paths are refused")
    parts = PurePosixPath(raw).parts
    if any(part in ("..", ".") for part in parts) or "//" in raw:
        raise UnsafePathError("'..' and '.' segments are refused")
    return "/".join(parts)


def _local_root(root) -> str | None:
    if getattr(root, "protocol", "file") in ("file", "local", ""):
        return os.path.realpath(root.path)
    return None


def resolve_download(root, raw: str):
    """The store file behind `raw` (an ObjectStoragePath), confined to `root`.

    Raises `UnsafePathError` for a path that could escape the store and
    `FileNotFoundError` when no such file exists (a folder is not a download).
    """
    relative = safe_relative_path(raw)
    path = root.joinpath(*relative.split("/"))
    local_root = _local_root(root)
    if local_root is not None:
        real = os.path.realpath(path.path)
        if os.path.commonpath([local_root, real]) != local_root:
            raise UnsafePathError("the path leaves the store")
    if not path.exists() or not path.is_file():
        raise FileNotFoundError(relative)
    return path


@dataclass(frozen=True)
class StoreFile:
    name: str
    relative_path: str
    size: int | None


def relative_to_root(root, path) -> str:
    root_text = str(root).rstrip("/")
    text = str(path)
    return text[len(root_text) + 1 :] if text.startswith(root_text + "/") else text


def list_folder(
    root,
    folder: str,
    request: PageRequest,
    suffix: str | None = None,
    newest_first: bool = True,
    folders: bool = False,
) -> Page:
    """A page of a store folder's entries, sorted by name (names start with a date here).

    One `ls` of the folder (names, types and sizes in one call of the store's
    filesystem); nothing is opened.
    """
    base = root.joinpath(*safe_relative_path(folder).split("/"))
    try:
        listing = base.fs.ls(base.path, detail=True)
    except (FileNotFoundError, NotADirectoryError):
        return Page([], request, False)
    wanted = "directory" if folders else "file"
    entries = [
        entry
        for entry in listing
        if entry.get("type") == wanted and (suffix is None or entry["name"].endswith(suffix))
    ]
    entries.sort(key=lambda entry: entry["name"], reverse=newest_first)
    page = Page.slice(entries, request)
    root_path = root.path.rstrip("/")
    page.items = [
        StoreFile(
            name=entry["name"].rstrip("/").rsplit("/", 1)[-1],
            relative_path=relative_to_root(root_path, entry["name"].rstrip("/")),
            size=None if folders else entry.get("size"),
        )
        for entry in page.items
    ]
    return page
