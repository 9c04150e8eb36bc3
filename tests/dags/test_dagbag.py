"""Every DAG imports, parses fast, reads no Connection or Variable at parse time,
and follows the house rules (doc_md headings, owner, tags, typed params, task ids)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from include.dag_defaults import DOC_HEADINGS, KNOWN_TAGS, OWNER, PIPELINE_TAGS
from include.sandbox.environment import PROJECT_ROOT

TASK_VERBS = (
    "extract",
    "check",
    "plan",
    "guard",
    "apply",
    "record",
    "publish",
    "render",
    "report",
    "poll",
    "stage",
    "select",
    "build",
    "archive",
    "verify",
    "move",
    "clean",
    "compute",
    "ingest",
    "track",
    "fetch",
    "write",
    "remove",
    "release",
    "match",
    "audit",
    "load",
    "list",
    "prune",
    "backup",
    "copy",
    "mark",
    "summarize",
    "validate",
    "read",
    "decide",
    "split",
    "gate",
    "route",
    "clear",
    "update",
    "rebuild",
    "hold",
    "notify",
    "issue",
    "sync",
    "enforce",
    "retain",
    "purge",
    "find",
    "assess",
    "score",
    "collect",
    "merge",
    "draft",
    "sign",
    "settle",
    "rate",
    "resolve",
    "prepare",
    "finish",
    "start",
)

PARSE_TIMES = pytest.StashKey[list]()

PARSE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=sys.argv[1])
    stats = [{"file": s.file, "seconds": s.duration.total_seconds() if hasattr(s.duration, "total_seconds") else float(s.duration), "dags": s.dag_num} for s in bag.dagbag_stats]
    print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()}, "stats": stats, "dags": sorted(bag.dags)}))
    """
)


@pytest.fixture(scope="module")
def parse_result(tmp_path_factory):
    """Parse dags/ in a fresh process with no Connections, no Variables and no
    reachable metadata DB: a DAG file that reads either at parse time fails to import."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_CONN_", "AIRFLOW_VAR_"))
    }
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = (
        f"sqlite:///{tmp_path_factory.mktemp('nodb')}/missing/airflow.db"
    )
    done = subprocess.run(
        [sys.executable, "-c", PARSE_SCRIPT, str(PROJECT_ROOT / "dags")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_dag_imports_without_connections_or_variables(parse_result, request):
    assert parse_result["errors"] == {}
    # measured and printed at the end of the session, never asserted on wall time
    request.config.stash.setdefault(PARSE_TIMES, []).extend(
        f"{os.path.basename(s['file'])}: {s['seconds'] * 1000:.0f} ms"
        for s in parse_result["stats"]
    )


def test_one_dag_per_file_named_after_the_dag(parse_result):
    for stat in parse_result["stats"]:
        assert stat["dags"] == 1, stat
        dag_file = os.path.basename(stat["file"]).removesuffix(".py")
        assert dag_file in parse_result["dags"], f"{stat['file']} should define DAG {dag_file}"


def _dags():
    from tests.airflow_runs import dag_bag

    return sorted(dag_bag().dags.values(), key=lambda d: d.dag_id)


@pytest.mark.parametrize("heading", DOC_HEADINGS)
def test_every_dag_documents_itself(heading):
    for dag in _dags():
        assert dag.doc_md and f"## {heading}" in dag.doc_md, (
            f"{dag.dag_id}: doc_md lacks '## {heading}'"
        )


def test_owner_tags_params_and_task_ids():
    for dag in _dags():
        tags = set(dag.tags)
        assert tags <= KNOWN_TAGS, f"{dag.dag_id}: unknown tags {tags - KNOWN_TAGS}"
        assert tags & PIPELINE_TAGS, f"{dag.dag_id}: needs one pipeline tag of {PIPELINE_TAGS}"
        for name, param in dag.params.items():
            assert param.description, f"{dag.dag_id}: param {name} has no description"
            assert param.schema.get("type"), f"{dag.dag_id}: param {name} has no type"
        for task in dag.tasks:
            assert task.owner == OWNER, f"{dag.dag_id}.{task.task_id}: owner {task.owner}"
            verb = task.task_id.split(".")[-1].split("_")[0]
            assert verb in TASK_VERBS, f"{dag.dag_id}.{task.task_id} should start with a verb"
