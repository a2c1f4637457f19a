"""The home screen: a greeting, today's practice with a big Start, and the library."""

from __future__ import annotations

import re
import textwrap
from itertools import groupby
from typing import TYPE_CHECKING, cast

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from calmkit.content.library import Library
from calmkit.content.model import Script
from calmkit.content.safetext import shown
from calmkit.records.ages import group_age, practice_tier, suits_everyone
from calmkit.records.practice_days import Garden
from calmkit.records.today import Today
from calmkit.tui.literal import LiteralStatic, literal
from calmkit.tui.widgets.footer import WholeKeysFooter
from calmkit.words import joined_names

if TYPE_CHECKING:
    # only for the checker: Textual types self.app as any App; the app imports this screen
    from calmkit.tui.app import CalmkitApp

KIND_NAMES = {
    "breathing": "Breathing",
    "muscle-relaxation": "Muscle relaxation",
    "imagery": "Imagery",
    "body-scan": "Body scan",
    "grounding": "Grounding",
    "coping": "Coping",
    "mindfulness": "Mindfulness",
    "sleep": "Sleep",
}
BROKEN_PREFIX = "broken:"
PLAN_POINTER = "N: the plan, for grown-ups"
# "(12 min)" in today's list, kept on one line by a space textwrap does not break at.
MINUTES = re.compile(r"\(\d+ min\)")
NO_BREAK = "\u00a0"


class StartPractice(Message):
    """Asks the app to start a practice: a script id or a plan id (with its session)."""

    def __init__(self, target: str, session_index: int = 0) -> None:
        self.target = target
        self.session_index = session_index
        super().__init__()


class ScriptRow:
    """A library row: the title, then its minutes, on one line at any width.

    When the row is too narrow, the title gives way (ending in an ellipsis), never
    the minutes: "Floating Cloud  7 m…" told a child nothing about the time.
    """

    def __init__(self, title: str, minutes: str) -> None:
        self.title = title
        self.minutes = minutes

    def __str__(self) -> str:
        return f"  {self.title}  {self.minutes}"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        tail = Text(f"  {self.minutes}", style="dim")
        head = Text(f"  {self.title}", no_wrap=True)
        head.truncate(max(3, options.max_width - tail.cell_len), overflow="ellipsis")
        yield Text.assemble(head, tail, no_wrap=True)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(3 + len(self.minutes) + 2, cell_len(str(self)))


