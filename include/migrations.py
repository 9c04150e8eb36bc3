"""Versioned SQL migrations of the project's own database (`pipelines_db`).

Each file `sql/state/NNN_name.sql` is applied once, in order, and recorded in
`schema_migrations` with its checksum; applying twice is a no-op. Hand-written
because the schema is plain MariaDB DDL and a version table is all it needs.

    python -m include.migrations [CONN_ID]    apply the pending migrations through
                                              PipelinesDbHook (default `pipelines_db`)

The deployment (docker-compose.yaml's airflow-init) runs it: the Connection is read the
way every task reads it, so it may come from `AIRFLOW_CONN_PIPELINES_DB` or from a
secrets backend.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from include.paths import MIGRATIONS_DIR

_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    pass


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[Path]:
    files = sorted(p for p in directory.glob("*.sql") if _NAME.match(p.name))
    versions = [p.name[:3] for p in files]
    duplicated = {v for v in versions if versions.count(v) > 1}
    if duplicated:
        raise MigrationError(f"two migrations share the version number(s) {sorted(duplicated)}")
    return files


def split_statements(sql: str) -> list[str]:
    """Statements end with `;` at the end of a line (no procedures in our schema)."""
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*$", body, flags=re.M) if s.strip()]


def apply_migrations(connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the pending migrations on a DB-API connection; returns the applied names."""
    cursor = connection.cursor()
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version CHAR(3) NOT NULL PRIMARY KEY,"
        " name VARCHAR(200) NOT NULL,"
        " checksum CHAR(64) NOT NULL,"
        " applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    cursor.execute("SELECT version, name, checksum FROM schema_migrations")
    done = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
    applied = []
    for path in migration_files(directory):
        sql = path.read_text(encoding="utf-8")
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        version = path.name[:3]
        if version in done:
            if done[version][1] != checksum:
                raise MigrationError(
                    f"{path.name} changed after it was applied; add a new migration instead"
                )
            continue
        for statement in split_statements(sql):
            cursor.execute(statement)
        cursor.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
            (version, path.name, checksum),
        )
        connection.commit()
        applied.append(path.name)
    return applied


def migrate(conn_id: str | None = None) -> list[str]:
    """Apply the pending migrations on the project DB through its hook's Connection."""
    from include.connectors.pipelines_db import PipelinesDbHook

    hook = PipelinesDbHook(conn_id or PipelinesDbHook.default_conn_name)
    try:
        return apply_migrations(hook.db)
    finally:
        hook.close()


def main(argv: list[str]) -> None:
    applied = migrate(argv[0] if argv else None)
    print(f"project DB migrations applied: {len(applied)}" + "".join(f"\n  {a}" for a in applied))


if __name__ == "__main__":
    main(sys.argv[1:])
