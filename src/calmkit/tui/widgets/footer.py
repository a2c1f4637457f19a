"""A footer that shows whole keys only: the ones that fit, never half of one.

Textual's footer lets a key run under the command palette's key at the right,
so a narrow window showed "t Tog" and "h His": half a key tells nobody
anything. Here the keys that do not fit wholly are left out (they still work;
Ctrl+P and "Show the keys" list every one). The screens put their keys in order
of importance, so what is left out is the least needed.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_CLASS = "-command-palette"


class WholeKeysFooter(Footer):
    # How many of the keys fit wholly, for the keys and the width it was measured at:
    # the same keys at the same width (a focus change) need no new measure, and so
    # never flash the half key again before it is left out.
    _fitting: int | None = None
    _measured_for: tuple[int, tuple[tuple[str, str], ...]] | None = None

    def _signature(self, keys: list[FooterKey]) -> tuple[int, tuple[tuple[str, str], ...]]:
        return self.size.width, tuple((key.key_display, key.description) for key in keys)

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class(PALETTE_CLASS)]
        if self._fitting is None or self._measured_for != self._signature(keys):
            self._fitting = None
            if keys:
                self.call_after_refresh(self._measure)
            yield from widgets
            return
        left_out = {id(key) for key in keys[self._fitting :]}
        yield from (widget for widget in widgets if id(widget) not in left_out)

    def _measure(self, tries: int = 5) -> None:
        keys = [key for key in self.query(FooterKey) if not key.has_class(PALETTE_CLASS)]
        palettes = [key for key in self.query(FooterKey) if key.has_class(PALETTE_CLASS)]
        if any(key.region.width == 0 for key in [*keys, *palettes]):
            # Not laid out yet: measure once it is (leaving every key shown meanwhile).
            if tries:
                self.call_after_refresh(self._measure, tries - 1)
            return
        limit = palettes[0].region.x if palettes else self.region.right
        fitting = 0
        for key in keys:
            if key.region.right > limit:
                break
            fitting += 1
        self._fitting = fitting
        self._measured_for = self._signature(keys)
        if fitting < len(keys):
            self.call_after_refresh(self.recompose)

    def on_resize(self) -> None:
        self._fitting = None
        self.call_after_refresh(self.recompose)
