"""Deterministic demo data: seeded, with sizes as parameters (benchmarks ask for more).

`seed_all` fills Moodle's database (schema fixture + rows Moodle itself wrote
+ the web-service token) and each system's sandbox tables, then calls every
pipeline's generator listed in `GENERATORS` with the same seed.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

GENERATORS = (
    "include.sandbox.demo_data.moodle_base",
    "include.sandbox.demo_data.university",
    "include.sandbox.demo_data.recordings",
    "include.sandbox.demo_data.exams",
    "include.sandbox.demo_data.vouchers",
    "include.sandbox.demo_data.courses",
)


@dataclass
class SeedContext:
    """What a generator gets: open connections (DB-API, committed by `seed_all`)."""

    moodle: object  # connection to Moodle's database
    sandbox: object  # connection to the sandbox's own database
    seed: int = 20261123
    sizes: dict = field(default_factory=dict)

    def size(self, name: str, default: int) -> int:
        return int(self.sizes.get(name, default))


def seed_all(context: SeedContext) -> dict[str, str]:
    """Run every generator that exists; returns each one's one-line summary."""
    summaries = {}
    for name in GENERATORS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that pipeline has no demo data yet
            raise
        summaries[name.rsplit(".", 1)[-1]] = module.seed(context)
        context.moodle.commit()
        context.sandbox.commit()
    return summaries
