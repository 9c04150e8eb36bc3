"""What Moodle 4.5 refuses, mirrored so that a row it would refuse is rejected before any call.

Read off Moodle's own code (4.5.6) and the PHP it runs on:
- e-mail: `validate_email()` (lib/weblib.php) = PHPMailer's `validateAddress()` with its
  default validator `php`, i.e. PHP's `filter_var(FILTER_VALIDATE_EMAIL)` (no line breaks),
  and no `<` or `>`. `core_user_create_users` refuses an invalid e-mail, and while the site
  setting `allowaccountssameemail` is 0 (the default) one that another account already uses,
  compared case-insensitively (`LOWER(email) = LOWER(:email)`); `core_user_update_users` does
  both only when the e-mail changes, and not against the user's own account.
- username: the web service's `validate_param(PARAM_USERNAME)` refuses a value that
  `clean_param` would change: it trims, lower-cases and (while `extendedusernamechars` is
  off, the default) keeps only `a-z 0-9 - . @ _`. `mdl_user.username` is `varchar(100)`.
- names: `create_users` refuses a first or last name that PHP's `trim()` leaves empty; the
  names are PARAM_NOTAGS, refused when `strip_tags()` would change them.

Pure functions, no I/O: unit-tested in tests/unit/test_eios_domain.py against PHP's answers.
"""

from __future__ import annotations

import re

# PHP 8.2 ext/filter/logical_filters.c, php_filter_validate_email(), the non-Unicode regexp
# (flags /iD), split up and rewritten for Python's backtracking engine with the same language:
# the two leading length look-aheads are computed by `_units_*` below; `(?:label\.){1,126}`
# repeated `{1,}` is `label\.` once or more, and each label is atomic (every parse of a label
# ends at the same dot); `(?:.*X){n,}` look-aheads count X lazily and atomically. PCRE's JIT
# runs the original fast; Python's engine would backtrack exponentially on it.
_ATOM = rb"(?:[\x21\x23-\x27\x2A\x2B\x2D\x2F-\x39\x3D\x3F\x5E-\x7E]+)"
_QUOTED = (
    rb"(?:\x22(?:[\x01-\x08\x0B\x0C\x0E-\x1F\x21\x23-\x5B\x5D-\x7F]|(?:\x5C[\x00-\x7F]))*\x22)"
)
_WORD = rb"(?:" + _ATOM + rb"|" + _QUOTED + rb")"
_DOMAIN = (
    rb"(?:(?:(?!.*[^.]{64,})(?>(?:xn--)?[a-z0-9]+(?:-+[a-z0-9]+)*\.)+"
    rb"(?:(?:[a-z][a-z0-9]*)|(?:(?:xn--)[a-z0-9]+))(?:-+[a-z0-9]+)*)"
    rb"|(?:\[(?:(?:IPv6:(?:(?:[a-f0-9]{1,4}(?::[a-f0-9]{1,4}){7})"
    rb"|(?:(?!(?>.*?[a-f0-9][:\]]){7})(?:[a-f0-9]{1,4}(?::[a-f0-9]{1,4}){0,5})?::"
    rb"(?:[a-f0-9]{1,4}(?::[a-f0-9]{1,4}){0,5})?)))"
    rb"|(?:(?:IPv6:(?:(?:[a-f0-9]{1,4}(?::[a-f0-9]{1,4}){5}:)"
    rb"|(?:(?!(?>.*?[a-f0-9]:){5})(?:[a-f0-9]{1,4}(?::[a-f0-9]{1,4}){0,3})?::"
    rb"(?:[a-f0-9]{1,4}(?::[a-f0-9]{1,4}){0,3}:)?)))?"
    rb"(?:(?:25[0-5])|(?:2[0-4][0-9])|(?:1[0-9]{2})|(?:[1-9]?[0-9]))"
    rb"(?:\.(?:(?:25[0-5])|(?:2[0-4][0-9])|(?:1[0-9]{2})|(?:[1-9]?[0-9]))){3}))\]))"
)
_PHP_EMAIL = re.compile(rb"^" + _WORD + rb"(?:\." + _WORD + rb")*@" + _DOMAIN + rb"\Z", re.I)
_QUOTE, _BACKSLASH, _AT = 0x22, 0x5C, 0x40
USERNAME_MAX = 100  # mdl_user.username varchar(100)
PHP_TRIM = " \t\n\r\0\x0b"  # what PHP's trim() strips (no other Unicode space)


