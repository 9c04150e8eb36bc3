"""core_webservice_get_site_info, in the shape the real Moodle 4.5.6 answers it."""

from __future__ import annotations

from include.sandbox.moodle_ws.registry import FUNCTIONS, recorded_functions, wsfunction

BASE_URL = "http://127.0.0.1/moodle"


@wsfunction("core_webservice_get_site_info")
def get_site_info(cursor, params: dict):
    cursor.execute("SELECT id, username, firstname, lastname, lang FROM mdl_user WHERE id = 2")
    admin = cursor.fetchone()
    served = sorted(name for name in FUNCTIONS if name in recorded_functions())
    return {
        "sitename": "Sandbox University",
        "username": admin["username"],
        "firstname": admin["firstname"],
        "lastname": admin["lastname"],
        "fullname": f"{admin['firstname']} {admin['lastname']}",
        "lang": admin["lang"],
        "userid": admin["id"],
        "siteurl": BASE_URL,
        "userpictureurl": f"{BASE_URL}/theme/image.php/boost/core/1/u/f1",
        "functions": [{"name": name, "version": "2024100706"} for name in served],
        "downloadfiles": 0,
        "uploadfiles": 0,
        "release": "4.5.6 (Build: 20250811)",
        "version": "2024100706",
        "mobilecssurl": "",
        "advancedfeatures": [{"name": "usecomments", "value": 1}],
        "usercanmanageownfiles": True,
        "userquota": 0,
        "usermaxuploadfilesize": -1,
        "userhomepage": 1,
        "userprivateaccesskey": "sandbox",
        "siteid": 1,
        "sitecalendartype": "gregorian",
        "usercalendartype": "gregorian",
        "userissiteadmin": True,
        "theme": "boost",
        "limitconcurrentlogins": 0,
        "policyagreed": 0,
    }
