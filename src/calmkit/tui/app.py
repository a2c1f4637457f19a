"""The terminal app. ``make_app`` builds it for the command line and for the tests alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from calmkit import locations
from calmkit.content.library import Library, load_library
from calmkit.content.safetext import same_name, shown
from calmkit.session.ages import group_age, is_young
from calmkit.session.answers import Answer
from calmkit.session.checkins import answered_today, items_for
from calmkit.session.clock import Clock
from calmkit.session.journal import JournalUnavailable, SessionRecord
from calmkit.session.practice import (
    PracticeLog,
    age_of,
    open_log,
    people_for,
    pinned_plan,
    plans_of,
    profile_from_plan,
)
from calmkit.session.rewards import garden_since, grow_garden, practised_days
from calmkit.session.settings import Settings, load_settings, save_settings
from calmkit.session.targets import TargetError
from calmkit.session.today import plan_for, today_for
from calmkit.tui.screens.home import HomeScreen, StartPractice, joined_names
from calmkit.tui.widgets.caption import BIG_MIN_HEIGHT, BIG_MIN_WIDTH
from calmkit.tui.widgets.too_small import (
    MIN_HEIGHT,
    MIN_WIDTH,
    TOO_NARROW_CLASS,
    TOO_SHORT_CLASS,
    guard,
)

if TYPE_CHECKING:
    from calmkit.session.player import Player
    from calmkit.tui.dialogs.profile import ProfileChoice
    from calmkit.tui.screens.session import SessionOutcome, SessionScreen

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


class BackHome(Exception):
    """Asked before a practice, the child chose to go back home instead."""


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
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", show=False),
        Binding("escape", "close_keys", "Close the keys", show=False, priority=True),
    ]
    # Classes on every screen by its size (calmkit.tcss lays out by them): below 60x20
    # the screen is covered by one sentence; from 60x20 every row is counted.
    HORIZONTAL_BREAKPOINTS = [
        (0, TOO_NARROW_CLASS),
        (MIN_WIDTH, "-w60"),
        (80, "-w80"),
        (BIG_MIN_WIDTH, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [
        (0, TOO_SHORT_CLASS),
        (MIN_HEIGHT, "-h20"),
        (24, "-h24"),
        (BIG_MIN_HEIGHT, "-tall"),
    ]

    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        self.options = options
        self.settings = options.settings or load_settings()
        self.library = options.library or load_library(cached=True)
        # Read-only when the folder cannot be written: the garden and history still show.
        self.journal, self.journal_notice = open_log(reading=True)
        self.active_log: PracticeLog | None = None
        self.profile = options.profile or self.settings.profile or profile_from_plan(self.library)
        # `--age` is the age of whoever calmkit was started for.
        self._age_given_for = self.profile
        if self.profile:
            # Only an age someone gave is stored: a plan's age stays the plan's.
            self._remember_profile(self.profile, options.age)
        self.together_with = list(options.together_with)
        # The library's "all ages" choice, kept while the app runs (home is rebuilt often).
        self.library_all_ages = False
        self.active_plan = pinned_plan(plan_for(self.profile, self.library), self.journal)
        # Themes are chosen before the first frame: choosing one later parses every
        # stylesheet a second time, about a sixth of the time to the home screen.
        self.register_theme(CALM_THEME)
        self.register_theme(HIGH_CONTRAST_THEME)
        self.apply_theme()

    def notify(  # type: ignore[override]
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notice literal: messages quote names, titles and file names."""
        super().notify(
            shown(message, lines=True),
            title=shown(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # --- profiles -----------------------------------------------------------------------------

    def _age_of(self, profile: str | None) -> int | None:
        """A person's practice age by the one rule (session/ages.py); --age is the
        main profile's for this run."""
        given = self.options.age if profile == self._age_given_for else None
        return age_of(self.journal, profile, self.library, given)

    @property
    def age(self) -> int | None:
        """The practice age of everyone now: the youngest of a group."""
        return group_age(self.ages())

    def ages(self) -> list[int | None]:
        """Everyone's practice age, the main profile first."""
        if not self.profile:
            return [self.options.age]
        return [self._age_of(person) for person in self.people()]

    def _remember_profile(self, name: str, age: int | None) -> None:
        if self.journal is None:
            return
        if self.journal.read_only:
            return  # the notice already says nothing new can be saved
        try:
            self.journal.ensure_profile(name, age)
        except JournalUnavailable as error:
            self.journal_notice = str(error)

    def _profile_choices(self) -> list[ProfileChoice]:
        # The dialogs load when first opened: nothing on the way to the home screen needs them.
        from calmkit.tui.dialogs.profile import ProfileChoice

        if self.journal is None:
            return []
        try:
            return [ProfileChoice(p.name, p.age) for p in self.journal.profiles()]
        except JournalUnavailable as error:
            self.notify(str(error), severity="warning")
            return []

    def action_switch_profile(self) -> None:
        from calmkit.tui.dialogs.profile import ProfileDialog

        self.push_screen(ProfileDialog(self._profile_choices(), self.profile), self._profile_chosen)

    def _profile_chosen(self, choice: ProfileChoice | None) -> None:
        if choice is None:
            return
        if choice.action == "delete":
            self._ask_to_forget(choice.name)
            return
        if choice.action == "rename" and choice.old_name:
            self._rename_profile(choice.old_name, choice.name, choice.age)
            return
        self._switch_to(choice.name, choice.age)

    def _switch_to(self, name: str, age: int | None) -> None:
        self.profile = name
        self._remember_profile(name, age)
        self.together_with = []
        self.settings.profile = name
        self.save_settings()
        self.refresh_home()

    def _rename_profile(self, old: str, new: str, age: int | None) -> None:
        if self.journal is None:
            return
        try:
            self.journal.rename_profile(old, new)
            self.journal.ensure_profile(new, age)
        except (JournalUnavailable, ValueError) as error:
            self.notify(str(error), severity="warning")
            return
        self.together_with = [new if same_name(n, old) else n for n in self.together_with]
        if same_name(self.profile, old):
            self._switch_to(new, age)
        self.notify(f"{old} is now called {new}.")

    @work(exclusive=True, group="profiles")
    async def _ask_to_forget(self, name: str) -> None:
        from calmkit.session.privacy import belongings, forget_profile
        from calmkit.tui.dialogs.confirm import ConfirmDialog

        things = belongings(name, self.library)
        sure = await self.push_screen_wait(
            ConfirmDialog(
                f"Delete {name}, with all of {name}'s practice and check-ins"
                f"{things.described()}? This cannot be undone.",
                yes="Delete",
                no="Keep",
            )
        )
        if not sure or self.journal is None:
            return
        try:
            # Their plans, what was made for them and cached copies go too (privacy.py).
            forget_profile(self.journal, name, things)
        except JournalUnavailable as error:
            self.notify(str(error), severity="warning")
            return
        except OSError as error:
            self.notify(f"Some of {name}'s files could not be deleted: {error}", severity="warning")
        self.library = load_library(cached=True)  # without their plan
        self.together_with = [n for n in self.together_with if not same_name(n, name)]
        if same_name(self.profile, name):
            self.profile = None
            self.settings.profile = None
            self.save_settings()
            self.refresh_home()
        self.notify(f"{name}'s profile and practice record are deleted.")

    def action_practise_together(self) -> None:
        names = [choice.name for choice in self._profile_choices()]
        if self.profile and self.profile not in names:
            names.insert(0, self.profile)
        chosen = [n for n in [self.profile, *self.together_with] if n]
        from calmkit.tui.dialogs.profile import TogetherDialog

        self.push_screen(TogetherDialog(names, chosen), self._together_chosen)

    def _together_chosen(self, names: list[str] | None) -> None:
        if names is None:
            return
        if self.profile in names:
            others = [n for n in names if n != self.profile]
        elif names:
            # The first person picked leads: their plan and age set the session.
            self.profile, others = names[0], names[1:]
        else:
            others = []
        self.together_with = others
        self.refresh_home()

    def refresh_home(self) -> None:
        self.active_plan = pinned_plan(plan_for(self.profile, self.library), self.journal)
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
        self.screen_change_signal.subscribe(self, guard)
        if self.journal_notice:
            self.notify(self.journal_notice, severity="warning", timeout=10)
        for text in locations.take_notices():  # a link moved aside, a settings file unread
            self.notify(text, severity="warning", timeout=10)
        self.push_screen(self.make_home())
        if self.options.start_target:
            # `calmkit play TARGET`: straight to the session screen.
            self.practise(self.options.start_target, ask_before=False)

    def _sessions_since(self, since: dt.date) -> list[SessionRecord]:
        if self.journal is None or not self.profile:
            return []
        try:
            return self.journal.sessions(profile=self.profile, since=since)
        except JournalUnavailable:
            return []

    def make_home(self) -> HomeScreen:
        day = self.today()
        plan = self.active_plan
        since = garden_since(plan, day)
        records = self._sessions_since(min(since, day))
        own, *others = self.ages()
        today = today_for(
            self.profile,
            own,
            self.library,
            day,
            [r for r in records if r.day == day],
            plan,
            together_ages=others,
        )
        rewards_on = plan.settings.rewards if plan else True
        garden = grow_garden(records, since, day) if rewards_on and self.profile else None
        people = self.people() if self.profile else []
        if len(people) > 1:
            greeting = f"Hi, {joined_names(people)}! Practising together today."
        elif self.profile:
            greeting = f"Hi, {self.profile}!"
        else:
            greeting = "Hello! Nice to see you."
        ages = [age for age in self.ages() if age is not None]
        return HomeScreen(
            greeting, today, self.library, ages, garden, all_ages=self.library_all_ages
        )

    def action_open_plan(self) -> None:
        from calmkit.tui.screens.plan import PlanScreen

        if self.active_plan is None:
            self.notify("There is no plan for whoever is practising.")
            return
        age = self.ages()[0] if self.profile else None
        self.push_screen(
            PlanScreen(self.active_plan, self.library, self.today(), age or self.active_plan.age)
        )

    def _todays_flower(self) -> bool:
        """Whether the garden (when the plan keeps one) has a flower for today."""
        plan = self.active_plan
        if not self.profile or (plan is not None and not plan.settings.rewards):
            return False
        day = self.today()
        return day in practised_days(self._sessions_since(day))

    def action_open_history(self) -> None:
        from calmkit.session.report import build_report
        from calmkit.tui.screens.history import CALENDAR_WEEKS, HistoryScreen

        if not self.profile or self.journal is None:
            self.notify("Choose who is practising first (P), then your history shows here.")
            return
        day = self.today()
        since = day - dt.timedelta(weeks=CALENDAR_WEEKS)
        try:
            report = build_report(self.journal, self.library, self.profile, since, day, day)
        except JournalUnavailable as error:
            self.notify(str(error), severity="warning")
            return
        self.push_screen(HistoryScreen(report.profiles[0], day))

    # --- settings and theme ---------------------------------------------------------------

    def apply_theme(self) -> None:
        self.theme = "high-contrast" if self.settings.theme == "high-contrast" else "calm"

    def save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as error:
            self.notify(f"Settings could not be saved ({error.strerror}).", severity="warning")

    def action_open_settings(self) -> None:
        from calmkit.tui.screens.settings import SettingsScreen

        session = self.session_screen()
        if session is None:
            self.push_screen(SettingsScreen(self.settings))
            return
        # Mid-session, settings pause the practice: nothing plays on behind them.
        was_playing = not session.player.paused
        session.player.pause()

        def back(_: None) -> None:
            session.settings_changed()
            if was_playing:
                session.player.resume()

        self.push_screen(SettingsScreen(self.settings), back)

    # --- practising --------------------------------------------------------------------------

    def on_start_practice(self, message: StartPractice) -> None:
        self.practise(message.target, session_index=message.session_index)

    def people(self) -> list[str]:
        return people_for(self.profile, self.together_with)

    def today(self) -> dt.date:
        return self.options.day or dt.date.today()

    def _is_young(self, person: str) -> bool:
        return is_young(self._age_of(person))

    async def _ask(self, person: str, moment: str, items: tuple[str, ...]) -> dict[str, Answer]:
        """One person's answers at one moment; skipped questions are left out."""
        from calmkit.tui.dialogs.activities import ActivitiesDialog
        from calmkit.tui.dialogs.checkin import CheckinDialog

        who = person if len(self.people()) > 1 else None
        answers: dict[str, Answer] = {}
        for item in items:
            answer: Answer | None
            if item == "activities":
                if answered_today(self.journal, person, item, self.today()):
                    continue
                chosen = await self.push_screen_wait(ActivitiesDialog(who))
                answer = None if chosen is None else Answer(chosen)
            else:
                dialog = CheckinDialog(item, moment, self._is_young(person), who)
                answer = await self.push_screen_wait(dialog)
                if dialog.went_home:
                    raise BackHome
            if answer is not None:
                answers[item] = answer
        return answers

    @work(exclusive=True, group="practice")
    async def practise(self, target: str, session_index: int = 0, ask_before: bool = True) -> None:
        # The session's modules (the player, sound, narration) load when first needed,
        # so the home screen comes up sooner.
        from calmkit.session.setup import prepare_session
        from calmkit.tui.screens.end import EndNews, EndScreen
        from calmkit.tui.screens.session import SessionScreen

        people = self.people()
        together = len(people) > 1
        try:
            prepared = prepare_session(
                target,
                self.library,
                age=self.age,
                together=together,
                want_sound=self.options.want_sound,
                want_ambient=self.options.want_ambient and self.settings.ambient != "none",
                ambient_override=self.settings.ambient,
                narrator=self.settings.narrator,
                day=self.options.day,
                session_index=session_index,
                active_plan=self.active_plan,
            )
        except TargetError as error:
            self.notify(error.message, severity="error", timeout=8)
            return
        request, timeline = prepared.request, prepared.timeline
        asked = request.settings.checkin
        log = PracticeLog(self.journal, people, plans=plans_of(people, self.library))
        self.active_log = log
        before: dict[str, dict[str, Answer]] = {}
        if ask_before:
            try:
                for person in people:
                    before[person] = await self._ask(person, "before", items_for(asked, "before"))
            except BackHome:
                # "Before we start" has a way back: nothing is played or recorded.
                prepared.backend.close()
                self.active_log = None
                return

        def begin(player: Player) -> None:
            log.begin(player, request, timeline)
            for person, answers in before.items():
                for item, value in answers.items():
                    log.checkin(person, "before", item, value)

        outcome: SessionOutcome = await self.push_screen_wait(
            SessionScreen(prepared, self.settings, clock=self.options.clock, on_start=begin)
        )
        # The last journal writes happen on the recorder's thread: wait for them.
        await asyncio.to_thread(log.finish)
        after: dict[str, dict[str, Answer]] = {}
        for moment in ("after", "daily"):
            for person in people:
                answers = await self._ask(person, moment, items_for(asked, moment))
                if moment == "after":
                    after[person] = answers
                for item, value in answers.items():
                    log.checkin(person, moment, item, value)
        for notice in log.notices:
            self.notify(notice, severity="warning", timeout=10)
        news = EndNews(
            tier="together" if together else timeline.tier,
            flower=self._todays_flower(),
            before=before,
            after=after,
        )
        await self.push_screen_wait(EndScreen(outcome, people if together else [], news))
        self.active_log = None
        self.refresh_home()

    # --- the command palette -------------------------------------------------------------

    def practising(self) -> bool:
        """From the first question before a practice to its end screen."""
        return self.active_log is not None

    def session_screen(self) -> SessionScreen | None:
        from calmkit.tui.screens.session import SessionScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, SessionScreen):
                return screen
        return None

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Only calmkit's own commands, in plain words: Textual's (themes, screenshots,
        # an unasked Quit) are not for a child. Mid-practice, only what is safe there.
        if self.practising():
            session = self.session_screen()
            if session is not None and screen is session:
                if session.player.paused:
                    yield SystemCommand("Go on", "Carry on from here", session.action_resume)
                else:
                    yield SystemCommand("Pause", "Pause for a while", session.action_pause)
                yield SystemCommand(
                    "Stop here", "Stop this practice (asks first)", session.action_stop
                )
            yield SystemCommand(
                "Settings",
                "Volume, sounds, colours and motion (pauses first)",
                self.action_open_settings,
            )
        else:
            if isinstance(screen, HomeScreen):
                yield SystemCommand(
                    "Start today's practice",
                    "Begin the first practice for today",
                    screen.start_today,
                )
                yield SystemCommand("Library", "Browse every practice", screen.action_focus_library)
            if self.active_plan is not None:
                yield SystemCommand(
                    "The plan, for grown-ups",
                    "The psychologist's note, this week's sessions and what the plan sets",
                    self.action_open_plan,
                )
            yield SystemCommand(
                "Settings", "Volume, sounds, colours and motion", self.action_open_settings
            )
            yield SystemCommand(
                "Who is practising", "Choose, add or change a person", self.action_switch_profile
            )
            yield SystemCommand(
                "Practise together",
                "Pick everyone practising together",
                self.action_practise_together,
            )
            yield SystemCommand("History", "The practice so far", self.action_open_history)
        yield SystemCommand(
            "High contrast", "Switch between calm and high-contrast colours", self.toggle_contrast
        )
        yield SystemCommand(
            "Show the keys", "Every key and what it does", self.action_show_help_panel
        )
        if not self.practising():
            yield SystemCommand("Quit calmkit", "Close calmkit", self.action_quit)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_keys":
            # Esc closes the Keys panel when it is open; otherwise Esc does what it always does.
            return bool(self.screen.query("HelpPanel"))
        return True

    def action_close_keys(self) -> None:
        self.action_hide_help_panel()

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
