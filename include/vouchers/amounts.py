"""Money of an act: proration by working days, to the tiyn, lines summing to the total.

All arithmetic is on integers in tiyn (1 tenge = 100 tiyn), vectorised with
numpy over every line of a region at once; floats never hold money.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

# The rule's version goes on every act; change the id when the formula changes.
RULES = {
    "attendance": "KZ-VOUCHER-ATTENDANCE-2025.1",  # the pilot's 2025 amendment
    "enrolment": "CCDF-2024-ENROLMENT-1",  # US CCDF 2024 model, for comparison
    "estimate": "KZ-ESTIMATE-2026.1",  # state kindergartens paid by budget estimate
}


def prorate(norm_tiyn, payable_days, working_days_in_month: int) -> np.ndarray:
    """round(norm × payable / working days, to the tiyn), half up; vectorised."""
    if working_days_in_month <= 0:
        raise ValueError("a month with no working day cannot prorate")
    norm = np.asarray(norm_tiyn, dtype="int64")
    days = np.asarray(payable_days, dtype="int64")
    return (2 * norm * days + working_days_in_month) // (2 * working_days_in_month)


def allocate(total_tiyn: int, weights) -> np.ndarray:
    """Split `total_tiyn` over lines in proportion to `weights` (largest remainder):
    the parts are whole tiyn, never negative, and sum exactly to the total. Equal
    weights when every weight is 0; ties go to the earlier line (deterministic)."""
    weights = np.asarray(weights, dtype="int64")
    if weights.size == 0:
        return weights
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    scaled = total_tiyn * weights
    parts = scaled // weights.sum()
    remainders = scaled % weights.sum()
    left = int(total_tiyn - parts.sum())
    order = np.lexsort((np.arange(weights.size), -remainders))
    parts[order[:left]] += 1
    return parts


def tenge(tiyn: int) -> str:
    """`123456` -> `1234.56` (exact decimal text for documents and JSON)."""
    return str((Decimal(int(tiyn)) / 100).quantize(Decimal("0.01")))


def tenge_ru(tiyn: int) -> str:
    """`123456789` -> `1 234 567,89` (Russian document style)."""
    whole, cents = divmod(int(tiyn), 100)
    return f"{whole:,}".replace(",", "\u00a0") + f",{cents:02d}"


def to_tiyn(amount) -> int:
    """A tenge amount (Decimal, str, int) to whole tiyn, exactly."""
    return int((Decimal(str(amount)) * 100).to_integral_value())
