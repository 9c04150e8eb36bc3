"""The pages' login check: the caller's Airflow JWT, validated by Airflow itself.

Airflow mounts a plugin's FastAPI app without the core API's security
dependencies, so without this check the pages would be public. The token comes
from `Authorization: Bearer …` (API clients) or the `_token` cookie that the
Airflow UI sets at login; Airflow's auth manager validates signature, expiry,
audience and revocation (`get_user_from_token`), and then decides whether the
user may see plugin views.
"""

from __future__ import annotations

import logging

from fastapi import Request

log = logging.getLogger(__name__)

COOKIE_NAME = "_token"


class NotAuthenticated(Exception):
    """No valid Airflow token: the caller gets 401 and a login link, never data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotAuthorized(Exception):
    """A valid user whom the auth manager does not allow to see plugin views."""


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.cookies.get(COOKIE_NAME) or None


async def current_user(request: Request):
    """FastAPI dependency: the Airflow user behind the request's token."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from jwt import ExpiredSignatureError, InvalidTokenError

    token = token_of(request)
    if not token:
        raise NotAuthenticated("not logged in")
    auth_manager = get_auth_manager()
    try:
        user = await auth_manager.get_user_from_token(token)
    except ExpiredSignatureError:
        raise NotAuthenticated("the Airflow session has expired") from None
    except InvalidTokenError:
        raise NotAuthenticated("the Airflow token is not valid") from None
    if not auth_manager.is_authorized_view(access_view=AccessView.PLUGINS, user=user):
        raise NotAuthorized()
    return user


def login_url(request: Request, airflow_root: str) -> str:
    """Airflow's login page, coming back to the requested page after login."""
    from urllib.parse import quote

    next_url = quote(str(request.url.path) + ("?" + request.url.query if request.url.query else ""))
    return f"{airflow_root}/auth/login?next={next_url}"
