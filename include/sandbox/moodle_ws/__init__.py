"""Moodle web services stand-in: `/webservice/rest/server.php` over a Moodle-schema database.

Each module registers its functions with `@wsfunction`; `server.py` decodes
PHP array parameters, checks the token against `mdl_external_tokens`, runs
the function in one transaction and answers as Moodle does (HTTP 200, JSON,
`{"exception","errorcode","message"}` on error).
"""

from include.sandbox.moodle_ws.registry import MoodleException, wsfunction

__all__ = ["MoodleException", "wsfunction"]
