"""Every DAG imports, parses fast, reads no Connection or Variable at parse time,
and follows the house rules (doc_md headings, owner, tags, typed params, task ids)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from include.dag_defaults import DOC_HEADINGS, KNOWN_TAGS, OWNER, PIPELINE_TAGS
from include.sandbox.environment import PROJECT_ROOT
from tests.fresh_process import answer_of

# Task ids start with a verb that says which step of the data flow the task is
# (ARCHITECTURE.md, "Data flow in every DAG"). The seven ARCHITECTURE names:
ARCHITECTURE_VERBS = ("extract", "check", "plan", "apply", "publish", "render", "record")
# and the few more the project needs, each for a step none of the seven names:
PROJECT_VERBS = (
    "stage",  # the data flow's second step (extract -> stage -> gate): a feed staged in the store
    "report",  # the data flow's last step: the run's summary line and its report row
    "resolve",  # the first task: the run's settings (Variable + params) validated once
    "list",  # the items a mapped fan-out spreads over (faculties, regions, overdue acts)
    "select",  # the records a run covers, chosen by the settings' rule (courses, attempts)
    "poll",  # a feed read since the last watermark on a short schedule (Kontur.Talk)
    "ingest",  # a provider's daily marks taken into the project DB, batched and mapped
    "compute",  # the month's acts computed from the marks (amounts, not a plan of changes)
    "track",  # the payment status of issued acts followed over days
    "backup",  # \
    "verify",  #  | the course archive's regulated steps (specs/course-archive.md):
    "move",  #    | back up, verify the backup, move the course, prune old backups
    "prune",  #  /  (also the EIOS history's retention)
    "decide",  # a person's decision in the UI's "Required actions" (human-in-the-loop)
    "clear",  # a person clears what was held (a journal, a section): ARCHITECTURE's example
)
TASK_VERBS = ARCHITECTURE_VERBS + PROJECT_VERBS

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
    return answer_of(PARSE_SCRIPT, str(PROJECT_ROOT / "dags"), env=env)


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


# --- task ids start with a known verb ---------------------------------------------------


def verb_problems(task_ids, verbs=TASK_VERBS) -> list[str]:
    """Task ids (a group's prefix aside) whose first word is not one of `verbs`."""
    return [t for t in task_ids if t.split(".")[-1].split("_")[0] not in verbs]


def test_task_ids_start_with_a_known_verb():
    problems = [f"{d.dag_id}.{t}" for d in _dags() for t in verb_problems(d.task_ids)]
    assert problems == [], f"task ids without a verb of TASK_VERBS: {problems}"


def test_the_verb_rule_can_fail():
    assert verb_problems(["extract_rows", "group.apply_changes", "fetch_rows", "helper"]) == [
        "fetch_rows",
        "helper",
    ]


# --- a task that calls an external system has retries and an execution_timeout ----------

EXTERNAL_MODULES = ("include.connectors",)


def calls_external_system(func, _seen=None) -> bool:
    """Whether `func`, or a function of the project it calls (followed through the
    globals it names, and through imports inside functions), reaches a connector."""
    import inspect
    import types

    seen = _seen if _seen is not None else set()
    code = getattr(func, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    scope = getattr(func, "__globals__", {})

    def codes(c):
        yield c
        for const in c.co_consts:
            if isinstance(const, types.CodeType):
                yield from codes(const)

    for c in codes(code):
        for name in c.co_names:
            if name.startswith(EXTERNAL_MODULES):
                return True  # an import inside the function
            target = scope.get(name)
            module = getattr(target, "__module__", None) or getattr(target, "__name__", "")
            if not str(module).startswith(("include.", func.__module__)):
                continue
            if str(module).startswith(EXTERNAL_MODULES):
                return True
            if inspect.ismodule(target):
                callees = [getattr(target, n, None) for n in c.co_names]
            else:
                callees = [target]
            for callee in callees:
                if inspect.isfunction(callee) and calls_external_system(callee, seen):
                    return True
    return False


def retry_problems(dag) -> list[str]:
    """Tasks that call an external system without a retry or an execution_timeout."""
    problems = []
    for task in dag.tasks:
        func = getattr(task, "python_callable", None)
        if func is None or not calls_external_system(func):
            continue
        if not task.retries:
            problems.append(f"{dag.dag_id}.{task.task_id}: calls an external system, no retries")
        if not task.execution_timeout:
            problems.append(f"{dag.dag_id}.{task.task_id}: calls an external system, no timeout")
    return problems


def test_tasks_that_call_external_systems_retry_and_time_out():
    problems = [p for dag in _dags() for p in retry_problems(dag)]
    assert problems == [], "\n".join(problems)


def _reads_moodle():
    from include.connectors.hooks import moodle_db

    return moodle_db


def _calls_a_helper_that_reads_moodle():
    return _reads_moodle()


def _pure(rows):
    return sorted(rows)


def test_the_retry_rule_can_fail():
    from datetime import timedelta

    from airflow.sdk import DAG, task

    with DAG("h_rule", schedule=None) as dag:
        task(task_id="extract_a", retries=0)(_calls_a_helper_that_reads_moodle)()
        task(task_id="plan_b", retries=0)(_pure)([])
        task(task_id="extract_c", retries=1, execution_timeout=timedelta(minutes=10))(
            _reads_moodle
        )()
    assert retry_problems(dag) == [  # plan_b calls nothing outside; extract_c is covered
        "h_rule.extract_a: calls an external system, no retries",
        "h_rule.extract_a: calls an external system, no timeout",
    ]


# --- benchmarks call the task functions the DAGs call ------------------------------------

# the domain's old homes of task bodies, now include/tasks/<dag_id>.py
OLD_TASK_MODULES = (
    "include.eios.steps",
    "include.recordings.steps",
    "include.exams.archive_steps",
    "include.courses.archive_steps",
    "include.courses.audit_steps",
    "include.vouchers.pipeline",
)
# benchmarks of something other than a DAG's tasks
NOT_A_PIPELINE_BENCH = {"bench_operations_pages.py": "the operations pages of the UI plugin"}


def bench_problems(bench_dir) -> list[str]:
    """Benchmarks that do not import the task layer, or import an old steps module."""
    import ast

    problems = []
    for path in sorted(bench_dir.glob("bench_*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                imported.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
        old = sorted(m for m in imported if m.startswith(OLD_TASK_MODULES))
        if old:
            problems.append(f"{path.name}: imports {old}")
        if path.name not in NOT_A_PIPELINE_BENCH and not any(
            m.startswith("include.tasks.") for m in imported
        ):
            problems.append(f"{path.name}: calls no task of include/tasks/")
    return problems


def test_benchmarks_call_the_tasks_the_dags_call():
    assert bench_problems(PROJECT_ROOT / "bench") == []


def test_the_bench_rule_can_fail(tmp_path):
    (tmp_path / "bench_a.py").write_text("from include.eios.steps import plan_changes\n")
    (tmp_path / "bench_b.py").write_text("from include.tasks.eios_sync import plan_changes\n")
    (tmp_path / "bench_c.py").write_text("from include.eios.plan import plan_sync\n")
    assert bench_problems(tmp_path) == [
        "bench_a.py: imports ['include.eios.steps', 'include.eios.steps.plan_changes']",
        "bench_a.py: calls no task of include/tasks/",
        "bench_c.py: calls no task of include/tasks/",
    ]


# --- Airflow's deprecations are errors in the tests --------------------------------------


def test_airflows_deprecations_are_errors_and_third_party_ones_are_not():
    import warnings

    from airflow.exceptions import AirflowProviderDeprecationWarning, RemovedInAirflow4Warning

    for category in (RemovedInAirflow4Warning, AirflowProviderDeprecationWarning):
        with pytest.raises(category):
            warnings.warn("deprecated", category, stacklevel=1)
    with pytest.warns(DeprecationWarning):
        warnings.warn("a library's deprecation", DeprecationWarning, stacklevel=1)


# --- the boundaries: import-linter contracts (pyproject.toml, run by make lint) ----------


def _contracts() -> dict[str, dict]:
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def unlisted_production_modules(listed, include_dir) -> list[str]:
    """Top-level modules of include/ (but the sandbox) that a contract's list lacks."""
    import pkgutil

    present = {f"include.{m.name}" for m in pkgutil.iter_modules([str(include_dir)])}
    return sorted(present - {"include.sandbox"} - set(listed))


def test_the_sandbox_contract_covers_every_production_module():
    listed = _contracts()["no-sandbox-in-production"]["source_modules"]
    assert {"dags", "plugins"} <= set(listed)
    assert unlisted_production_modules(listed, PROJECT_ROOT / "include") == []


def test_the_coverage_rule_can_fail(tmp_path):
    for name in ("sandbox", "tasks", "new_room"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / "paths.py").write_text("")
    assert unlisted_production_modules(["include.tasks"], tmp_path) == [
        "include.new_room",
        "include.paths",
    ]


DELIBERATE = {
    # contract id: (module to add, its text)
    "pure-domain": ("include/eios/h_violation.py", "import airflow.sdk\n"),
    "no-sandbox-in-production": (
        "include/tasks/h_violation.py",
        "from include.sandbox import environment\n",
    ),
    "connectors-below-tasks": (
        "include/connectors/h_violation.py",
        "from include.tasks import settings\n",
    ),
}


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory):
    """The project's Python tree and pyproject.toml, copied, for deliberate violations."""
    import shutil

    root = tmp_path_factory.mktemp("tree")
    keep = shutil.ignore_patterns("*.pyc", "__pycache__")
    for folder in ("include", "dags", "plugins", "tests"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder, ignore=keep)
    shutil.copy(PROJECT_ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def lint_imports(root, contract: str) -> subprocess.CompletedProcess:
    lint = os.path.join(os.path.dirname(sys.executable), "lint-imports")
    return subprocess.run(
        [lint, "--no-cache", "--contract", contract],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("contract", sorted(DELIBERATE))
def test_a_deliberate_violation_breaks_its_contract(tree_copy, contract):
    path, text = DELIBERATE[contract]
    module = path.removesuffix(".py").replace("/", ".")
    before = lint_imports(tree_copy, contract)
    assert module not in before.stdout
    (tree_copy / path).write_text(text)
    try:
        after = lint_imports(tree_copy, contract)
    finally:
        (tree_copy / path).unlink()
    assert after.returncode != 0, after.stdout[-2000:]
    assert "BROKEN" in after.stdout and module in after.stdout, after.stdout[-2000:]
