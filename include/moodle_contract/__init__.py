"""Contract checks between the project and a Moodle site's web services.

`cases.py` lists every web-service function the project calls (and the few the
checks need to build and remove their own fixtures), each as cases: the read
cases (`read_cases.py`), the write cases (`write_cases.py`) on the run's own
fixtures (`fixtures.py`); what a case is and how its request is recorded:
`case.py`. A case is a request and what makes the answer comparable
(`answers.py`: status, shape, error code, warning codes; ids and times
dropped). `runner.py` runs them against the site of the `moodle_ws`
connection; `python -m include.moodle_contract record` writes the answers as
recordings (tests/contract/recordings/), `check` compares a site with them and
checks the site's setup (`setup_checks.py`).

Production code: it imports no sandbox module and prints no secret.
"""
