"""The records' commands: `locate`, `log`, `report`, `export` and `forget`."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from calmkit import locations
from calmkit.cli.output import (
    EXIT_OK,
    EXIT_PROBLEM,
    kept_note,
    print_error,
    print_json,
    print_table,
)
from calmkit.content.library import load_library
from calmkit.content.safetext import AmbiguousName, same_name
from calmkit.words import joined_names, plural, status_word, steps_words

if TYPE_CHECKING:
    from calmkit.records.journal import CheckinRecord, Journal, SessionRecord


@contextmanager
def _journal_to_read(recover: bool = True) -> Iterator[Journal]:
    """The journal opened for reading, its notice said (a damaged file moved aside); with
    ``recover``, sessions a killed calmkit left running are marked interrupted first."""
    from calmkit.records.journal import Journal

    with Journal(reading=True) as journal:
        if journal.notice:
            print_error(journal.notice)
        if recover:
            journal.recover_interrupted()
        yield journal


# --- locate ------------------------------------------------------------------------


def cmd_locate(args: argparse.Namespace) -> int:
    folders = {
        "builtin_scripts": locations.builtin_scripts_dir(),
        "builtin_audio": locations.builtin_audio_dir(),
        "data_dir": locations.user_data_dir(),
        "user_scripts": locations.user_scripts_dir(),
        "user_plans": locations.user_plans_dir(),
        "narration_cache": locations.narration_cache_dir(),
        "recordings": locations.recordings_dir(),
        "journal": locations.journal_path(),
    }
    if args.json:
        print_json({name: str(path) for name, path in folders.items()})
        return EXIT_OK
    for name, path in folders.items():
        print(f"{name.replace('_', ' '):<16} {path}")
    if os.environ.get(locations.HOME_VARIABLE):
        print(f"(user data set by {locations.HOME_VARIABLE})")
    return EXIT_OK


# --- log ---------------------------------------------------------------------------------


def _day(moment: datetime.datetime, today: datetime.date) -> str:
    text = f"{moment:%a} {moment.day} {moment:%b}"
    return text if moment.year == today.year else f"{text} {moment.year}"


def _minutes(seconds: float) -> str:
    return "<1" if 0 < seconds < 30 else str(round(seconds / 60))


def _heard_text(session: SessionRecord) -> str:
    """'3 of 7': minutes heard of the session's length; '*' when it did not count."""
    return session.heard_of_length(_minutes, " *")


def _steps_text(session: SessionRecord) -> str:
    return steps_words(session.steps_done, session.steps_total, session.steps_skipped)


def _checkins_text(checkins: Sequence[CheckinRecord]) -> str:
    """'stress 6 → 3' for a before/after pair, 'school yes' for anything else; a face
    answer as its face and words ('stress (ó_ò) upset → (^‿^) very calm')."""
    from calmkit.records.answers import answer_words

    items: dict[str, dict[str, object]] = {}
    for checkin in checkins:
        shown = answer_words(checkin.item, checkin.scale, checkin.value)
        items.setdefault(checkin.item, {})[checkin.moment] = shown
    parts = []
    for item, by_moment in items.items():
        before, after = by_moment.get("before"), by_moment.get("after")
        if before is not None and after is not None:
            parts.append(f"{item} {before} → {after}")
        elif before is not None:
            parts.append(f"{item} {before} before")
        elif after is not None:
            parts.append(f"{item} {after} after")
        else:
            parts.append(f"{item} {by_moment.get('daily')}")
    return ", ".join(parts)


def _nothing_logged(profile: str | None, since: datetime.date | None) -> str:
    who = f" for {profile}" if profile else ""
    if since:
        return f"No practice logged{who} since {since.isoformat()}."
    return f"No practice logged{who} yet."


