"""Airflow plugin: the "LMS pipelines" operations pages (see docs/operations_pages.md).

Airflow mounts `fastapi_apps` on its API server as they are, without its own
security dependencies: the app checks the caller's Airflow token itself
(`lms_pipelines.auth`). The external view puts the pages in the UI's navigation;
the UI shows them inside its frame at /plugin/lms-pipelines.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from lms_pipelines.app import URL_PREFIX, app


class LmsPipelinesPlugin(AirflowPlugin):
    name = "lms_pipelines"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "LMS pipelines"}]
    external_views = [
        {
            "name": "LMS pipelines",
            "href": f"{URL_PREFIX}/",
            "destination": "nav",
            "url_route": "lms-pipelines",
            "nav_top_level": True,
        }
    ]
