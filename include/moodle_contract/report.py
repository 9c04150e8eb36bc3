"""The two commands: record a site's answers; check a site against the recordings."""

from __future__ import annotations

from pathlib import Path

from include.moodle_contract import setup_checks
from include.moodle_contract.runner import (
    ContractSite,
    Outcome,
    recordings_from,
    run_cases,
    write_recordings,
)


def _site_info(site: ContractSite) -> dict:
    status, body = site.exchange("core_webservice_get_site_info", {})
    if status != 200 or not isinstance(body, dict) or "exception" in body:
        code = body.get("errorcode") if isinstance(body, dict) else status
        raise SystemExit(f"core_webservice_get_site_info failed ({code}): check the connection")
    return body


def record(site: ContractSite, out: Path, db_conn_id: str = "moodle_db") -> int:
    info = _site_info(site)
    functions = {f["name"] for f in info.get("functions", [])}
    outcomes = run_cases(site, write=True, db_conn_id=db_conn_id)
    info["form_fields_arriving"] = setup_checks.probe_max_input_vars(site)
    written = write_recordings(outcomes, out, info)
    print(
        f"Recorded {sum(o.answer is not None for o in outcomes)} cases from Moodle "
        f"{info.get('release')} into {len(written)} files in {out}"
    )
    for outcome in outcomes:
        if outcome.answer is None:
            print(f"  not recorded: {outcome.case.key}: {outcome.skipped}")
    missing = [f for f in setup_checks.all_functions() if f not in functions]
    if missing:
        print("  the service lacks: " + ", ".join(missing))
    return 0


def table(rows: list[tuple[str, str, str]]) -> str:
    """A plain text table `function | ok | what differs`."""
    header = ("function", "ok", "what differs")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]
    lines = [f"{header[0]:<{widths[0]}} | {header[1]:<{widths[1]}} | {header[2]}"]
    lines.append(f"{'-' * widths[0]}-+-{'-' * widths[1]}-+-{'-' * 12}")
    for name, ok, what in rows:
        lines.append(f"{name:<{widths[0]}} | {ok:<{widths[1]}} | {what}")
    return "\n".join(lines)


def contract_rows(outcomes: list[Outcome]) -> list[tuple[str, str, str]]:
    """One row per function: ok when every case ran and matched; the differences named."""
    rows: dict[str, list[str]] = {}
    skipped: dict[str, list[str]] = {}
    for o in outcomes:
        rows.setdefault(o.case.function, [])
        skipped.setdefault(o.case.function, [])
        if o.answer is None:
            skipped[o.case.function].append(f"{o.case.name}: {o.skipped}")
        for d in o.differs:
            rows[o.case.function].append(f"{o.case.name}: {d}")
    result = []
    for function, found in rows.items():
        if found:
            result.append((function, "NO", "; ".join(found)))
        elif skipped[function] and len(skipped[function]) == sum(
            o.case.function == function for o in outcomes
        ):
            result.append((function, "-", "; ".join(skipped[function])))
        else:
            result.append((function, "yes", "; ".join(skipped[function])))
    return result


def check(site: ContractSite, recordings_dir: Path, write: bool, db_conn_id: str) -> int:
    recordings = recordings_from(recordings_dir)
    if not recordings:
        raise SystemExit(f"no recordings in {recordings_dir}")
    info = _site_info(site)
    print(
        f"Moodle {info.get('release')} at the moodle_ws connection; "
        f"{'read and write' if write else 'read-only'} checks"
    )
    outcomes = run_cases(
        site, write=write, recordings=recordings, only_recorded=True, db_conn_id=db_conn_id
    )
    rows = contract_rows(outcomes)
    listed = {name for name, _, _ in rows}
    for function in dict.fromkeys(key.split("/")[0] for key in recordings):
        if function not in listed:
            rows.append((function, "-", "write cases only: run with CHECK_MOODLE_ARGS=--write"))
    setup = setup_checks.run_all(site, info, db_conn_id, write)
    print(table(rows + [("", "", "")] + setup))
    failed = any(ok == "NO" for _, ok, _ in rows + setup)
    print("\nSome checks failed: see 'what differs'." if failed else "\nAll checks passed.")
    return 1 if failed else 0
