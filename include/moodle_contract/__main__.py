"""`python -m include.moodle_contract record|check` against the `moodle_ws` connection's site.

record --out DIR   run every case (read and write) and write the answers as recordings
check [--write]    run the read cases (and with --write the write cases, inside a test
                   category created and removed by the run), compare with the recordings,
                   check the site's setup, print `function | ok | what differs`; exit 1 on
                   any difference
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

DEFAULT_RECORDINGS = Path(__file__).resolve().parents[2] / "tests" / "contract" / "recordings"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m include.moodle_contract")
    commands = parser.add_subparsers(dest="command", required=True)
    record = commands.add_parser("record", help="record every case from the site")
    record.add_argument("--out", type=Path, default=DEFAULT_RECORDINGS)
    check = commands.add_parser("check", help="compare the site with the recordings")
    check.add_argument("--recordings", type=Path, default=DEFAULT_RECORDINGS)
    check.add_argument("--write", action="store_true", help="also the write checks")
    check.add_argument("--ws-conn-id", default="moodle_ws")
    check.add_argument("--db-conn-id", default="moodle_db")
    record.add_argument("--ws-conn-id", default="moodle_ws")
    record.add_argument("--db-conn-id", default="moodle_db")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    for noisy in ("airflow", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    from include.moodle_contract import report
    from include.moodle_contract.runner import ContractSite

    site = ContractSite(args.ws_conn_id, backoff_seconds=1)
    if args.command == "record":
        return report.record(site, args.out, args.db_conn_id)
    return report.check(site, args.recordings, args.write, args.db_conn_id)


if __name__ == "__main__":
    sys.exit(main())
