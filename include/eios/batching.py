"""Send items to Moodle in batches; isolate the rows a batch is rejected for.

Moodle's `core_user_create_users` is all or nothing per call and names no row
("Invalid parameter value detected"), so a rejected batch is split in halves
and retried until each bad row stands alone and is reported by itself; the
good rows are created. Written here because no library bisects a batch call.

Batches are sized by form fields as well as items: PHP's `max_input_vars` cuts a
request silently (shared/moodle/README.md), so a batch holds at most
`batch_size` items *and* at most `max_fields` form fields (`field_batches`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["split", "fail", "raise"]


@dataclass
class BatchOutcome:
    errors: list[str | None]  # per item: None = done, else the reason it failed
    calls: int = 0
    splits: int = 0
    failed_batches: list[str] = field(default_factory=list)


def field_batches(
    field_counts: Sequence[int], max_items: int, max_fields: int, fixed_fields: int = 0
) -> list[list[int]]:
    """Consecutive groups of item positions, in order: each has at most `max_items` items
    and at most `max_fields` fields (`fixed_fields`, the call's own, plus each item's).
    An item that alone exceeds `max_fields` stands alone (the caller refuses it)."""
    batches: list[list[int]] = []
    used = fixed_fields
    for position, count in enumerate(field_counts):
        if not batches or len(batches[-1]) >= max(1, max_items) or used + count > max_fields:
            if not batches or batches[-1]:
                batches.append([])
            used = fixed_fields
        batches[-1].append(position)
        used += count
    return [b for b in batches if b]


def send_in_batches(
    items: Sequence,
    send: Callable[[list], dict[int, str]],
    batch_size: int,
    classify: Callable[[Exception], Verdict],
    describe: Callable[[Exception], str] = str,
    field_counts: Sequence[int] | None = None,
    max_fields: int | None = None,
    fixed_fields: int = 0,
) -> BatchOutcome:
    """`send(batch)` returns {position in batch: error} for rows Moodle warned about,
    or raises. `classify(exc)`: "split" (a data error: bisect), "fail" (report every
    row of the batch, keep going), "raise" (stop: e.g. an invalid token).
    With `field_counts` (each item's form fields) and `max_fields`, no batch has more
    than `max_fields` fields, `fixed_fields` (the call's own) included."""
    outcome = BatchOutcome(errors=[None] * len(items))

    def run(indices: list[int]) -> None:
        outcome.calls += 1
        try:
            warnings = send([items[i] for i in indices])
        except Exception as exc:
            verdict = classify(exc)
            if verdict == "raise":
                raise
            if verdict == "split" and len(indices) > 1:
                outcome.splits += 1
                middle = len(indices) // 2
                run(indices[:middle])
                run(indices[middle:])
                return
            message = describe(exc)
            outcome.failed_batches.append(message)
            for i in indices:
                outcome.errors[i] = message
            return
        for position, error in (warnings or {}).items():
            outcome.errors[indices[position]] = error

    if field_counts is None or max_fields is None:
        field_counts, max_fields, fixed_fields = [0] * len(items), 1, 0
    for batch in field_batches(field_counts, batch_size, max_fields, fixed_fields):
        run(batch)
    return outcome
