"""The operations pages: a FastAPI app with server-rendered Jinja2 pages.

Every route depends on `current_user` (see auth.py); lists are paged in SQL or
by store folder; downloads are confined to the archive store.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from lms_pipelines.auth import NotAuthenticated, NotAuthorized, current_user, login_url

URL_PREFIX = "/lms-pipelines"
CHUNK = 1 << 16

app = FastAPI(
    title="LMS pipelines: operations pages", docs_url=None, redoc_url=None, openapi_url=None
)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
User = Annotated[object, Depends(current_user)]


def _store_relative(path) -> str:
    from include.operations.sections import store_relative

    return store_relative(_store(), path)


templates.env.filters["store_relative"] = _store_relative


def _when(value) -> Markup:
    """A moment as `<time datetime="…Z">` in UTC; the page's script shows it in the
    user's time zone (docs/operations_pages.md). Naive values are UTC, as stored."""
    from include.operations.times import utc_moment

    moment = utc_moment(value)
    if moment is None:
        return Markup.escape("" if value is None else str(value))
    return Markup('<time datetime="{}">{} UTC</time>').format(
        moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment.strftime("%Y-%m-%d %H:%M")
    )


def _segment(value) -> str:
    """One URL path segment (a run id holds `:` and `+`)."""
    from urllib.parse import quote

    return quote(str(value), safe="")


templates.env.filters["when"] = _when
templates.env.filters["segment"] = _segment


def _roots(request: Request) -> tuple[str, str]:
    """(this app's root path, Airflow's root path) for links that work behind a base URL."""
    root = request.scope.get("root_path", "").rstrip("/")
    airflow_root = root[: -len(URL_PREFIX)] if root.endswith(URL_PREFIX) else ""
    return root, airflow_root


def _render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    root, airflow_root = _roots(request)
    return templates.TemplateResponse(
        request,
        template,
        {"root": root, "airflow_root": airflow_root, **context},
        status_code=status_code,
    )


@app.exception_handler(NotAuthenticated)
async def _not_authenticated(request: Request, error: NotAuthenticated):
    _, airflow_root = _roots(request)
    response = _render(
        request,
        "login_required.html",
        status_code=401,
        reason=error.reason,
        login=login_url(request, airflow_root),
    )
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


@app.exception_handler(NotAuthorized)
async def _not_authorized(request: Request, error: NotAuthorized):
    return PlainTextResponse("Your Airflow role may not see plugin views.", status_code=403)


def _connection():
    """A connection to pipelines_db for one request (the Airflow Connection `pipelines_db`)."""
    from airflow.providers.mysql.hooks.mysql import MySqlHook

    from include.connectors.pipelines_db import PipelinesDbHook

    connection = MySqlHook(mysql_conn_id=PipelinesDbHook.default_conn_name).get_conn()
    try:
        yield connection
    finally:
        connection.close()


def _store():
    from include.storage import store_root

    return store_root()


Db = Annotated[object, Depends(_connection)]


def _page_request(page: int = 1, per_page: int = 50):
    from include.operations.paging import PageRequest

    return PageRequest.of(page, per_page)


Paging = Annotated[object, Depends(_page_request)]


@app.get("/", response_class=HTMLResponse)
def index(request: Request, user: User, db: Db):
    from include.operations import sections

    return _render(request, "index.html", data=sections.overview(db), user=user)


@app.get("/runs/{dag_id}", response_class=HTMLResponse)
def runs(request: Request, dag_id: str, user: User, db: Db, paging: Paging):
    from include.operations import sections

    return _render(
        request, "runs.html", dag_id=dag_id, page=sections.run_reports(db, dag_id, paging)
    )


@app.get("/eios", response_class=HTMLResponse)
def eios(request: Request, user: User, db: Db, paging: Paging):
    from include.operations import sections

    return _render(request, "eios.html", data=sections.eios(db, _store(), paging))


@app.get("/eios/confirm", response_class=HTMLResponse)
def eios_confirm(request: Request, user: User, db: Db, paging: Paging, faculty: str = ""):
    from include.operations import sections

    return _render(request, "eios_confirm.html", data=sections.eios_confirm(db, faculty, paging))


@app.get("/kontur", response_class=HTMLResponse)
def kontur(
    request: Request,
    user: User,
    db: Db,
    paging: Paging,
    course: str = "",
    date_from: str = "",
    date_to: str = "",
    days: int = 7,
):
    from include.operations import sections

    data = sections.kontur(
        db, _store(), paging, course=course, date_from=date_from, date_to=date_to, days=days
    )
    return _render(request, "kontur.html", data=data)


@app.get("/exams", response_class=HTMLResponse)
def exams(request: Request, user: User, db: Db, paging: Paging):
    from include.operations import sections

    return _render(request, "exams.html", data=sections.exam_dates(db, _store(), paging))


@app.get("/exams/{day}", response_class=HTMLResponse)
def exam_day(request: Request, day: str, user: User, db: Db, paging: Paging):
    from include.operations import sections

    return _render(request, "exam_day.html", data=sections.exam_day(db, _store(), day, paging))


@app.get("/vouchers", response_class=HTMLResponse)
def vouchers(request: Request, user: User, db: Db, paging: Paging, month: str = ""):
    from include.operations import sections

    return _render(request, "vouchers.html", data=sections.vouchers(db, paging, month=month))


@app.get("/courses", response_class=HTMLResponse)
def courses(request: Request, user: User, db: Db, paging: Paging):
    from include.operations import sections

    return _render(request, "courses.html", data=sections.courses(db, _store(), paging))


@app.get("/files/{path:path}")
def download(request: Request, path: str, user: User):
    """A file of the archive store; anything that could leave the store is refused."""
    from include.operations.store_files import UnsafePathError, resolve_download

    try:
        found = resolve_download(_store(), path)
    except UnsafePathError as error:
        return PlainTextResponse(f"Refused: {error}.", status_code=400)
    except FileNotFoundError:
        return PlainTextResponse("No such file in the archive store.", status_code=404)

    def chunks():
        with found.open("rb") as handle:
            while block := handle.read(CHUNK):
                yield block

    media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    return StreamingResponse(
        chunks(),
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(found.name)}"},
    )


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
