"""The terminal app. ``make_app`` builds it for the command line and for the tests alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from calmkit import locations
from calmkit.content.library import Library, load_library
from calmkit.content.model import MAX_AGE
from calmkit.content.safetext import same_name, shown
from calmkit.playback.clock import Clock
from calmkit.playback.practice import (
    Answered,
    PracticeLog,
    age_of,
    open_log,
    people_for,
    pinned_plan,
    plans_of,
    questions,
)
from calmkit.playback.targets import TargetError
from calmkit.records.ages import group_age
from calmkit.records.answers import Answer
from calmkit.records.checkins import Question
from calmkit.records.journal import (
    JournalUnavailable,
    ProfileInUse,
    ProfileKind,
    SessionRecord,
)
from calmkit.records.people import (
    GUEST_NAME,
    Person,
    adopt_imported_plans,
    find_person,
    kind_for,
    plan_of,
    sole_person,
)
from calmkit.records.practice_days import garden_since, grow_garden, practised_days
from calmkit.records.settings import Settings, load_settings, save_settings
from calmkit.records.today import today_for
from calmkit.tui.screens.home import HomeScreen, StartPractice
from calmkit.tui.widgets.caption import BIG_MIN_HEIGHT, BIG_MIN_WIDTH
from calmkit.tui.widgets.too_small import (
    MIN_HEIGHT,
    MIN_WIDTH,
    TOO_NARROW_CLASS,
    TOO_SHORT_CLASS,
    guard,
)
from calmkit.words import joined_names

if TYPE_CHECKING:
    from calmkit.content.model import Plan
    from calmkit.playback.player import Player
    from calmkit.tui.dialogs.profile import ProfileChoice
    from calmkit.tui.screens.session import SessionOutcome, SessionScreen

# Each colour role of the two themes side by side, calm then high contrast, so a
# role's two colours are read (and checked for contrast) together.
_THEME_COLOURS: dict[str, tuple[str, str]] = {
    "primary": ("#7fb7be", "#ffff00"),
    "secondary": ("#b8a9c9", "#00ffff"),
    "accent": ("#9fd8cb", "#ffff00"),
    "warning": ("#e6c07b", "#ffff00"),
    "error": ("#d99a8b", "#ff8080"),
    "success": ("#8fbf8f", "#00ff00"),
    "background": ("#1e2430", "#000000"),
    "surface": ("#262d3b", "#000000"),
    "panel": ("#2e3646", "#000000"),
    "foreground": ("#e8ecf1", "#ffffff"),
}
_CALM, _HIGH_CONTRAST = 0, 1


def _theme(name: str, column: int) -> Theme:
    # Any: Theme's keywords are typed one by one; a role it does not know fails at once.
    colours: dict[str, Any] = {role: pair[column] for role, pair in _THEME_COLOURS.items()}
    return Theme(name=name, dark=True, **colours)


CALM_THEME = _theme("calm", _CALM)
HIGH_CONTRAST_THEME = _theme("high-contrast", _HIGH_CONTRAST)


class BackHome(Exception):
    """Asked before a practice, the child chose to go back home instead."""


def answers_by_person(people: list[str], answered: list[Answered]) -> dict[str, dict[str, Answer]]:
    """Each person's answers item by item, for the end screen: everyone in the order
    they practise (so it names them in that order), answered or not."""
    answers: dict[str, dict[str, Answer]] = {person: {} for person in people}
    for asked, answer in answered:
        if answer is not None:
            answers[asked.person][asked.item] = answer
    return answers


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
        # Plans imported by an older calmkit stay with the person they were written for.
        adopt_imported_plans(self.journal, self.library)
        self.active_log: PracticeLog | None = None
        self.profile: str | None = None
        self.person: Person | None = None
        self.active_plan: Plan | None = None
        self.together_with: list[str] = []
        if options.profile:
            # Named on the command line: a new name becomes a profile here.
            grown_up = options.age is not None and options.age > MAX_AGE
            kind = kind_for(options.age, grown_up) if options.age else None
            self._remember_profile(options.profile, options.age, kind)
        # Nobody named: whoever practised last (if still there), else the only person.
        name = options.profile or self._known(self.settings.profile) or sole_person(self.journal)
        for other in options.together_with:
            self._remember_profile(other, None)
        # `--age` is the age of whoever calmkit was started for.
        # The library's "all ages" choice, kept while the app runs (home is rebuilt often).
        self.library_all_ages = False
        self._age_given_for = name
        if name:
            self._set_person(name, [n for n in options.together_with if not same_name(n, name)])
        # Themes are chosen before the first frame: choosing one later parses every
        # stylesheet a second time, about a sixth of the time to the home screen.
        self.register_theme(CALM_THEME)
        self.register_theme(HIGH_CONTRAST_THEME)
        self.apply_theme()

    def notify(
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

    # --- who is practising -----------------------------------------------------------------

    def _age_of(self, profile: str | None) -> int | None:
        """A person's practice age by the one rule (records/ages.py); --age is the
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

    def _known(self, name: str | None) -> str | None:
        """``name`` if that profile is still there (not deleted since, say)."""
        person = find_person(self.journal, name)
        return person.name if person is not None and not person.guest else None

    def _remember_profile(
        self, name: str, age: int | None, kind: ProfileKind | None = None
    ) -> None:
        if self.journal is None:
            return
        if self.journal.read_only:
            return  # the notice already says nothing new can be saved
        try:
            self.journal.ensure_profile(name, age, kind)
        except JournalUnavailable as error:
            self.journal_notice = str(error)

    def _person(self, name: str) -> Person:
        return find_person(self.journal, name) or Person(name, None)

    def _set_person(self, name: str | None, together_with: list[str] | None = None) -> None:
        """Who practises from now on, with what follows from it: their plan (the one
        given to them) and the together list; ``age`` follows by the one rule."""
        if together_with is not None:
            self.together_with = together_with
        if name is None:
            self.profile = self.person = self.active_plan = None
            self.together_with = []
            return
        self.person = self._person(name)
        self.profile = self.person.name
        self.active_plan = pinned_plan(plan_of(self.person, self.library), self.journal)

    def _profile_choices(self) -> list[ProfileChoice]:
        # The dialogs load when first opened: nothing on the way to the home screen needs them.
        from calmkit.tui.dialogs.profile import ProfileChoice

        if self.journal is None:
            return []
        try:
            return [
                ProfileChoice(p.name, p.age, grown_up=p.grown_up, plan=p.plan)
                for p in self.journal.profiles()
                if not p.guest
            ]
        except JournalUnavailable as error:
            self.notify(str(error), severity="warning")
            return []

    def action_switch_profile(self) -> None:
        self._choose_who()

    @work(exclusive=True, group="profiles")
    async def _choose_who(self, first: bool = False) -> None:
        """The profile dialog, and whatever was chosen in it. On a first start it comes
        back until someone is practising (a person, or a guest)."""
        from calmkit.tui.dialogs.profile import ProfileDialog

        while True:
            choice = await self.push_screen_wait(
                ProfileDialog(self._profile_choices(), self.profile, first=first)
            )
            if choice is not None:
                await self._apply(choice)
            if not first or self.profile is not None:
                break
        if first and self.options.start_target:
            # `calmkit play TARGET` with nobody named: now that we know who, play.
            self.practise(self.options.start_target, ask_before=False)

    async def _apply(self, choice: ProfileChoice) -> None:
        if choice.action == "delete":
            await self._ask_to_forget(choice.name)
        elif choice.action == "plan":
            await self._choose_plan(choice.name)
        elif choice.action == "rename" and choice.old_name:
            self._rename_profile(choice.old_name, choice.name, choice.age, choice.grown_up)
        elif choice.action == "guest":
            self._start_guest()
        else:
            kind = kind_for(choice.age, choice.grown_up) if choice.action == "add" else None
            self._switch_to(choice.name, choice.age, kind)

    def _start_guest(self) -> None:
        """Just trying it: practice is kept under 'Guest', marked as a guest's, and not
        remembered as who practises next time."""
        self._remember_profile(GUEST_NAME, None, "guest")
        self._set_person(GUEST_NAME, [])
        self.refresh_home()

    def _switch_to(self, name: str, age: int | None, kind: ProfileKind | None = None) -> None:
        self._remember_profile(name, age, kind)
        self._set_person(name, [])
        self.settings.profile = self.profile
        self.save_settings()
        self.refresh_home()

    def _rename_profile(self, old: str, new: str, age: int | None, grown_up: bool) -> None:
        if self.journal is None:
            return
        try:
            self.journal.rename_profile(old, new)
            self.journal.ensure_profile(new, age, kind_for(age, grown_up))
        except (JournalUnavailable, ValueError) as error:
            self.notify(str(error), severity="warning")
            return
        self.together_with = [new if same_name(n, old) else n for n in self.together_with]
        if self.profile and same_name(self.profile, old):
            self._switch_to(new, age)
        else:
            self.refresh_home()
        self.notify(f"{old} is now called {new}." if not same_name(old, new) else "Saved.")

    def _practising_here(self, name: str) -> bool:
        log = self.active_log
        return log is not None and any(same_name(name, person) for person in log.people)

    async def _ask_to_forget(self, name: str) -> None:
        from calmkit.records.privacy import belongings, forget_profile
        from calmkit.tui.dialogs.confirm import ConfirmDialog

        if self._practising_here(name):
            # The palette reaches this dialog mid-session: never pull the floor away.
            self.notify(
                f"{name} is practising right now. Stop the practice first, then delete {name}.",
                severity="warning",
                timeout=8,
            )
            return
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
        except (JournalUnavailable, ProfileInUse) as error:
            self.notify(str(error), severity="warning", timeout=8)
            return
        except OSError as error:
            self.notify(f"Some of {name}'s files could not be deleted: {error}", severity="warning")
        self.library = load_library(cached=True)  # without their plan
        self.together_with = [n for n in self.together_with if not same_name(n, name)]
        if self.profile and same_name(self.profile, name):
            self._set_person(None)
            self.settings.profile = None
            self.save_settings()
        else:
            self._set_person(self.profile)
        self.refresh_home()
        self.notify(f"{name}'s profile and practice record are deleted.")

    async def _choose_plan(self, name: str) -> None:
        """A grown-up gives someone a plan (or takes it away): the only way, besides
        `calmkit import --profile`, that a plan becomes a person's."""
        from calmkit.tui.dialogs.confirm import ConfirmDialog
        from calmkit.tui.dialogs.profile import NO_PLAN, PlanDialog

        person = find_person(self.journal, name)
        if person is None or self.journal is None:
            return
        chosen = await self.push_screen_wait(PlanDialog(person, self.library))
        if chosen is None or (chosen or None) == person.plan_id:
            return
        if person.plan_id is not None:
            instead = f"'{chosen}'" if chosen != NO_PLAN else "no plan"
            sure = await self.push_screen_wait(
                ConfirmDialog(
                    f"{person.name} follows the plan '{person.plan_id}' now. Give"
                    f" {person.name} {instead} instead? What {person.name} practised stays"
                    " in the record.",
                    yes="Change",
                    no="Keep",
                )
            )
            if not sure:
                return
        try:
            self.journal.set_plan(person.name, chosen or None)
        except JournalUnavailable as error:
            self.notify(str(error), severity="warning")
            return
        self._set_person(self.profile)
        self.refresh_home()
        self.notify(
            f"{person.name} follows the plan '{chosen}' now."
            if chosen
            else f"{person.name} has no plan now."
        )

    def action_practise_together(self) -> None:
        names = [choice.name for choice in self._profile_choices()]
        if self.profile and self.person and not self.person.guest and self.profile not in names:
            names.insert(0, self.profile)
        chosen = [n for n in [self.profile, *self.together_with] if n]
        from calmkit.tui.dialogs.profile import TogetherDialog

        self.push_screen(TogetherDialog(names, chosen), self._together_chosen)

    def _together_chosen(self, names: list[str] | None) -> None:
        if names is None:
            return
        if self.profile in names:
            self._set_person(self.profile, [n for n in names if n != self.profile])
        elif names:
            # The first person picked leads: their plan sets the session.
            self._set_person(names[0], names[1:])
        else:
            self._set_person(self.profile, [])
        self.refresh_home()

    def refresh_home(self) -> None:
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
        if self.profile is None:
            # Nobody known to be practising: ask first (a new calmkit asks for a name).
            self._choose_who(first=True)
        elif self.options.start_target:
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
        guest = self.person is not None and self.person.guest
        garden = (
            grow_garden(records, since, day) if rewards_on and self.profile and not guest else None
        )
        people = self.people() if self.profile else []
        if len(people) > 1:
            greeting = f"Hi, {joined_names(people)}! Practising together today."
        elif guest:
            greeting = "Hello! This is a guest session: P to practise as yourself."
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
        plan = self.active_plan
        age = self.ages()[0] if self.profile else None
        person = self._person(self.profile) if self.profile else None
        self.push_screen(PlanScreen(plan, self.library, self.today(), age or plan.age, person))

    def _todays_flower(self) -> bool:
        """Whether the garden (when the plan keeps one) has a flower for today."""
        plan = self.active_plan
        if not self.profile or (plan is not None and not plan.settings.rewards):
            return False
        day = self.today()
        return day in practised_days(self._sessions_since(day))

    def action_open_history(self) -> None:
        from calmkit.report.figures import build_report
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

    async def _ask(self, questions_now: list[Question]) -> list[Answered]:
        """Each question in its dialog; skipped ones are left out. H (before a
        practice) raises BackHome."""
        from calmkit.tui.dialogs.activities import ActivitiesDialog
        from calmkit.tui.dialogs.checkin import CheckinDialog

        answered: list[Answered] = []
        for asked in questions_now:
            answer: Answer | None
            if asked.item == "activities":
                chosen = await self.push_screen_wait(
                    ActivitiesDialog(asked.who, grown_up=asked.grown_up)
                )
                answer = None if chosen is None else Answer(chosen)
            else:
                dialog = CheckinDialog(asked)
                answer = await self.push_screen_wait(dialog)
                if dialog.went_home:
                    raise BackHome
            if answer is not None:
                answered.append((asked, answer))
        return answered

    @work(exclusive=True, group="practice")
    async def practise(self, target: str, session_index: int = 0, ask_before: bool = True) -> None:
        # The session's modules (the player, sound, narration) load when first needed,
        # so the home screen comes up sooner.
        from calmkit.playback.prepare import prepare_session
        from calmkit.tui.screens.end import EndNews, EndScreen
        from calmkit.tui.screens.session import SessionScreen

        if self.profile is None:
            self._choose_who(first=True)  # nobody chosen yet: ask, then Start again
            return
        people = self.people()
        together = len(people) > 1
        gone = [name for name in people if self.journal is not None and self._gone(name)]
        if gone:
            # Deleted in another calmkit window: never practise (or write) for them.
            self.notify(
                f"{joined_names(gone)}'s profile was deleted (perhaps in another calmkit"
                " window). Who is practising?",
                severity="warning",
                timeout=10,
            )
            self._set_person(None)
            self.refresh_home()
            self._choose_who(first=True)
            return
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
        plan_id = request.plan.id if request.plan else None
        log = PracticeLog(self.journal, people, plans=plans_of(self.journal, people, self.library))
        self.active_log = log
        ages = self.ages()

        def asking(moment: str) -> list[Question]:
            return questions(log, moment, asked, plan_id, self.today(), ages)

        before: list[Answered] = []
        if ask_before:
            try:
                before = await self._ask(asking("before"))
            except BackHome:
                # "Before we start" has a way back: nothing is played or recorded.
                prepared.backend.close()
                self.active_log = None
                return

        def begin(player: Player) -> None:
            log.begin(player, request, timeline, before=before)

        outcome: SessionOutcome = await self.push_screen_wait(
            SessionScreen(prepared, self.settings, clock=self.options.clock, on_start=begin)
        )
        # The last journal writes happen on the recorder's thread: wait for them.
        await asyncio.to_thread(log.finish)
        after: list[Answered] = []
        for moment in ("after", "daily"):
            # Saved person by person, as each finishes answering.
            for _, theirs in groupby(asking(moment), key=attrgetter("person")):
                answered = await self._ask(list(theirs))
                log.save(answered)
                if moment == "after":
                    after.extend(answered)
        for notice in log.notices:
            self.notify(notice, severity="warning", timeout=10)
        grown_up = not together and self._person(people[0]).grown_up
        news = EndNews(
            tier="together" if together else "grown-up" if grown_up else timeline.tier,
            flower=self._todays_flower(),
            before=answers_by_person(people, before),
            after=answers_by_person(people, after),
        )
        await self.push_screen_wait(EndScreen(outcome, people if together else [], news))
        self.active_log = None
        self.refresh_home()

    def _gone(self, name: str) -> bool:
        """Is this profile no longer in the journal? (Unknown, when it cannot be read.)"""
        assert self.journal is not None
        try:
            return self.journal.profile(name) is None
        except JournalUnavailable:
            return False

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