def cmd_log(args: argparse.Namespace) -> int:
    from calmkit.records.journal import JournalUnavailable
    from calmkit.records.people import who_label

    since, until = args.since, args.until
    sessions: list[SessionRecord] = []
    daily: list[CheckinRecord] = []
    kinds: dict[str, str] = {}
    # Looking must not create: no journal yet simply means nothing was logged.
    if locations.journal_path().exists():
        try:
            with _journal_to_read() as journal:
                sessions = journal.sessions(profile=args.profile, since=since, until=until)
                daily = [
                    checkin
                    for checkin in journal.checkins(profile=args.profile, since=since, until=until)
                    if checkin.session_id is None
                ]
                kinds = {p.name.casefold(): p.kind for p in journal.profiles()}
        except (JournalUnavailable, AmbiguousName) as error:
            print_error(str(error))
            return EXIT_PROBLEM
    if args.json:
        print_json([session.as_json() for session in sessions])
        return EXIT_OK
    if not sessions and not daily:
        print(_nothing_logged(args.profile, since))
        return EXIT_OK
    today = datetime.date.today()
    if sessions:
        rows = [["Date", "Time", "Who", "What", "Heard", "Status", "Steps", "Check-ins"]]
        for session in sessions:
            rows.append(
                [
                    _day(session.started, today),
                    f"{session.started:%H:%M}",
                    who_label(session.profile, session.profile_kind),
                    session.title or session.target,
                    _heard_text(session),
                    status_word(session.status),
                    _steps_text(session),
                    _checkins_text(session.checkins),
                ]
            )
        print_table(rows)
        total = round(sum(session.heard for session in sessions) / 60)
        count = len(sessions)
        amount = f"about {plural(total, 'minute')}" if total else "under a minute"
        print(f"\n{plural(count, 'session')}, {amount} of practice heard.")
        short = sum(1 for session in sessions if session.finished and not session.practice)
        if short:
            print(
                f"* {plural(short, 'session')} heard too little to count as "
                "practice (less than half, or less than the plan asks)."
            )
    if daily:
        print("\nDaily check-ins" if sessions else "Daily check-ins")
        by_day: dict[tuple[str, str], list[CheckinRecord]] = {}
        for checkin in daily:
            who = who_label(checkin.profile, kinds.get(checkin.profile.casefold(), "child"))
            by_day.setdefault((_day(checkin.at, today), who), []).append(checkin)
        print_table([[day, who, _checkins_text(items)] for (day, who), items in by_day.items()])
    return EXIT_OK


# --- report ------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from calmkit.records.journal import JournalUnavailable
    from calmkit.records.people import adopt_imported_plans
    from calmkit.report import render
    from calmkit.report.figures import ReportError, build_report

    since, until = args.since, args.until
    if not locations.journal_path().exists():
        print_error("nothing has been practised yet: there is no practice journal to report on")
        return EXIT_PROBLEM
    try:
        with _journal_to_read() as journal:
            library = load_library()
            # A journal upgraded just now: the plans an older calmkit applied by name.
            adopt_imported_plans(journal, library)
            report = build_report(journal, library, args.profile, since, until)
    except (JournalUnavailable, ReportError) as error:
        print_error(str(error))
        return EXIT_PROBLEM
    text = render(report, args.format)
    if not args.out:
        sys.stdout.write(text)
        return EXIT_OK
    wanted = Path(args.out)
    try:
        out = locations.output_path(wanted, args.replace)
        # A report holds health information: readable only by its owner, whole or not at all.
        out.parent.mkdir(parents=True, exist_ok=True)
        locations.write_private(out, text, overwrite=args.replace)
    except locations.OwnFile as refused:
        print_error(f"nothing was written: {refused}")
        return EXIT_PROBLEM
    except OSError as error:
        print_error(f"could not write {wanted}: {error.strerror or error}")
        return EXIT_PROBLEM
    kept = kept_note(wanted, out)
    print(f"Wrote {out if kept else wanted} ({args.format}).{kept}", file=sys.stderr)
    return EXIT_OK


# --- privacy: export and forget ------------------------------------------------------


