"""What the operations pages in the Airflow UI show (plugins/lms_pipelines).

Plain functions over a DB-API connection to `pipelines_db` and the file store:
paging, safe store paths, and one data function per page. No FastAPI here, so
the page data is testable without a web server.
"""
