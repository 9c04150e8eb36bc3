"""Where the project's own files are, for production code: `sql/` beside `include/`.

The checkout and the image (docker-compose.yaml mounts `./include` and `./sql` side by
side under /opt/airflow) share this layout, so a path relative to this package is
right in both. Templates and fonts live inside their packages (include/render/).
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
MIGRATIONS_DIR = SQL_DIR / "state"
