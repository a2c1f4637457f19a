"""Settings: volumes (under a cap), ambient sound, theme, motion, caption size, narrator.

Everything is reachable by keyboard: up and down choose a row, left and right
change it. Changes are saved at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from calmkit.audio.backend import Group
from calmkit.audio.volumes import VOLUME_STEP
from calmkit.content.model import AMBIENT_BEDS, NO_AMBIENT
from calmkit.records.settings import CAPTION_SIZES, THEMES, Settings
from calmkit.tui.literal import LiteralStatic
from calmkit.tui.widgets.footer import WholeKeysFooter

if TYPE_CHECKING:
    # only for the checker: Textual types self.app as any App; the app imports this screen
    from calmkit.tui.app import CalmkitApp

AMBIENT_CHOICES: tuple[str | None, ...] = (None, *AMBIENT_BEDS, NO_AMBIENT)


@dataclass(frozen=True)
class Row:
    key: str
    label: str


ROWS = (
    Row("voice", "Voice volume"),
    Row("ambient", "Ambient volume"),
    Row("cues", "Chimes and tones volume"),
    Row("cap", "Volume limit for grown-ups"),
    Row("ambient_choice", "Ambient sound"),
    Row("theme", "Colours"),
    Row("reduced_motion", "Reduced motion"),
    Row("caption_size", "Caption size"),
    # Only where there is a choice: more than one voice folder.
    Row("narrator", "Narrator"),
)


LABEL_WIDTH = max(len(row.label) for row in ROWS) + 2
# Narrower than this, a row has room only for a volume bar half as long (60x20).
WIDE_ROW = LABEL_WIDTH + len("◀ ██████████ 100% ▶ heard 100%")

Choice = TypeVar("Choice")


def _cycle(options: tuple[Choice, ...], current: object, step: int) -> Choice:
    index = options.index(current) if current in options else 0
    return options[(index + step) % len(options)]


class SettingsScreen(Screen[None]):
    BINDINGS = [
        Binding("left", "change(-1)", "Less", show=True),
        Binding("right", "change(1)", "More", show=True),
        Binding("escape,q", "close", "Done"),
    ]

    def __init__(self, settings: Settings) -> None:
        from calmkit.audio.narration import available_voices

        super().__init__()
        self.settings = settings
        self.narrators: tuple[str | None, ...] = (None, *available_voices())
        self.rows = [row for row in ROWS if row.key != "narrator" or len(self.narrators) > 2]
        # The limit moves only after a grown-up's answer, for the rest of this visit.
        self.cap_unlocked = False

    def compose(self) -> ComposeResult:
        with Vertical(id="settings"):
            yield LiteralStatic("Settings", classes="heading")
            yield LiteralStatic(
                "Up and down choose, left and right change. Saved straight away.",
                id="settings-hint",
            )
            yield OptionList(*self._options(), id="settings-list")
        yield WholeKeysFooter()

    def _value(self, key: str, cells: int = 10) -> str:
        settings = self.settings
        if key in ("voice", "ambient", "cues", "cap"):
            value = getattr(settings.volumes, key)
            filled = round(value * cells)
            return f"{'█' * filled}{'░' * (cells - filled)} {round(value * 100)}%"
        if key == "ambient_choice":
            return settings.ambient or "the script's choice"
        if key == "theme":
            return "high contrast" if settings.theme == "high-contrast" else "calm"
        if key == "reduced_motion":
            return "on" if settings.reduced_motion else "off"
        if key == "narrator":
            from calmkit.audio.narration import voice_label

            if settings.narrator is None or settings.narrator not in self.narrators:
                return "best for each session"
            return voice_label(settings.narrator)
        return settings.caption_size

    def _options(self) -> list[Option]:
        # Every row whole at 60x20: the ▶ that says a value changes, and "heard 90%".
        lists = self.query(OptionList)
        width = lists.first().content_size.width if lists else 0
        wide = not width or width >= WIDE_ROW
        cells, label_width = (10, LABEL_WIDTH) if wide else (5, LABEL_WIDTH - 1)
        options = []
        for row in self.rows:
            text = Text(f"{row.label:<{label_width}}")
            text.append(f"◀ {self._value(row.key, cells)} ▶", style="bold")
            if row.key in ("voice", "ambient", "cues"):
                value = getattr(self.settings.volumes, row.key)
                heard = self.settings.volumes.effective(cast(Group, row.key))  # checked above
                if heard < value - 1e-9:
                    # What is really heard, when a grown-up's limit holds it lower.
                    text.append(f" heard {round(heard * 100)}%", style="italic")
            options.append(Option(text, id=row.key))
        return options

    def action_change(self, step: int) -> None:
        option_list = self.query_one(OptionList)
        index = option_list.highlighted
        if index is None:
            return
        key = self.rows[index].key
        settings = self.settings
        if key == "cap" and not self.cap_unlocked:
            self._ask_grown_up(step)
            return
        if key in ("voice", "ambient", "cues", "cap"):
            value = getattr(settings.volumes, key) + step * VOLUME_STEP
            setattr(settings.volumes, key, round(max(0.0, min(1.0, value)), 2))
        elif key == "ambient_choice":
            settings.ambient = _cycle(AMBIENT_CHOICES, settings.ambient, step)
        elif key == "theme":
            settings.theme = _cycle(THEMES, settings.theme, step)
            cast("CalmkitApp", self.app).apply_theme()
        elif key == "reduced_motion":
            settings.reduced_motion = not settings.reduced_motion
        elif key == "narrator":
            # Used for a session where it says every line; else the voice that does.
            settings.narrator = _cycle(self.narrators, settings.narrator, step)
        else:
            settings.caption_size = _cycle(CAPTION_SIZES, settings.caption_size, step)
        cast("CalmkitApp", self.app).save_settings()
        self._redraw_rows()

    def _redraw_rows(self) -> None:
        # Every row: a volume row also says when the limit holds it.
        option_list = self.query_one(OptionList)
        for row, option in enumerate(self._options()):
            option_list.replace_option_prompt_at_index(row, option.prompt)

    def on_resize(self) -> None:
        self.call_after_refresh(self._redraw_rows)

    def _ask_grown_up(self, step: int) -> None:
        from calmkit.tui.dialogs.grownup import GrownUpCheck

        def answered(right: bool | None) -> None:
            if right:
                self.cap_unlocked = True
                self.action_change(step)
            else:
                self.notify("The volume limit stays as it is.", timeout=3)

        self.app.push_screen(GrownUpCheck(), answered)

    def action_close(self) -> None:
        self.dismiss(None)
