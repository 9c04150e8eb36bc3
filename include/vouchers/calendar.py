"""The working-day calendar: a five-day week minus public holidays (shipped as data).

`calendars/kz-<year>.json` holds a year's holidays with their legal source.
Settings add holidays (`extra_holidays`) or working Saturdays
(`extra_working_days`). A year with no shipped list is an error, never a
silent "no holidays". Counting is vectorised with numpy's business-day
functions, so a month of a million contracts is one call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np

CALENDAR_DIR = Path(__file__).with_name("calendars")
WEEKMASK = "1111100"


class CalendarError(ValueError):
    """No holiday list for a year the pipeline needs."""


@cache
def shipped_holidays(year: int) -> tuple[date, ...]:
    path = CALENDAR_DIR / f"kz-{year}.json"
    if not path.exists():
        raise CalendarError(
            f"no holiday calendar for {year}: add include/vouchers/calendars/kz-{year}.json"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(sorted(date.fromisoformat(h["date"]) for h in data["holidays"]))


def month_bounds(period: str) -> tuple[date, date]:
    """`2026-03` -> (first day, last day)."""
    first = date.fromisoformat(f"{period}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days for the years it was built for."""

    years: tuple[int, ...]
    holidays: tuple[date, ...]
    extra_working_days: tuple[date, ...] = ()

    @classmethod
    def for_years(
        cls,
        years,
        extra_holidays=(),
        extra_working_days=(),
    ) -> WorkingCalendar:
        years = tuple(sorted(set(years)))
        holidays = {d for y in years for d in shipped_holidays(y)} | set(extra_holidays)
        return cls(years, tuple(sorted(holidays)), tuple(sorted(set(extra_working_days))))

    @classmethod
    def for_period(cls, period: str, extra_holidays=(), extra_working_days=()) -> WorkingCalendar:
        return cls.for_years([int(period[:4])], extra_holidays, extra_working_days)

    def _check(self, day: date) -> None:
        if day.year not in self.years:
            raise CalendarError(f"{day} is outside the calendar years {self.years}")

    def is_working_day(self, day: date) -> bool:
        self._check(day)
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def working_days(self, first: date, last: date) -> list[date]:
        self._check(first)
        self._check(last)
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [d for d in days if self.is_working_day(d)]

    def working_days_in_month(self, period: str) -> int:
        return len(self.working_days(*month_bounds(period)))

    def count_between(self, starts, ends) -> np.ndarray:
        """Working days in each inclusive range [start, end] (arrays of datetime64[D]);
        an empty range (end < start) counts 0."""
        starts = np.asarray(starts, dtype="datetime64[D]")
        ends = np.asarray(ends, dtype="datetime64[D]")
        empty = ends < starts
        safe_end = np.where(empty, starts, ends + np.timedelta64(1, "D"))
        holidays = np.array(self.holidays, dtype="datetime64[D]")
        counts = np.busday_count(starts, safe_end, weekmask=WEEKMASK, holidays=holidays)
        for extra in np.array(self.extra_working_days, dtype="datetime64[D]"):
            counts = counts + ((starts <= extra) & (extra < safe_end))
        return np.where(empty, 0, counts).astype("int64")
