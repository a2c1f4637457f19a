"""What loading one file gave: its script or plan, and its problems.

Apart from the loader so that the library cache can be read back without
importing the YAML parser: a cache hit is most of the app's start-ups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from calmkit.content.model import Plan, Script
from calmkit.content.problems import Problem

DocumentKind = Literal["script", "plan"]


@dataclass
class LoadResult:
    """What one file turned out to be, and everything wrong with it."""

    path: str
    kind: DocumentKind | None = None
    script: Script | None = None
    plan: Plan | None = None
    problems: list[Problem] = field(default_factory=list)
    # Where the id was written, so the library can point at a duplicate.
    id_line: int = 1
    id_col: int = 1
    # The id as written, even when the file is broken, so "show <id>" can say why.
    declared_id: str | None = None

    @property
    def ok(self) -> bool:
        return not any(problem.is_error for problem in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def document_id(self) -> str | None:
        if self.script is not None:
            return self.script.id
        if self.plan is not None:
            return self.plan.id
        return None
