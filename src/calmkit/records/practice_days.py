"""A gentle progress picture: a garden with one flower for each day practised.

Flowers are only ever added. A day missed leaves no gap, no wilted plant and
no "streak lost": the garden counts practice, never absence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from calmkit.content.model import Plan
from calmkit.records.journal import SessionRecord

# Without a plan, the garden shows the last four weeks.
DEFAULT_PERIOD = dt.timedelta(weeks=4)
FLOWERS_PER_ROW = 14
FLOWER_COLOURS = ("#e6a0c4", "#f2c46d", "#9fd8cb", "#b8a9c9", "#f4a582", "#8fbf8f")


def practised_days(records: Iterable[SessionRecord]) -> set[dt.date]:
    """Days with a session that counts as practice (counting.py's one rule)."""
    return {record.started.date() for record in records if record.practice}


@dataclass(frozen=True)
class Garden:
    flowers: int
    since: dt.date

    @property
    def words(self) -> str:
        if self.flowers == 0:
            return "Your garden is ready for its first flower."
        if self.flowers == 1:
            return "Your garden has its first flower, for the day you practised."
        return f"Your garden has {self.flowers} flowers, one for each day you practised."

    def rows(self) -> list[list[str]]:
        """The flowers, each with its colour, in rows that fit a narrow terminal."""
        colours = [FLOWER_COLOURS[i % len(FLOWER_COLOURS)] for i in range(self.flowers)]
        return [
            colours[start : start + FLOWERS_PER_ROW]
            for start in range(0, len(colours), FLOWERS_PER_ROW)
        ]


def garden_since(plan: Plan | None, day: dt.date) -> dt.date:
    if plan is not None and plan.starts is not None and plan.starts <= day:
        return plan.starts
    return day - DEFAULT_PERIOD


def grow_garden(records: Iterable[SessionRecord], since: dt.date, day: dt.date) -> Garden:
    days = {d for d in practised_days(records) if since <= d <= day}
    return Garden(len(days), since)
