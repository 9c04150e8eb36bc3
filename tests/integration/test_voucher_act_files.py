"""An act recomputed with other data loses the PDF and ESF paths of the old data, so
render_acts makes them again; recomputed with the same data it keeps them."""

from __future__ import annotations


def test_changed_act_data_forgets_its_files_and_same_data_keeps_them(mariadb):
    from include.sandbox import stack
    from include.tasks.vouchers_common import project_db

    mariadb.recreate_database(stack.database_names()["pipelines"])
    stack.migrate_pipelines_db()
    act = {"act_number": "VA-202603-1", "bin": "1", "period": "2026-03", "region_code": "R",
           "act_status": "generated", "rule_id": "r", "total_tiyn": 5, "children": 1,
           "payable_days": 1, "missing_marks": 0, "termination_flag": 0, "working_days": 18,
           "data_sha256": "a" * 64}  # fmt: skip
    files = {"pdf_path": "file:///s/a.pdf", "esf_path": "file:///s/a.esf.json"}
    db = project_db()
    try:

        def upsert(sha: str) -> tuple:
            with db.transaction() as cursor:
                cursor.execute(db.query("voucher_upsert_act"), {**act, "data_sha256": sha})
                cursor.execute(
                    "SELECT pdf_path, esf_path, data_sha256 FROM voucher_act"
                    " WHERE act_number = %(n)s",
                    {"n": act["act_number"]},
                )
                return cursor.fetchone()

        upsert("a" * 64)
        with db.transaction() as cursor:
            cursor.execute(
                db.query("voucher_set_act_files"), {**files, "act_number": act["act_number"]}
            )
        assert upsert("a" * 64) == (files["pdf_path"], files["esf_path"], "a" * 64)
        assert upsert("b" * 64) == (None, None, "b" * 64)
    finally:
        db.close()
