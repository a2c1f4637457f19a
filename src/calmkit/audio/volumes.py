"""The family's volume settings: a small module of its own, so the settings load
without the player (start-up stays quick)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calmkit.audio.backend import Group


# One press of + or - (in a session or on the settings screen) moves a volume by this.
VOLUME_STEP = 0.1


@dataclass
class Volumes:
    """Per-group volumes (0..1), all under one cap a parent can set."""

    voice: float = 1.0
    ambient: float = 0.5
    cues: float = 0.6
    cap: float = 1.0

    def effective(self, group: Group) -> float:
        return max(0.0, min(getattr(self, group), self.cap))
