"""Reading the ISO dates and deadline periods of the model into calendar days."""

from __future__ import annotations

import calendar
import re
from datetime import date

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])))?$")


def iso_day(text: str | None) -> date | None:
    """The day an ISO `YYYY-MM-DD` string names, or None for anything else."""
    if not text or len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def period_end(period: str | None) -> date | None:
    """The last day of a period `2025`, `2025-12`, `2025-Q4` or `2025-H2`; None otherwise."""
    match = _PERIOD.match(period or "")
    if not match:
        return None
    year = int(match[1])
    if match[2]:
        month = int(match[2])
        if not 1 <= month <= 12:
            return None
    elif match[3]:
        month = 3 * int(match[3])
    elif match[4]:
        month = 6 * int(match[4])
    else:
        month = 12
    return date(year, month, calendar.monthrange(year, month)[1])


def due_day(deadline: str | None) -> date | None:
    """When a deadline written as a day or a period falls due (None for `ongoing` …)."""
    return iso_day(deadline) or period_end(deadline)
