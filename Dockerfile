# The Airflow image with this project's runtime dependencies (docker-compose.yaml).
# Only requirements-runtime.txt, with Airflow's constraints for the pinned version, so
# the image's Airflow, providers and their libraries stay the tested set; the dev lock
# (requirements.txt: pytest, ruff, sqlfluff, uv, moto) is for developers and CI.
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
USER root
# mysqlclient builds from source; Pango and HarfBuzz for WeasyPrint; DejaVu (Cyrillic)
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmariadb-dev pkg-config build-essential \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*
USER airflow
COPY requirements-runtime.txt /requirements-runtime.txt
RUN pip install --no-cache-dir -r /requirements-runtime.txt \
      --constraint "https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt"
