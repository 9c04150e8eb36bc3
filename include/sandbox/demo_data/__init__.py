"""Deterministic demo data: seeded, with sizes as parameters (benchmarks ask for more).

`seed_all` fills Moodle's database (schema fixture + rows Moodle itself wrote
+ the web-service token) and each system's sandbox tables, then calls every
pipeline's generator listed in `GENERATORS` with the same seed.

A generator module has `seed(context) -> str` (a one-line summary), and may
have `DEMO_RUNS = {dag_id: (days_back, conf)}` (how `make demo` runs its DAGs)
and `TEST_SIZES = {name: n}` (the small sizes the tests ask for).
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


def generator_modules():
    """The generator modules that exist (a pipeline without demo data has none)."""
    modules = []
    for name in GENERATORS:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def test_sizes() -> dict[str, int]:
    sizes: dict[str, int] = {}
    for module in generator_modules():
        sizes.update(getattr(module, "TEST_SIZES", {}))
    return sizes


def seed_all(context: SeedContext) -> dict[str, str]:
    """Run every generator that exists; returns each one's one-line summary."""
    summaries = {}
    for module in generator_modules():
        summaries[module.__name__.rsplit(".", 1)[-1]] = module.seed(context)
        context.moodle.commit()
        context.sandbox.commit()
    return summaries
