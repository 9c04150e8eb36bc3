"""`mass_graduation_guard`: hold a faculty's leaving actions when too many at once.

Moodle's own external-database sync suspends everyone when the feed comes back
empty or broken; this guard holds such a wave until a person confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GuardDecision:
    faculty_id: str
    held: bool
    reason: str
    share_pct: float
    leaving: int
    active: int


def mass_graduation_guard(
    faculty_id: str,
    *,
    leaving: int,
    active: int,
    feed_size: int,
    threshold_pct: float,
    min_active: int,
    confirmed: bool,
) -> GuardDecision:
    """Decide for one faculty: `share = leaving / active`; held when
    `share × 100 ≥ threshold` and `active ≥ min_active`. An empty feed for a faculty
    with active students is always held. A confirmed faculty is never held."""
    share = 100.0 * leaving / active if active else 0.0
    if confirmed:
        return GuardDecision(
            faculty_id, False, "confirmed by confirm_mass_graduation", share, leaving, active
        )
    if feed_size == 0 and active > 0:
        return GuardDecision(
            faculty_id,
            True,
            f"EIOS returned no students for faculty {faculty_id}, which has {active} active "
            "students in Moodle",
            100.0,
            leaving,
            active,
        )
    if leaving and active >= min_active and share >= threshold_pct:
        return GuardDecision(
            faculty_id,
            True,
            f"{leaving} of {active} active students ({share:.1f} %) would be suspended in "
            f"faculty {faculty_id}; the threshold is {threshold_pct:g} %",
            share,
            leaving,
            active,
        )
    return GuardDecision(faculty_id, False, "below the threshold", share, leaving, active)