def _max_units(data: bytes) -> list[int]:
    """For each position, the most look-ahead units `"?(\\[\\x00-\\x7E]|[^\\\\"])"?` that
    can end exactly there, starting at 0 (-1: unreachable). PHP's two look-aheads refuse an
    address with 255 such units from the start, or 65 followed by `@`."""
    best = [-1] * (len(data) + 1)
    best[0] = 0
    for start in range(len(data)):
        if best[start] < 0:
            continue
        heads = [start] + ([start + 1] if data[start] == _QUOTE else [])
        for head in heads:
            if head >= len(data):
                continue
            if data[head] == _BACKSLASH:
                core_end = head + 2 if head + 1 < len(data) and data[head + 1] <= 0x7E else None
            elif data[head] != _QUOTE:
                core_end = head + 1
            else:
                core_end = None
            if core_end is None:
                continue
            for end in [core_end] + (
                [core_end + 1] if core_end < len(data) and data[core_end] == _QUOTE else []
            ):
                best[end] = max(best[end], best[start] + 1)
    return best


def php_validate_email(address: str) -> bool:
    """PHP 8.2's `filter_var($address, FILTER_VALIDATE_EMAIL) !== false`."""
    data = address.encode("utf-8", "surrogatepass")
    if len(data) > 320:
        return False
    if _QUOTE not in data and _BACKSLASH not in data:
        # every byte is one look-ahead unit (units[i] == i): the same two refusals without
        # the walk, which is most of the gate's time on a 40 000-row feed
        if len(data) >= 255 or data.find(b"@", 65) != -1:
            return False
        return _PHP_EMAIL.match(data) is not None
    units = _max_units(data)
    if max(units) >= 255:
        return False
    if any(byte == _AT and units[i] >= 65 for i, byte in enumerate(data)):
        return False
    return _PHP_EMAIL.match(data) is not None


def moodle_email_valid(address: str | None) -> bool:
    """Moodle's `validate_email()`: PHPMailer's `validateAddress()` (PHP's filter, no line
    breaks) and no `<` or `>`. An empty address is invalid."""
    if not address:
        return False
    if "\n" in address or "\r" in address or "<" in address or ">" in address:
        return False
    return php_validate_email(address)


def email_key(address: str) -> str:
    """How Moodle compares e-mails for `allowaccountssameemail` (case-insensitively)."""
    return address.lower()


def clean_username(value: str, extended_chars: bool = False) -> str:
    """Moodle's `clean_param($value, PARAM_USERNAME)`."""
    cleaned = value.strip(PHP_TRIM).lower()
    if not extended_chars:
        cleaned = re.sub(r"[^-.@_a-z0-9]", "", cleaned.replace(" ", ""))
    return cleaned


def username_problem(username: str, extended_chars: bool = False) -> str:
    """'' when Moodle accepts the username as sent, else why not."""
    if not username.strip(PHP_TRIM):
        return "username from the template is empty"
    if clean_username(username, extended_chars) != username:
        return (
            f"username {username!r} has characters Moodle does not allow "
            "(PARAM_USERNAME: lower-case a-z, 0-9, - . @ _)"
        )
    if len(username) > USERNAME_MAX:
        return f"username is longer than {USERNAME_MAX} characters"
    return ""


def _strip_tags_changes(value: str) -> bool:
    # PHP's strip_tags() removes NUL bytes and anything from `<` that starts a tag; a `<`
    # followed by white space is kept. Refusing those too is stricter by a hair, never kinder.
    return "\0" in value or "<" in value


def name_problem(field: str, value: str | None, required: bool = True) -> str:
    """'' when Moodle accepts the name, else why not (`field`: first_name, last_name…)."""
    text = "" if value is None else str(value)
    if required and text.strip(PHP_TRIM) == "":
        return f"{field} missing (Moodle: the field cannot be blank)"
    if _strip_tags_changes(text):
        return f"{field} {text!r} has a tag or '<' that Moodle strips (PARAM_NOTAGS)"
    return ""


def email_problem(address: str) -> str:
    """'' when Moodle's validate_email() accepts the address, else the reason."""
    if moodle_email_valid(address):
        return ""
    return f"e-mail {address!r} is refused by Moodle's validate_email()"