def _confirmed(question: str, answer: str, assume_yes: bool, exact: bool = False) -> bool:
    """Ask on the terminal; without one, only --yes says yes."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        print_error(f"{question} Run it again with --yes to go ahead.")
        return False
    try:
        typed = input(f"{question} Type '{answer}' to go ahead: ")
    except EOFError:
        return False
    if exact:  # a name: with Sam and sam both there, 'sam' must not confirm deleting Sam
        return unicodedata.normalize("NFC", typed.strip()) == answer
    return typed.strip().casefold() == answer.casefold()


def cmd_export(args: argparse.Namespace) -> int:
    from calmkit.records.journal import JournalUnavailable
    from calmkit.records.privacy import default_export_name, export_archive

    wanted = Path(args.out) if args.out else Path(default_export_name(args.profile))
    try:
        out = locations.output_path(wanted, args.replace)
    except locations.OwnFile as refused:
        print_error(f"nothing was written: {refused}")
        return EXIT_PROBLEM
    try:
        with _journal_to_read(recover=False) as journal:
            if args.profile and not journal.spellings(args.profile):
                print_error(f"there is no profile called '{args.profile}'")
                return EXIT_PROBLEM
            summary = export_archive(journal, args.profile, out, overwrite=args.replace)
    except (JournalUnavailable, AmbiguousName) as error:
        print_error(str(error))
        return EXIT_PROBLEM
    except OSError as error:
        print_error(f"could not write {out}: {error.strerror or error}")
        return EXIT_PROBLEM
    print(
        f"Wrote {summary.path}: {plural(summary.sessions, 'session')}"
        f" of {plural(summary.profiles, 'profile')}"
        f" and {plural(summary.files, 'added file')}."
        " It holds health information: share it only with people you choose."
        + kept_note(wanted, out)
    )
    return EXIT_OK


def _forget_question(journal: Journal, who: str, spellings: list[str], besides: str) -> str:
    """Exactly what forgetting ``who`` deletes, and who stays, before anyone is asked."""
    sessions, checkins = journal.holdings(spellings)
    held = f"{plural(sessions, 'session')} and {plural(checkins, 'check-in')}"
    twins = (
        f" (the name is stored in {len(spellings)} Unicode spellings that look the same:"
        " all of them go)"
        if len(spellings) > 1
        else ""
    )
    others = [
        p.name for p in journal.profiles() if p.name not in spellings and same_name(p.name, who)
    ]
    kept = f" {joined_names(others)} {'is' if len(others) == 1 else 'are'} kept." if others else ""
    return f"This deletes the profile {who}{twins} with {held}{besides}.{kept}"


def cmd_forget(args: argparse.Namespace) -> int:
    from calmkit.records.journal import Journal, JournalUnavailable, ProfileInUse
    from calmkit.records.privacy import belongings, forget_everything, forget_profile

    if args.profile:
        name = args.profile.strip()
        things = belongings(name)
        try:
            with Journal() as journal:
                spellings = journal.spellings(name)
                if not spellings and not things.files:
                    print_error(f"there is no profile called '{name}'")
                    return EXIT_PROBLEM
                who = unicodedata.normalize("NFC", spellings[0]) if spellings else name
                question = _forget_question(journal, who, spellings, things.described())
                if not _confirmed(question, who, args.yes, exact=True):
                    print("Nothing was deleted.")
                    return EXIT_PROBLEM
                gone, files = forget_profile(journal, who, things)
        except (JournalUnavailable, AmbiguousName, ProfileInUse) as error:
            print_error(str(error))
            return EXIT_PROBLEM
        also = f" and {plural(len(files), 'file')}" if files else ""
        print(f"{who} is forgotten: {plural(gone, 'session')}{also} deleted.")
        journal_file = locations.journal_path()
        damaged = sorted(journal_file.parent.glob(f"{journal_file.name}.broken-*"))
        if damaged:
            # calmkit cannot read them to take one person out: say so rather than pretend.
            print(
                f"calmkit also keeps {plural(len(damaged), 'damaged journal copy', 'damaged journal copies')}"
                f" ({damaged[0].name}"
                f"{', …' if len(damaged) > 1 else ''}) from before, which may hold {who}'s "
                "practice too: delete them yourself if nobody needs them."
            )
        return EXIT_OK
    folder = locations.user_data_dir()
    question = (
        f"This deletes everything calmkit keeps in {folder}: every profile, the practice"
        " journal, settings, added scripts and plans, recordings and narration."
    )
    if not _confirmed(question, "forget everything", args.yes):
        print("Nothing was deleted.")
        return EXIT_PROBLEM
    try:
        deleted = forget_everything()
    except OSError as error:
        print_error(f"could not delete everything in {folder}: {error.strerror or error}")
        return EXIT_PROBLEM
    print(f"Done: {plural(len(deleted), 'item')} deleted from {folder}.")
    return EXIT_OK
