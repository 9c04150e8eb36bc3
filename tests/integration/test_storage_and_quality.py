"""The store (ObjectStoragePath) with SHA-256 manifests, and the GX quality gate helper."""

from __future__ import annotations

import hashlib
import json

import great_expectations as gx
import pandas as pd
import pytest

from include.quality import DataQualityError, check_frame, require
from include.storage import (
    ManifestEntry,
    read_manifest,
    sha256_of,
    store_path,
    write_bytes_if_changed,
    write_manifest,
)


def test_files_and_manifest_round_trip(store_root):
    path = store_path("exams", "2026-06-15", "a.pdf")
    assert write_bytes_if_changed(path, b"%PDF-1.7 body") is True
    assert write_bytes_if_changed(path, b"%PDF-1.7 body") is False  # unchanged: not rewritten
    digest = hashlib.sha256(b"%PDF-1.7 body").hexdigest()
    assert sha256_of(path) == digest
    folder = path.parent
    csv_path, json_path = write_manifest(folder, [ManifestEntry("a.pdf", digest, 13)])
    assert csv_path.read_text().splitlines() == ["file,sha256,size", f"a.pdf,{digest},13"]
    assert json.loads(json_path.read_text()) == [{"file": "a.pdf", "sha256": digest, "size": 13}]
    assert read_manifest(folder) == [ManifestEntry("a.pdf", digest, 13)]


def test_the_gate_summarises_what_failed():
    frame = pd.DataFrame({"student_id": ["1", "2", "2", None]})
    report = check_frame(
        frame,
        [
            gx.expectations.ExpectColumnValuesToNotBeNull(column="student_id"),
            gx.expectations.ExpectColumnValuesToBeUnique(column="student_id"),
        ],
        "students",
    )
    assert not report.passed
    assert "expect_column_values_to_not_be_null student_id (1 unexpected)" in report.summary()
    with pytest.raises(DataQualityError, match="students: 4 rows, 2 check"):
        require(report)


def test_a_clean_frame_passes():
    frame = pd.DataFrame({"student_id": ["1", "2"]})
    report = check_frame(
        frame, [gx.expectations.ExpectColumnValuesToBeUnique(column="student_id")], "students"
    )
    assert require(report).summary() == "students: 2 rows, all checks passed"
