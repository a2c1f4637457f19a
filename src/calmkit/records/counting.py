"""What counts as practice: one rule, used by the plan's ✓, the garden, history, `log` and
every report format.

Time practised is time heard: the seconds a session actually played, paused
time and stretches skipped with → left out. A finished session *counts as
practice* once at least half of its length was heard, or, when the plan sets
``practice_minutes``, once that much was heard (never more than the whole
session). The seconds a session needs are worked out when it starts and kept
in its journal row, so every reader judges it the same way, later plan edits
included.

Sessions written by a calmkit that did not yet measure time heard keep the
rule of their day: completed, or stopped after at least a minute.
"""

from __future__ import annotations

from calmkit.words import plural

# Half of a session heard makes it practice: pressing → to the end does not.
PRACTICE_SHARE = 0.5
# The rule for journal rows from before time heard was measured (schema 2 and older).
LEGACY_MIN_SECONDS = 60.0
# Timing is measured to a tenth of a second; a session heard to its end must count.
TOLERANCE_SECONDS = 0.5
FINISHED: tuple[str, ...] = ("completed", "stopped", "interrupted")


def seconds_needed(script_seconds: float, practice_minutes: float | None = None) -> float:
    """How much of a session must be heard for it to count as practice."""
    length = max(0.0, script_seconds)
    if practice_minutes is not None:
        return min(length, practice_minutes * 60)
    return length * PRACTICE_SHARE


def counts_as_practice(
    status: str, seconds_heard: float | None, seconds_needed: float | None, seconds: float
) -> bool:
    """Does a journal row count as practice? ``seconds`` is the position it reached
    (all that rows written before schema 3 have)."""
    if status not in FINISHED:
        return False
    if seconds_heard is None or seconds_needed is None:
        return status == "completed" or seconds >= LEGACY_MIN_SECONDS
    return seconds_heard + TOLERANCE_SECONDS >= seconds_needed


def practised_sentence(seconds_heard: float) -> str:
    """The end screen's line: the true time, kindly put (six seconds is not "1 minute")."""
    if seconds_heard < 60:
        return "You took a few moments to practise."
    minutes = round(seconds_heard / 60)
    return f"You practised for {plural(minutes, 'minute')}."
