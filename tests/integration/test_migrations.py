"""The project's own database is built by versioned migrations; applying twice is a no-op."""

from __future__ import annotations

import pytest

from include.migrations import MigrationError, apply_migrations, migration_files
from include.sandbox.stack import connect


@pytest.fixture
def empty_pipelines_db(mariadb):
    from include.sandbox.stack import database_names

    mariadb.recreate_database(database_names()["pipelines"])
    connection = connect("pipelines")
    yield connection
    connection.close()


def test_applies_every_migration_once_and_records_it(empty_pipelines_db):
    applied = apply_migrations(empty_pipelines_db)
    assert applied == [p.name for p in migration_files()]
    assert apply_migrations(empty_pipelines_db) == []
    cursor = empty_pipelines_db.cursor()
    cursor.execute("SELECT version FROM schema_migrations ORDER BY version")
    assert [r[0] for r in cursor.fetchall()] == [p.name[:3] for p in migration_files()]
    cursor.execute("SHOW TABLES LIKE 'pipeline_run_report'")
    assert cursor.fetchone()


def test_an_edited_applied_migration_is_refused(empty_pipelines_db, tmp_path):
    first = migration_files()[0]
    (tmp_path / first.name).write_text(first.read_text())
    apply_migrations(empty_pipelines_db, tmp_path)
    (tmp_path / first.name).write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        apply_migrations(empty_pipelines_db, tmp_path)


def test_the_deployment_migrates_through_the_hook(empty_pipelines_db, capsys):
    """`python -m include.migrations` (docker-compose.yaml's airflow-init) reads the
    Connection through PipelinesDbHook, as a task does (env var or secrets backend)."""
    from include import migrations

    migrations.main([])
    assert f"applied: {len(migration_files())}" in capsys.readouterr().out
    migrations.main(["pipelines_db"])
    assert "applied: 0" in capsys.readouterr().out
