"""The terminal app. ``make_app`` builds it for the command line and for the tests alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from calmkit.content.library import Library, load_library
from calmkit.content.model import tier_for_age
from calmkit.session.clock import Clock
from calmkit.session.journal import JournalUnavailable
from calmkit.session.player import Player
from calmkit.session.practice import PracticeLog, open_log, people_for
from calmkit.session.settings import Settings, load_settings, save_settings
from calmkit.session.targets import TargetError
from calmkit.session.today import DEFAULT_AGE, plan_for, today_for
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.dialogs.profile import ProfileChoice, ProfileDialog
from calmkit.tui.screens.end import EndScreen
from calmkit.tui.screens.home import HomeScreen, StartPractice
from calmkit.tui.screens.session import SessionOutcome, SessionScreen
from calmkit.tui.screens.settings import SettingsScreen

CALM_THEME = Theme(
    name="calm",
    primary="#7fb7be",
    secondary="#b8a9c9",
    accent="#9fd8cb",
    warning="#e6c07b",
    error="#d99a8b",
    success="#8fbf8f",
    background="#1e2430",
    surface="#262d3b",
    panel="#2e3646",
    foreground="#e8ecf1",
    dark=True,
)
HIGH_CONTRAST_THEME = Theme(
    name="high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    warning="#ffff00",
    error="#ff8080",
    success="#00ff00",
    background="#000000",
    surface="#000000",
    panel="#000000",
    foreground="#ffffff",
    dark=True,
)


@dataclass
class AppOptions:
    """Everything the app takes from outside, so tests can set each piece."""

    profile: str | None = None
    age: int | None = None
    start_target: str | None = None
    want_sound: bool = True
    want_ambient: bool = True
    clock: Clock | None = None
    day: dt.date | None = None
    library: Library | None = None
    settings: Settings | None = None
    together_with: list[str] = field(default_factory=list)


class CalmkitApp(App[None]):
    CSS_PATH = "calmkit.tcss"
    TITLE = "calmkit"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False)]

    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        self.options = options
        self.settings = options.settings or load_settings()
        self.library = options.library or load_library()
        self.journal, self.journal_notice = open_log()
        self.active_log: PracticeLog | None = None
        self.profile = options.profile or self.settings.profile
        self.age = options.age or self._age_of(self.profile) or DEFAULT_AGE
        if self.profile:
            self._remember_profile(self.profile, options.age)

    # --- profiles -----------------------------------------------------------------------------

    def _age_of(self, profile: str | None) -> int | None:
        """A profile's age from the journal, else from its plan."""
        if profile and self.journal is not None:
            try:
                for record in self.journal.profiles():
                    if record.name.casefold() == profile.casefold() and record.age:
                        return record.age
            except JournalUnavailable:
                pass
        plan = plan_for(profile, self.library)
        return plan.age if plan else None

    def _remember_profile(self, name: str, age: int | None) -> None:
        if self.journal is None:
            return
        try:
            self.journal.ensure_profile(name, age)
        except JournalUnavailable as error:
            self.journal_notice = str(error)

    def action_switch_profile(self) -> None:
        profiles: list[ProfileChoice] = []
        if self.journal is not None:
            try:
                profiles = [ProfileChoice(p.name, p.age) for p in self.journal.profiles()]
            except JournalUnavailable as error:
                self.notify(str(error), severity="warning")
        self.push_screen(ProfileDialog(profiles, self.profile), self._switch_to)

    def _switch_to(self, choice: ProfileChoice | None) -> None:
        if choice is None:
            return
        self.profile = choice.name
        self._remember_profile(choice.name, choice.age)
        self.age = choice.age or self._age_of(choice.name) or DEFAULT_AGE
        self.settings.profile = choice.name
        self.save_settings()
        if isinstance(self.screen, HomeScreen):
            self.switch_screen(self.make_home())

    def on_unmount(self) -> None:
        # Quitting mid-session: the player was stopped; let its last journal
        # write ('stopped') finish before the process ends.
        if self.active_log is not None:
            self.active_log.finish()
        if self.journal is not None:
            self.journal.close()

    # --- start-up ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.register_theme(CALM_THEME)
        self.register_theme(HIGH_CONTRAST_THEME)
        self.apply_theme()
        if self.journal_notice:
            self.notify(self.journal_notice, severity="warning", timeout=10)
        self.push_screen(self.make_home())
        if self.options.start_target:
            # `calmkit play TARGET`: straight to the session screen.
            self.practise(self.options.start_target, ask_before=False)

    def make_home(self) -> HomeScreen:
        today = today_for(self.profile, self.age, self.library, self.options.day)
        greeting = f"Hi, {self.profile}!" if self.profile else "Hello! Nice to see you."
        return HomeScreen(greeting, today, self.library, self.age)

    # --- settings and theme ---------------------------------------------------------------

    def apply_theme(self) -> None:
        self.theme = "high-contrast" if self.settings.theme == "high-contrast" else "calm"

    def save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as error:
            self.notify(f"Settings could not be saved ({error.strerror}).", severity="warning")

    def action_open_settings(self) -> None:
        self.push_screen(SettingsScreen(self.settings))

    # --- practising --------------------------------------------------------------------------

    def on_start_practice(self, message: StartPractice) -> None:
        self.practise(message.target, session_index=message.session_index)

    @work(exclusive=True, group="practice")
    async def practise(self, target: str, session_index: int = 0, ask_before: bool = True) -> None:
        from calmkit.session.setup import prepare_session

        young = tier_for_age(self.age) == "young"
        people = people_for(self.profile, self.options.together_with)
        together = len(people) > 1
        log = PracticeLog(self.journal, people)
        self.active_log = log
        before: dict[str, int | None] = {}
        if ask_before:
            for person in people:
                who = person if together else None
                before[person] = await self.push_screen_wait(
                    CheckinDialog("stress", "before", young, who)
                )
        try:
            prepared = prepare_session(
                target,
                self.library,
                age=self.age,
                together=together,
                want_sound=self.options.want_sound,
                want_ambient=self.options.want_ambient and self.settings.ambient != "none",
                ambient_override=self.settings.ambient,
                day=self.options.day,
                session_index=session_index,
            )
        except TargetError as error:
            self.notify(error.message, severity="error", timeout=8)
            return
        timeline = prepared.timeline

        def begin(player: Player) -> None:
            log.begin(player, timeline.id, timeline.title, timeline.tier)
            for person, value in before.items():
                log.checkin(person, "before", "stress", value)

        outcome: SessionOutcome = await self.push_screen_wait(
            SessionScreen(prepared, self.settings, clock=self.options.clock, on_start=begin)
        )
        # The last journal writes happen on the recorder's thread: wait for them.
        await asyncio.to_thread(log.finish)
        for person in people:
            who = person if together else None
            value = await self.push_screen_wait(CheckinDialog("stress", "after", young, who))
            log.checkin(person, "after", "stress", value)
        for notice in log.notices:
            self.notify(notice, severity="warning", timeout=10)
        await self.push_screen_wait(EndScreen(outcome, people if together else []))

    # --- the command palette -------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, HomeScreen):
            yield SystemCommand(
                "Start today's practice", "Begin the first practice for today", screen.start_today
            )
            yield SystemCommand("Library", "Browse every script", screen.action_focus_library)
        yield SystemCommand(
            "Settings", "Volumes, sounds, colours and motion", self.action_open_settings
        )
        yield SystemCommand(
            "Switch profile", "Choose who is practising", self.action_switch_profile
        )
        yield SystemCommand(
            "High contrast", "Switch between calm and high-contrast colours", self.toggle_contrast
        )

    def toggle_contrast(self) -> None:
        self.settings.theme = "calm" if self.settings.theme == "high-contrast" else "high-contrast"
        self.apply_theme()
        self.save_settings()


def make_app(options: AppOptions | None = None) -> CalmkitApp:
    """The app factory, used by `calmkit`, `calmkit play` and the tests."""
    return CalmkitApp(options or AppOptions())


def run_app(options: AppOptions) -> int:
    # Textual honours NO_COLOR itself; nothing to do here but run.
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    make_app(options).run()
    return 0
