"""The task layer: one module per DAG (`include/tasks/<dag_id>.py`) holding its
`@task`-decorated bodies.

It is the only layer that combines connectors, storage, quality gates and the pure
domain. The DAG files import these tasks and wire them; the domain packages
(`include/eios/`, `include/exams/`, …) never import Airflow, a connector or the store.
`include/tasks/settings.py` resolves a DAG's settings once per run.
"""
