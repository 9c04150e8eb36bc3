"""EIOS → Moodle sync: pure domain logic (no Airflow, no network).

- `quality`: the row rules of the quality gate (a reason per rejected row)
- `plan`: `plan_sync` — the diff of desired (EIOS) against current (Moodle) state
- `guard`: `mass_graduation_guard` — hold a faculty's leaving actions
- `batching`: send items in batches, isolate the rows Moodle rejects
- `history`: the run's history CSV and its retention
"""
