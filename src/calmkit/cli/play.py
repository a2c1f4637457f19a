"""`play` (and `calmkit` alone): the app, or `--plain` lines, for whoever practises."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from calmkit.cli.output import EXIT_OK, EXIT_PROBLEM, print_error, report_target_error, terminal
from calmkit.content.library import Library, load_library
from calmkit.content.safetext import AmbiguousName
from calmkit.playback.targets import TargetError

if TYPE_CHECKING:
    from calmkit.content.model import Plan
    from calmkit.records.journal import Journal
    from calmkit.records.people import Person


def run_tui(args: argparse.Namespace, start_target: str | None = None) -> int:
    from calmkit.tui.app import AppOptions, run_app

    # Textual draws on the terminal itself; text from files is literal in its widgets.
    sys.stdout, sys.stderr = terminal(sys.stdout), terminal(sys.stderr)
    return run_app(
        AppOptions(
            profile=getattr(args, "profile", None) or args.app_profile,
            age=getattr(args, "age", None) or args.app_age,
            start_target=start_target,
            want_sound=not getattr(args, "no_audio", False),
            want_ambient=not getattr(args, "no_ambient", False),
            together_with=list(getattr(args, "with_profiles", []) or args.app_with),
        )
    )


def cmd_play(args: argparse.Namespace) -> int:
    if not args.plain:
        return run_tui(args, start_target=args.target)
    from calmkit.plain import play_plain
    from calmkit.playback.practice import open_log, pinned_plan, plans_of
    from calmkit.playback.prepare import prepare_session
    from calmkit.records.settings import load_settings

    library = load_library(cached=True)  # as the app: no YAML parsing while nothing changed
    # Opened once: play_plain logs into it and shows its notice (a damaged journal
    # moved aside), which a second opening would no longer see.
    journal, notice = open_log()
    if journal is not None:
        try:  # who a typed name means is settled before anything is played or written
            for name in [args.profile, *args.with_profiles]:
                if name:
                    journal.spellings(name)
        except AmbiguousName as error:
            journal.close()
            print_error(str(error))
            return EXIT_PROBLEM
    who = _who_practises(args, journal, library)
    try:
        prepared = prepare_session(
            args.target,
            library,
            age=who.age,
            together=bool(who.together_with),
            want_sound=not args.no_audio,
            want_ambient=not args.no_ambient,
            active_plan=pinned_plan(who.plan, journal),
            narrator=load_settings().narrator,
        )
    except TargetError as error:
        if journal is not None:
            journal.close()
        return report_target_error(error)
    # Check-ins are typed answers, so only asked when someone is there to type them.
    read = input if sys.stdin.isatty() and not args.no_checkin else None
    status = play_plain(
        prepared,
        sys.stdout,
        who.person.name,
        who.together_with,
        read=read,
        opened=(journal, notice),
        ages=who.ages,
        plans=plans_of(journal, who.people, library),
    )
    return EXIT_OK if status == "completed" else 130


@dataclass(frozen=True)
class _Who:
    person: Person
    together_with: list[str]
    age: int | None  # the session's: the youngest's, together
    plan: Plan | None
    ages: list[int | None]  # each person's practice age, the main person first
    people: list[str]  # everyone practising, the main person first, each once (people_for)


def _who_practises(args: argparse.Namespace, journal: Journal | None, library: Library) -> _Who:
    """Who `calmkit play --plain` practises for: --profile, else whoever practised last
    in the app, else a guest (and the header says so). A new name becomes a profile here
    (and only here: a profile deleted meanwhile is not brought back by the session)."""
    from calmkit.playback.practice import ages_of, people_for
    from calmkit.records.ages import group_age
    from calmkit.records.journal import JournalUnavailable
    from calmkit.records.people import (
        GUEST_NAME,
        Person,
        adopt_imported_plans,
        find_person,
        guest,
        kind_for,
        plan_of,
    )
    from calmkit.records.settings import load_settings

    adopt_imported_plans(journal, library)
    # Nobody named: whoever the app last practised as (if still there), else a guest.
    last = find_person(journal, load_settings().profile)
    name = args.profile or (last.name if last is not None and not last.guest else None)
    with_names = [n for n in args.with_profiles if not name or n.casefold() != name.casefold()]
    if journal is not None:
        try:
            if args.profile:
                journal.ensure_profile(
                    args.profile, args.age, kind_for(args.age, False) if args.age else None
                )
            elif not name:
                journal.ensure_profile(GUEST_NAME, kind="guest")
            for other in with_names:
                journal.ensure_profile(other)
        except JournalUnavailable:
            pass  # play_plain says the practice is not saved
    person = find_person(journal, name) if name else None
    if person is None:
        person = guest() if not name else Person(name, args.age)
    people = people_for(person.name, with_names)
    # Together, the session speaks to the youngest (records/ages.py: one rule).
    ages = ages_of(journal, people, library, args.age)
    return _Who(person, with_names, group_age(ages), plan_of(person, library), ages, people)
