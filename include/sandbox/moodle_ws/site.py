"""core_webservice_get_site_info."""

from __future__ import annotations

from include.sandbox.moodle_ws.registry import wsfunction


@wsfunction("core_webservice_get_site_info")
def get_site_info(cursor, params: dict):
    cursor.execute("SELECT id, username, firstname, lastname, lang FROM mdl_user WHERE id = 2")
    admin = cursor.fetchone()
    return {
        "sitename": "Sandbox University",
        "username": admin["username"],
        "firstname": admin["firstname"],
        "lastname": admin["lastname"],
        "fullname": f"{admin['firstname']} {admin['lastname']}",
        "lang": admin["lang"],
        "userid": admin["id"],
        "siteurl": "http://127.0.0.1/moodle",
        "release": "4.5.6 (Build: 20250811)",
        "version": "2024100706",
        "functions": [],
    }
