"""A small client of Airflow's REST API (v2), as a user's script or the UI would call it:
a JWT from the simple auth manager's `/auth/token`, then `/api/v2/…`."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

FINISHED = {"success", "failed"}
ANSWER_AFTER_SECONDS = 20  # see AirflowApi.answer_hitl


class AirflowApiError(AssertionError):
    """Airflow answered with an HTTP error; the message holds its status and detail."""


class AirflowApi:
    def __init__(self, port: int, airflow_home: Path, username: str = "admin") -> None:
        self.base = f"http://127.0.0.1:{port}"
        passwords = airflow_home / "simple_auth_manager_passwords.json.generated"
        password = json.loads(passwords.read_text())[username]
        answer = self._call("POST", "/auth/token", {"username": username, "password": password})
        self._token = answer["access_token"]

    def _call(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:2000]
            raise AirflowApiError(f"{method} {path}: HTTP {exc.code}: {detail}") from None
        return json.loads(raw) if raw else None

    def get(self, path: str):
        return self._call("GET", path, token=self._token)

    def post(self, path: str, body: dict):
        return self._call("POST", path, body, token=self._token)

    def patch(self, path: str, body: dict):
        return self._call("PATCH", path, body, token=self._token)

    # --- what the tests do -------------------------------------------------------------

    def wait_for_dags(self, dag_ids: list[str], timeout: float = 300) -> None:
        """Until the dag-processor has parsed and serialised every DAG."""
        deadline = time.monotonic() + timeout
        missing = set(dag_ids)
        while missing and time.monotonic() < deadline:
            listed = self.get("/api/v2/dags?limit=100")["dags"]
            missing -= {d["dag_id"] for d in listed}
            if missing:
                time.sleep(2)
        assert not missing, f"DAGs not parsed in {timeout} s: {sorted(missing)}"

    def set_variable(self, key: str, value: dict) -> None:
        body = {"key": key, "value": json.dumps(value)}
        try:
            self.post("/api/v2/variables", body)
        except AirflowApiError as exc:
            if "409" not in str(exc):
                raise
            self.patch(f"/api/v2/variables/{key}", body)

    def unpause(self, dag_id: str) -> None:
        self.patch(f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict | None = None, logical_date=None) -> str:
        """A manual run, as the trigger form makes it; returns its run id."""
        moment = logical_date or datetime.now(UTC)
        run = self.post(
            f"/api/v2/dags/{dag_id}/dagRuns",
            {"logical_date": moment.isoformat(), "conf": conf or {}},
        )
        return run["dag_run_id"]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 900) -> DagRunOutcome:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
            if run["state"] in FINISHED:
                return DagRunOutcome(run, self.task_instances(dag_id, run_id))
            time.sleep(2)
        states = {t["task_id"]: t["state"] for t in self.task_instances(dag_id, run_id)}
        raise AssertionError(f"{dag_id} {run_id} not finished in {timeout} s: {states}")

    def run(self, dag_id: str, conf: dict | None = None, logical_date=None) -> DagRunOutcome:
        return self.wait_for_run(dag_id, self.trigger(dag_id, conf, logical_date))

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=1000"
        return self.get(path)["task_instances"]

    def xcom(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1):
        path = (
            f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/"
            f"return_value?map_index={map_index}&deserialize=true&stringify=false"
        )
        return self.get(path)["value"]

    def backfill(self, dag_id: str, from_date: str, to_date: str, **options) -> dict:
        body = {"dag_id": dag_id, "from_date": from_date, "to_date": to_date, **options}
        return self.post("/api/v2/backfills", body)

    def wait_for_backfill(self, backfill_id: int, timeout: float = 900) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            backfill = self.get(f"/api/v2/backfills/{backfill_id}")
            if backfill.get("completed_at"):
                return backfill
            time.sleep(3)
        raise AssertionError(f"backfill {backfill_id} not complete in {timeout} s")

    def runs(self, dag_id: str) -> list[dict]:
        path = f"/api/v2/dags/{dag_id}/dagRuns?limit=100&order_by=logical_date"
        return self.get(path)["dag_runs"]

    # --- human-in-the-loop (Required actions) --------------------------------------------

    def wait_for_hitl(
        self, dag_id: str, run_id: str, task_id: str, map_index: int = -1, timeout: float = 600
    ) -> dict:
        """Until the task waits for an answer (`awaiting_input`); returns its hitlDetail
        (subject, body, options, defaults, …). Fails when the run ends first."""
        deadline = time.monotonic() + timeout
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}"
        while time.monotonic() < deadline:
            state = self.get(path if map_index < 0 else f"{path}/{map_index}")["state"]
            if state == "awaiting_input":
                return self.get(f"{path}/{map_index}/hitlDetails")
            run = self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
            assert run["state"] not in FINISHED, f"{dag_id} {run_id} ended {run['state']}"
            time.sleep(2)
        raise AssertionError(f"{dag_id} {run_id} {task_id}: no approval asked in {timeout} s")

    def answer_hitl(
        self, dag_id: str, run_id: str, task_id: str, chosen: list[str], map_index: int = -1
    ) -> dict:
        """Answer as the Required actions page does; returns who answered and when.

        Waits `ANSWER_AFTER_SECONDS` first, as a person would: an answer that arrives before
        the scheduler has processed the executor event of the process that parked the task
        (seen up to ~6 s later on a busy machine) makes Airflow 3.3 mark the resumed task
        failed ("state changed externally"). Seen in CI for both approval DAGs."""
        time.sleep(ANSWER_AFTER_SECONDS)
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}"
        return self.patch(f"{path}/hitlDetails", {"chosen_options": chosen, "params_input": {}})


class DagRunOutcome:
    """A finished run and its task instances, as the REST API reports them."""

    def __init__(self, run: dict, task_instances: list[dict]) -> None:
        self.run = run
        self.run_id = run["dag_run_id"]
        self.state = run["state"]
        self.task_instances = task_instances

    def states(self, task_id: str) -> set[str]:
        return {t["state"] for t in self.task_instances if t["task_id"] == task_id}

    def mapped(self, task_id: str) -> list[dict]:
        return [t for t in self.task_instances if t["task_id"] == task_id and t["map_index"] >= 0]

    def __repr__(self) -> str:
        failed = sorted({t["task_id"] for t in self.task_instances if t["state"] != "success"})
        return f"<{self.run['dag_id']} {self.run_id}: {self.state}; not success: {failed}>"
