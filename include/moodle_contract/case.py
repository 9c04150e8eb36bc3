"""One contract case, and the request templates it is recorded with.

A case's `params(ctx)` builds the request from the run's context (`ctx`: the
tag, the ids the earlier cases saved through `save`). The recording stores the
request built with placeholders (`<category_id>`, `placeholders()`), so a replay
fills in its own ids (`fill`). `values` names answer paths compared literally (a
name the call must have changed, e.g.). `simplifies` says what a stand-in may
leave out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

NO_SUCH_ID = 2147480000  # an id no site has: the call is refused before it writes
BAD_EMAIL = "ivan..tochkin@students.example.edu"  # refused by Moodle's validate_email


@dataclass(frozen=True)
class Case:
    name: str
    function: str
    params: Callable[[dict], dict] = lambda ctx: {}
    write: bool = False
    save: Callable[[dict, Any], None] | None = None
    values: tuple[str, ...] = ()
    simplifies: str = ""
    token: str | None = None  # a token other than the connection's (the bad-token case)
    generated: str = ""  # a request too big to store: described here, rebuilt by `params`
    teardown: bool = False
    needs: tuple[str, ...] = field(default_factory=tuple)  # ctx keys the case needs
    # Run before the request with (ctx, moodle_db connection id): a fixture Moodle's web
    # services cannot make (a course module); it raises if it cannot, and the case is skipped.
    prepare: Callable[[dict, str], None] | None = None

    @property
    def key(self) -> str:
        return f"{self.function}/{self.name}"


def placeholders(tag: str = "<tag>") -> dict:
    """A context whose every value is its own placeholder: builds a request template."""

    class Template(dict):
        def __missing__(self, key):
            return f"<{key}>"

    return Template(tag=tag)


def fill(template: Any, ctx: dict) -> Any:
    """A recorded request template with the run's values in place of `<key>` placeholders."""
    if isinstance(template, dict):
        return {k: fill(v, ctx) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, ctx) for v in template]
    if isinstance(template, str) and "<" in template:
        for key, value in ctx.items():
            marker = f"<{key}>"
            if template == marker:
                return value
            if marker in template and isinstance(value, (str, int)):
                template = template.replace(marker, str(value))
    return template
