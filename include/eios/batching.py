"""Send items to Moodle in batches; isolate the rows a batch is rejected for.

Moodle's `core_user_create_users` is all or nothing per call and names no row
("Invalid parameter value detected"), so a rejected batch is split in halves
and retried until each bad row stands alone and is reported by itself; the
good rows are created. Written here because no library bisects a batch call.
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


def send_in_batches(
    items: Sequence,
    send: Callable[[list], dict[int, str]],
    batch_size: int,
    classify: Callable[[Exception], Verdict],
    describe: Callable[[Exception], str] = str,
) -> BatchOutcome:
    """`send(batch)` returns {position in batch: error} for rows Moodle warned about,
    or raises. `classify(exc)`: "split" (a data error: bisect), "fail" (report every
    row of the batch, keep going), "raise" (stop: e.g. an invalid token)."""
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

    size = max(1, batch_size)
    for start in range(0, len(items), size):
        run(list(range(start, min(start + size, len(items)))))
    return outcome