class HomeScreen(Screen[None]):
    # q Quit early: a footer too narrow for every key drops the last ones, never Quit.
    BINDINGS = [
        ("l", "focus_library", "Library"),
        ("n", "open_plan", "Plan"),
        ("q", "app.quit", "Quit"),
        ("s", "app.open_settings", "Settings"),
        ("p", "app.switch_profile", "Profile"),
        ("t", "app.practise_together", "Together"),
        ("h", "app.open_history", "History"),
        ("f", "toggle_all_ages", "All ages"),
    ]

    def __init__(
        self,
        greeting: str,
        today: Today,
        library: Library,
        ages: list[int],
        garden: Garden | None = None,
        all_ages: bool = False,
    ) -> None:
        super().__init__()
        self.greeting = greeting
        self.today = today
        self.library = library
        # Everyone practising's known ages (records/ages.py): the library offers what
        # suits them all, timed at the youngest one's tier.
        self.ages = ages
        # None when the plan turns rewards off.
        self.garden = garden
        # The app keeps this choice: home is built again after every practice.
        self.all_ages = all_ages

    def compose(self) -> ComposeResult:
        with Horizontal(id="home"):
            with Vertical(id="today-column"):
                yield LiteralStatic(self.greeting, id="greeting")
                yield LiteralStatic("Today's practice", classes="heading")
                yield LiteralStatic(self._today_text(), id="today")
                yield Button(literal(self._start_label()), id="start", variant="success")
                coming = self._next_week_text()
                if coming:
                    yield LiteralStatic(coming, id="next-week")
                if self.garden is not None:
                    yield LiteralStatic(self._garden_text(self.garden), id="garden")
                if self.today.plan is not None:
                    # The note is for grown-ups and is never cut: it has a screen of its own.
                    yield LiteralStatic(PLAN_POINTER, id="plan-pointer", markup=False)
            with Vertical(id="library-column"):
                yield LiteralStatic("Library", classes="heading")
                yield OptionList(*self._library_options(), id="library")
                yield LiteralStatic("", id="details", markup=False)
        yield WholeKeysFooter()

    def on_mount(self) -> None:
        self.query_one("#start", Button).focus()
        self.call_after_refresh(self._fit_today)
        self._show_details(self.query_one("#library", OptionList).highlighted)

    # --- today ----------------------------------------------------------------------------

    def _today_text(self) -> str:
        if not self.today.items:
            if self.today.plan_day and self.today.plan_day.status == "finished":
                return (
                    "Your plan is complete. Well done! You can keep practising anything you like."
                )
            if self.today.plan_day and self.today.plan_day.status == "not-started":
                return f"Your plan starts on {self.today.plan_day.starts:%A %d %B}. Anything from the library is welcome today."
            return "Nothing planned today. Pick anything you like from the library."
        lines = [
            f"{'✓' if item.done else '•'} {item.title}  ({item.minutes} min)"
            + ("  done" if item.done else "")
            for item in self.today.items
        ]
        if self.today.all_done:
            lines.append("\nAll of today's practice is done. Lovely work!")
        return "\n".join(lines)

    def _fit_today(self) -> None:
        """Wrap today's list to its width here, so "(2 min)" never splits across lines
        (the terminal would break it at the space) and a long title hangs under itself."""
        widget = self.query_one("#today", Static)
        width = widget.content_size.width
        if not self.today.items or width <= 0:
            return
        lines = []
        for line in self._today_text().split("\n"):
            if len(line) <= width:
                lines.append(line)
                continue
            glued = MINUTES.sub(lambda match: match.group(0).replace(" ", NO_BREAK), line)
            indent = "  " if line[:2] in ("• ", "✓ ") else ""
            wrapped = textwrap.wrap(glued, width, subsequent_indent=indent)
            lines += [part.replace(NO_BREAK, " ") for part in wrapped]
        widget.update("\n".join(lines))

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_today)

    def _next_week_text(self) -> str:
        today, coming = self.today.plan_day, self.today.next_week
        if today is None or coming is None or today.status != "active":
            return ""
        if coming.status == "finished":
            return "This is the last week of your plan."
        if not coming.sessions or coming.sessions == today.sessions:
            return ""
        # The scripts, not the session names: "After school" is after school every week.
        titles = [
            self.library.scripts[script_id].title
            for session in coming.sessions
            for script_id in session.scripts
            if script_id in self.library.scripts
        ]
        return "Coming next week: " + ", ".join(dict.fromkeys(titles))

    @staticmethod
    def _garden_text(garden: Garden) -> Text:
        text = Text()
        for row in garden.rows():
            for colour in row:
                text.append("✿ ", style=colour)
            text.append("\n")
        text.append(garden.words, style="italic")
        return text

    def _start_label(self) -> str:
        first = self.today.first
        if first is None:
            return "Start"
        again = " again" if self.today.all_done else ""
        return f"Start{again}: {first.title}"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.start_today()

    def start_today(self) -> None:
        first = self.today.first
        if first is None:
            self.action_focus_library()
            self.notify("Pick something from the library, then press Enter.")
            return
        self.post_message(StartPractice(first.target, first.session_index))

    # --- library --------------------------------------------------------------------------

    def _minutes(self, script: Script) -> int:
        return self.library.minutes([script], practice_tier(group_age(self.ages), [script]))

    def _library_options(self) -> list[Option | None]:
        scripts = [
            script
            for script in self.library.scripts.values()
            if self.all_ages or suits_everyone(script, self.ages)
        ]
        scripts.sort(key=lambda script: (list(KIND_NAMES).index(script.kind), script.title))
        options: list[Option | None] = []
        for kind, group in groupby(scripts, key=lambda script: script.kind):
            options.append(Option(Text(KIND_NAMES[kind], style="bold"), disabled=True))
            for script in group:
                # One row each, however narrow: a long title ends in an ellipsis.
                label = ScriptRow(shown(script.title), f"{self._minutes(script)} min")
                options.append(Option(label, id=script.id))
        broken = self.library.broken
        if broken:
            options.append(Option(Text("Broken files", style="bold"), disabled=True))
            for index, result in enumerate(broken):
                name = result.path.rsplit("/", 1)[-1]
                options.append(
                    Option(
                        literal(f"  {name} (broken)", "dim", lines=False),
                        id=f"{BROKEN_PREFIX}{index}",
                    )
                )
        return options

    def _show_details(self, index: int | None) -> None:
        details = self.query_one("#details", Static)
        option_list = self.query_one("#library", OptionList)
        if index is None:
            details.update("")
            return
        option = option_list.get_option_at_index(index)
        if option.id is None:
            details.update("")
        elif option.id.startswith(BROKEN_PREFIX):
            result = self.library.broken[int(option.id.removeprefix(BROKEN_PREFIX))]
            # Literal: the message quotes the file's own words, which may look like markup.
            details.update(
                Text(f"This file has a problem and cannot be played:\n{result.errors[0]}")
            )
        else:
            script = self.library.scripts[option.id]
            details.update(
                f"{script.title} · {KIND_NAMES[script.kind].lower()} · ages {script.ages_label}"
                f" · {self._minutes(script)} min\n{script.summary}"
            )

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_details(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        if option_id and not option_id.startswith(BROKEN_PREFIX):
            self.post_message(StartPractice(option_id))

    def action_focus_library(self) -> None:
        self.query_one("#library", OptionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_plan":
            return self.today.plan is not None  # no plan, no Plan key in the footer
        return True

    def action_open_plan(self) -> None:
        cast("CalmkitApp", self.app).action_open_plan()

    def action_toggle_all_ages(self) -> None:
        self.all_ages = not self.all_ages
        cast("CalmkitApp", self.app).library_all_ages = self.all_ages
        option_list = self.query_one("#library", OptionList)
        index = option_list.highlighted
        chosen = option_list.get_option_at_index(index).id if index is not None else None
        option_list.clear_options()
        option_list.add_options(self._library_options())
        # The same script stays chosen (or the first there is): Enter still starts one.
        ids = [option_list.get_option_at_index(i).id for i in range(option_list.option_count)]
        scripts = [i for i, option_id in enumerate(ids) if option_id is not None]
        if scripts:
            option_list.highlighted = ids.index(chosen) if chosen in ids else scripts[0]
        self.notify("Showing every age" if self.all_ages else self._ages_words())

    def _ages_words(self) -> str:
        if not self.ages:
            return "Showing every age"
        if len(self.ages) == 1:
            return f"Showing scripts for age {self.ages[0]}"
        listed = joined_names([str(age) for age in sorted(self.ages)])
        return f"Showing scripts for everyone: ages {listed}"
