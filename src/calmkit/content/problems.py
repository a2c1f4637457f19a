"""Problems found in scripts and plans, reported as ``PATH:LINE:COL: error: MESSAGE``."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from calmkit.content.safetext import shown

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    message: str
    severity: Severity = "error"
    # The parser's own words, kept for the curious below the plain message.
    detail: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        # One line whatever the path or a quoted value holds: a newline in either
        # must not forge another problem's line, nor an escape reach the terminal.
        return f"{shown(self.path)}:{self.line}:{self.col}: {self.severity}: {shown(self.message)}"

    def explained(self) -> str:
        """The problem line, with the parser's words on an indented line below it: the
        indent keeps that second line from reading as a ``PATH:LINE:COL:`` line itself."""
        if not self.detail:
            return str(self)
        return f"{self}\n  (YAML said: {self.detail})"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_json(self) -> dict[str, object]:
        # Every field, in the order declared: path, line, col, message, severity, detail.
        return dataclasses.asdict(self)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def one_of(choices: Iterable[str]) -> str:
    """``'a', 'b' or 'c'`` for messages."""
    quoted = [f"'{choice}'" for choice in choices]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]
