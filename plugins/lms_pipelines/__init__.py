"""The operations pages of the LMS pipelines in the Airflow UI (an Airflow 3 plugin).

`lms_pipelines_plugin.py` registers the FastAPI app (`app.py`) under
`/lms-pipelines` and the "LMS pipelines" navigation entry; `auth.py` checks the
caller's Airflow token, because Airflow does not authenticate a plugin's app.
"""
