"""What an import says and did: its messages, the files it installed, the whole result.

Apart from importer.py so that reading (sources.py), checking (checks.py) and
writing (install.py) can all speak in the same messages without importing the
importer that drives them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from calmkit.content.model import Plan
from calmkit.content.problems import Problem, Severity

ItemKind = Literal["script", "plan", "recording", "sound", "narration"]
Action = Literal["added", "replaced", "unchanged"]


@dataclass(frozen=True)
class Message:
    """One line for the user: at a line and column of a YAML file, or about a whole file."""

    path: str
    text: str
    severity: Severity = "error"
    line: int | None = None
    col: int | None = None
    detail: str | None = None  # the YAML parser's own words, shown indented below

    @classmethod
    def of(cls, problem: Problem) -> Message:
        return cls(
            problem.path, problem.message, problem.severity, problem.line, problem.col,
            problem.detail,
        )  # fmt: skip

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.col}"
        return f"{where}: {self.severity}: {self.text}"


@dataclass(frozen=True)
class Installed:
    """One file the import put in the user library (or found there already)."""

    kind: ItemKind
    name: str  # the id; 'script-id/step-id' for a recording; the file name for a sound
    destination: Path
    action: Action


@dataclass
class ImportResult:
    source: Path
    installed: list[Installed] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # older copies --replace took away
    plans: list[Plan] = field(default_factory=list)  # the plans the source holds, checked

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Message]:
        return [message for message in self.messages if message.is_error]
