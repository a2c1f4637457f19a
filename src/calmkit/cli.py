"""The command line: parse arguments, call the layers below, print the answer.

Exit codes: 0 fine, 1 a problem with the input (a broken file, an unknown
target), 2 a usage error or a command that is not available yet.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import shlex
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from calmkit import __version__, locations
from calmkit.content.library import Library, load_files, load_library, yaml_files
from calmkit.content.model import Script
from calmkit.content.problems import Problem
from calmkit.content.safetext import (
    AmbiguousName,
    NameProblem,
    clean_name,
    json_text,
    same_name,
    shown,
)
from calmkit.content.timeline import Timeline
from calmkit.session.targets import TargetError

if TYPE_CHECKING:
    from calmkit.audio.narration import Line, NarrateReport
    from calmkit.content.model import Plan
    from calmkit.session.journal import CheckinRecord, Journal, SessionRecord
    from calmkit.session.people import Person

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]
ENGINE_CHOICES = ["auto", "festival", "flite", "espeak-ng", "piper"]


def _print_json(value: object) -> None:
    sys.stdout.write(json_text(value) + "\n")


class _ShownStream(io.TextIOBase):
    """Standard output or error with every control character made visible on the way out.

    Everything the command line prints passes here, so no title, name, file name
    or value from outside can reach the terminal raw, whichever print forgot to
    call ``shown``. Newlines and tabs stay: they are calmkit's own layout. (Lines
    that must stay one line, like a problem's, call ``shown`` themselves.)
    """

    def __init__(self, stream: io.TextIOBase) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(shown(text, lines=True))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding


def _terminal(stream: object) -> io.TextIOBase:
    """The stream under the guard: for calmkit's own styling (Textual, rich's progress bar)."""
    return stream.stream if isinstance(stream, _ShownStream) else stream  # type: ignore[return-value]


@contextmanager
def _shown_output() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout = _ShownStream(saved[0])  # type: ignore[assignment,arg-type]
    sys.stderr = _ShownStream(saved[1])  # type: ignore[assignment,arg-type]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _error(message: str) -> None:
    print(f"calmkit: {shown(message)}", file=sys.stderr)


def _new_name(text: str) -> str:
    """A name someone is practising under: cleaned, or refused here (see safetext.clean_name)."""
    try:
        return clean_name(text)
    except NameProblem as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


def _looked_up_name(text: str) -> str:
    """A name to look up: any name a journal may hold, but not a blank one."""
    if not text.strip():
        raise argparse.ArgumentTypeError("a name needs at least one letter")
    return text


def _age(text: str) -> int:
    """A child's age (4 to 18), or a grown-up's (over 18: they practise as a grown-up)."""
    from calmkit.content.model import MAX_AGE, MIN_AGE
    from calmkit.session.people import OLDEST_AGE

    try:
        age = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"an age is a whole number, got '{text}'") from None
    if not MIN_AGE <= age <= OLDEST_AGE:
        raise argparse.ArgumentTypeError(
            f"calmkit is made for ages {MIN_AGE} to {MAX_AGE} (an older age is a grown-up's),"
            f" got {age}"
        )
    return age


def _script_minutes(library: Library) -> dict[str, float]:
    return {
        script_id: round(library.seconds(script, script.default_tier) / 60, 1)
        for script_id, script in library.scripts.items()
    }


def cmd_list(args: argparse.Namespace) -> int:
    library = load_library()
    minutes = _script_minutes(library)
    scripts = sorted(library.scripts.values(), key=lambda script: (script.kind, script.title))
    plans = sorted(library.plans.values(), key=lambda plan: plan.id)
    if args.json:
        _print_json(
            {
                "scripts": [
                    {
                        "id": script.id,
                        "title": script.title,
                        "kind": script.kind,
                        "ages": script.ages_label,
                        "minutes": minutes[script.id],
                        "path": script.path,
                        "summary": script.summary,
                    }
                    for script in scripts
                ],
                "plans": [
                    {"id": plan.id, "for": plan.for_profile, "weeks": plan.weeks, "path": plan.path}
                    for plan in plans
                ],
                "problems": [problem.as_json() for problem in library.problems],
            }
        )
        return EXIT_OK
    id_width = max((len(item) for item in [*library.scripts, *library.plans]), default=10)
    print(f"Scripts ({len(scripts)})")
    for script in scripts:
        print(
            f"  {script.id:<{id_width}}  {shown(script.title):<28} {script.kind:<18} "
            f"ages {script.ages_label:<6} about {max(1, round(minutes[script.id]))} min"
        )
    print(f"\nPlans ({len(plans)})")
    examples = {plan.id for plan in library.builtin_plans()}
    for plan in plans:
        # Built-in plans are examples: whoever they name, they are nobody's plan here.
        written = f"for {shown(plan.for_profile)}" if plan.for_profile else ""
        owner = f"example ({written})" if plan.id in examples and written else written
        if plan.id in examples and not written:
            owner = "example"
        print(f"  {plan.id:<{id_width}}  {owner:<28} {plan.weeks} weeks")
    broken = library.broken
    if broken:
        print(f"\nBroken files ({len(broken)}): run 'calmkit validate' for every problem")
        for result in broken:
            print(f"  {result.errors[0]}")
    return EXIT_OK


# --- show ------------------------------------------------------------------------


def _report_target_error(error: TargetError) -> int:
    for problem in error.problems:
        print(problem.explained(), file=sys.stderr)
    _error(error.message)
    return EXIT_PROBLEM


def _timeline_for(args: argparse.Namespace) -> Timeline | int:
    from calmkit.session.settings import load_settings
    from calmkit.session.setup import session_clips
    from calmkit.session.targets import resolve

    try:
        request = resolve(args.target, load_library(), age=args.age)
    except TargetError as error:
        return _report_target_error(error)
    # The clips a session would play: in the family's chosen voice where it has them all;
    # with --no-audio, the session as it plays without sound (a script's `when` steps).
    clips = session_clips(request, load_settings().narrator)
    return request.timeline(clips, sound=not getattr(args, "no_audio", False))


def cmd_show(args: argparse.Namespace) -> int:
    timeline = _timeline_for(args)
    if isinstance(timeline, int):
        return timeline
    if args.json:
        _print_json(timeline.as_json())
        return EXIT_OK
    together = ", together" if timeline.together else ""
    print(
        f"{shown(timeline.title)}  ({timeline.id}, {timeline.tier}{together},"
        f" {_clock(timeline.duration)})"
    )
    for cue in timeline.cues:
        detail = shown(cue.text or (Path(cue.audio).name if cue.audio else ""))
        if cue.area and cue.kind in ("tense", "release"):
            detail = f"[{cue.area}] {detail}"
        print(f"  {_clock(cue.start)}  {cue.kind:<11}  {detail}")
    return EXIT_OK


# --- validate ----------------------------------------------------------------------


def _files_to_check(paths: Sequence[str]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    missing: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += yaml_files(path)
        elif path.exists():
            files.append(path)  # a pipe or a device too: reading it says what it is
        else:
            missing.append(name)
    return files, missing


def cmd_validate(args: argparse.Namespace) -> int:
    if args.paths:
        files, missing = _files_to_check(args.paths)
        for name in missing:
            _error(f"no such file or folder: {name}")
        if not files and not missing:
            _error(f"no .yaml files found in {', '.join(args.paths)}")
            return EXIT_PROBLEM
        from calmkit.session.targets import sibling_scripts

        library = load_library()
        # Plans may use library scripts, and scripts handed over beside them (in the
        # same folder, as a pack is, not anywhere below it).
        known = dict(library.scripts)
        for first in {path.parent: path for path in files}.values():
            known.update(sibling_scripts(first))
        checked = load_files(files, known_scripts=known)
    else:
        missing = []
        checked = load_library()
    from calmkit.content.loader import safety_line_warnings

    problems: list[Problem] = []
    for result in checked.results:
        advice = safety_line_warnings(result.script) if result.script is not None else []
        problems += sorted([*result.problems, *advice], key=lambda p: (p.line, p.col))
    for problem in problems:
        print(problem.explained())
    errors = [problem for problem in problems if problem.is_error]
    warnings = len(problems) - len(errors)
    # --strict: a warning is worth fixing before a file is handed over, so it counts too.
    failing = problems if args.strict else errors
    files_failing = len({problem.path for problem in failing})
    count = len(checked.results)
    noun = "file" if count == 1 else "files"
    if failing:
        print(
            f"{count} {noun} checked: {len(failing)} problem{'s' if len(failing) != 1 else ''} "
            f"in {files_failing} file{'s' if files_failing != 1 else ''}",
            file=sys.stderr,
        )
        return EXIT_PROBLEM
    if missing:
        return EXIT_USAGE
    if warnings:
        print(
            f"{count} {noun} checked: no errors, {warnings} warning{'s' if warnings != 1 else ''}"
            " (the files work; --strict counts warnings as problems)",
            file=sys.stderr,
        )
        return EXIT_OK
    print(f"{count} {noun} checked: all good", file=sys.stderr)
    return EXIT_OK


# --- new ---------------------------------------------------------------------------------


def _ages_option(text: str) -> tuple[int, int]:
    from calmkit.content.loader import AGE_RANGE_PATTERN

    match = AGE_RANGE_PATTERN.match(text)
    low = int(match.group(1)) if match else 0
    high = int(match.group(2) or low) if match else 0
    if not match or not 4 <= low <= high <= 18:
        raise argparse.ArgumentTypeError(f"ages are a range like 9-14 from 4 to 18, got '{text}'")
    return low, high


def cmd_new(args: argparse.Namespace) -> int:
    from calmkit.content.loader import load_text
    from calmkit.content.model import KINDS
    from calmkit.content.templates import identifier_for, plan_template, script_template

    identifier = identifier_for(args.name)
    if not identifier:
        _error(f"'{args.name}' has no letters or digits to make an id from")
        return EXIT_USAGE
    library = load_library()
    if library.find(identifier) is not None or library.broken_with_id(identifier):
        _error(
            f"the library already has a script or plan called '{identifier}': choose another name"
        )
        return EXIT_PROBLEM
    if args.what == "script":
        if args.kind not in KINDS:
            _error(f"unknown kind '{args.kind}': choose one of {', '.join(KINDS)}")
            return EXIT_USAGE
        text = script_template(args.name, args.kind, args.ages or (6, 12))
        folder = locations.user_scripts_dir()
    else:
        age = args.age or (args.ages[0] if args.ages else 10)
        # Built-in scripts only: a plan from the template works on any family's machine.
        builtin = load_library(include_user=False).scripts
        text = plan_template(args.name, builtin, age=age, for_profile=args.for_profile)
        folder = locations.user_plans_dir()
    # What is written must validate as it is: checked here, not only in the tests.
    checked = load_text(text, f"{identifier}.yaml", known_scripts=library.scripts)
    assert checked.ok, [str(problem) for problem in checked.problems]
    target = Path(args.out) if args.out else folder / f"{identifier}.yaml"
    try:
        if args.out:
            target.parent.mkdir(parents=True, exist_ok=True)
        else:
            locations.ensure_private_dir(folder)
        # O_EXCL: never over a file that is there, not even one made a moment ago, and
        # never through a link; the owner's alone, as everything calmkit writes.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(target, flags, locations.PRIVATE_FILE_MODE), "w") as stream:
            stream.write(text)
    except FileExistsError:
        _error(f"{target} is there already: calmkit never writes over a file")
        return EXIT_PROBLEM
    except OSError as error:
        _error(f"could not write {target}: {error.strerror or error}")
        return EXIT_PROBLEM
    print(f"Wrote {target}: a {args.what} that works as it is. Edit it, then check it with")
    print(f"  calmkit validate {target}")
    if args.what == "script":
        print(f"  calmkit play {target} --plain")
    return EXIT_OK


# --- pack --------------------------------------------------------------------------------


def cmd_pack(args: argparse.Namespace) -> int:
    from calmkit.session.pack import PackError, build_pack

    library = load_library()
    out = Path(args.out) if args.out else Path(f"{Path(args.plan).stem}-pack.zip")
    render = None
    if not args.no_narration:
        from calmkit.audio.narration import warm_up

        warm_up()
        args.force, args.jobs = False, None  # what _render_with_progress reads

        def render(lines: set[Line]) -> NarrateReport:
            return _render_with_progress(lines, args, None)

    try:
        report = build_pack(args.plan, out, library, render)
    except PackError as error:
        # The import's own lines as they are, then what it means for the pack.
        for line in error.lines[:-1]:
            print(line, file=sys.stderr)
        _error(error.lines[-1])
        return EXIT_PROBLEM
    for warning in dict.fromkeys([*report.warnings, *report.check]):
        print(warning, file=sys.stderr)
    own = ", ".join(report.scripts) or "none"
    print(f"Wrote {report.out}: plan '{report.plan}', your scripts: {own}")
    if report.builtin:
        print(f"  built-in scripts it uses (every calmkit has them): {', '.join(report.builtin)}")
    print(
        f"  {report.sounds} sound file{'s' if report.sounds != 1 else ''}, "
        f"{report.recordings} recording{'s' if report.recordings != 1 else ''}, "
        f"{report.narration} narration clip{'s' if report.narration != 1 else ''}"
        + (f" ({report.voice}, {report.rendered} made now)" if report.voice else "")
    )
    print(f"  checked as the family's 'calmkit import {report.out.name}' will: it imports cleanly")
    return EXIT_OK


# --- play --------------------------------------------------------------------------------


def _run_tui(args: argparse.Namespace, start_target: str | None = None) -> int:
    from calmkit.tui.app import AppOptions, run_app

    # Textual draws on the terminal itself; text from files is literal in its widgets.
    sys.stdout, sys.stderr = _terminal(sys.stdout), _terminal(sys.stderr)
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
        return _run_tui(args, start_target=args.target)
    from calmkit.session.plain import play_plain
    from calmkit.session.practice import open_log, pinned_plan, plans_of
    from calmkit.session.settings import load_settings
    from calmkit.session.setup import prepare_session

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
            _error(str(error))
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
        return _report_target_error(error)
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

    @property
    def people(self) -> list[str]:
        return [self.person.name, *self.together_with]


def _who_practises(args: argparse.Namespace, journal: Journal | None, library: Library) -> _Who:
    """Who `calmkit play --plain` practises for: --profile, else whoever practised last
    in the app, else a guest (and the header says so). A new name becomes a profile here
    (and only here: a profile deleted meanwhile is not brought back by the session)."""
    from calmkit.content.model import MAX_AGE
    from calmkit.session.ages import group_age
    from calmkit.session.journal import JournalUnavailable
    from calmkit.session.people import (
        GUEST_NAME,
        Person,
        adopt_imported_plans,
        find_person,
        guest,
        kind_for,
        plan_of,
    )
    from calmkit.session.practice import ages_of, people_for
    from calmkit.session.settings import load_settings

    adopt_imported_plans(journal, library)
    # Nobody named: whoever the app last practised as (if still there), else a guest.
    last = find_person(journal, load_settings().profile)
    name = args.profile or (last.name if last is not None and not last.guest else None)
    with_names = [n for n in args.with_profiles if not name or n.casefold() != name.casefold()]
    if journal is not None:
        try:
            if args.profile:
                grown_up = args.age is not None and args.age > MAX_AGE
                journal.ensure_profile(
                    args.profile, args.age, kind_for(args.age, grown_up) if args.age else None
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
    # Together, the session speaks to the youngest (session/ages.py: one rule).
    ages = ages_of(journal, people, library, args.age)
    return _Who(person, with_names, group_age(ages), plan_of(person, library), ages)


# --- narrate -----------------------------------------------------------------------------


def cmd_narrate(args: argparse.Namespace) -> int:
    from calmkit.audio.engines import EngineError
    from calmkit.audio.narration import lines_for_script, warm_up

    warm_up()
    library = load_library(cached=True)  # an edited file is a cache miss: its stats are the key
    # Any plan may give any script to anyone: its settings change what is said.
    plans = list(library.plans.values())
    if args.targets:
        scripts = []
        for target in args.targets:
            found = library.find(target)
            if found is None and Path(target).is_file():
                loaded = load_files([Path(target)], known_scripts=library.scripts)
                result = loaded.results[0]
                for problem in result.problems:
                    print(problem.explained(), file=sys.stderr)
                found = result.script or result.plan
            if found is None:
                _error(f"there is no script or plan called '{target}'{library.suggestion(target)}")
                return EXIT_PROBLEM
            if isinstance(found, Script):
                scripts.append(found)
            else:
                plans.append(found)
                ids = {i for block in found.schedule for s in block.sessions for i in s.scripts}
                scripts += [library.scripts[i] for i in sorted(ids) if i in library.scripts]
    else:
        scripts = list(library.scripts.values())
    lines = set().union(*(lines_for_script(script, plans) for script in scripts))
    out_root = Path(args.into) if args.into else None
    try:
        report = _render_with_progress(lines, args, out_root)
    except EngineError as error:
        _error(str(error))
        return EXIT_PROBLEM
    for text, message in report.failed:
        _error(f"could not narrate '{text[:60]}': {message}")
    print(
        f"{report.voice}: {report.rendered} new clip{'s' if report.rendered != 1 else ''}, "
        f"{report.already} already there, {len(report.failed)} failed "
        f"({len(scripts)} script{'s' if len(scripts) != 1 else ''})"
    )
    return EXIT_PROBLEM if report.failed else EXIT_OK


def _render_with_progress(
    lines: set[Line], args: argparse.Namespace, out_root: Path | None
) -> NarrateReport:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from calmkit.audio.narration import render_lines

    with Progress(
        TextColumn("narrating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=Console(file=_terminal(sys.stderr)),
        disable=not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task("narrate", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return render_lines(
            lines,
            engine_name=args.engine,
            voice=args.voice,
            force=args.force,
            out_root=out_root,
            jobs=args.jobs,
            progress=update,
        )


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
        _print_json({name: str(path) for name, path in folders.items()})
        return EXIT_OK
    for name, path in folders.items():
        print(f"{name.replace('_', ' '):<16} {path}")
    if os.environ.get(locations.HOME_VARIABLE):
        print(f"(user data set by {locations.HOME_VARIABLE})")
    return EXIT_OK


# --- log ---------------------------------------------------------------------------------

_STATUS_WORDS = {
    "completed": "finished",
    "stopped": "stopped early",
    "interrupted": "interrupted",
    "running": "playing now",
}


def _day(moment: datetime.datetime, today: datetime.date) -> str:
    text = f"{moment:%a} {moment.day} {moment:%b}"
    return text if moment.year == today.year else f"{text} {moment.year}"


def _minutes(seconds: float) -> str:
    return "<1" if 0 < seconds < 30 else str(round(seconds / 60))


def _heard_text(session: SessionRecord) -> str:
    """'3 of 7': minutes heard of the session's length; '*' when it did not count."""
    text = _minutes(session.heard)
    if session.script_seconds is not None:
        text += f" of {_minutes(session.script_seconds)}"
    if session.finished and not session.practice:
        text += " *"
    return text


def _steps_text(session: SessionRecord) -> str:
    from calmkit.session.counting import steps_words

    return steps_words(session.steps_done, session.steps_total, session.steps_skipped)


def _checkins_text(checkins: Sequence[CheckinRecord]) -> str:
    """'stress 6 → 3' for a before/after pair, 'school yes' for anything else; a face
    answer as its face and words ('stress (ó_ò) upset → (^‿^) very calm')."""
    from calmkit.session.answers import answer_words

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


def _print_table(rows: list[list[str]]) -> None:
    # Each cell one line (a name or title with NUL, CR or a newline must not break the table).
    rows = [[shown(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())


def _nothing_logged(profile: str | None, since: datetime.date | None) -> str:
    who = f" for {profile}" if profile else ""
    if since:
        return f"No practice logged{who} since {since.isoformat()}."
    return f"No practice logged{who} yet."


def cmd_log(args: argparse.Namespace) -> int:
    from calmkit.session.journal import Journal, JournalUnavailable
    from calmkit.session.people import who_label

    try:
        since = _date_option(args.since, "--since")
        until = _date_option(args.until, "--until")
    except ValueError as error:
        _error(str(error))
        return EXIT_USAGE
    sessions: list[SessionRecord] = []
    daily: list[CheckinRecord] = []
    kinds: dict[str, str] = {}
    # Looking must not create: no journal yet simply means nothing was logged.
    if locations.journal_path().exists():
        try:
            with Journal(reading=True) as journal:
                if journal.notice:
                    _error(journal.notice)
                journal.recover_interrupted()
                sessions = journal.sessions(profile=args.profile, since=since, until=until)
                daily = [
                    checkin
                    for checkin in journal.checkins(profile=args.profile, since=since, until=until)
                    if checkin.session_id is None
                ]
                kinds = {p.name.casefold(): p.kind for p in journal.profiles()}
        except (JournalUnavailable, AmbiguousName) as error:
            _error(str(error))
            return EXIT_PROBLEM
    if args.json:
        _print_json([session.as_json() for session in sessions])
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
                    _STATUS_WORDS.get(session.status, session.status),
                    _steps_text(session),
                    _checkins_text(session.checkins),
                ]
            )
        _print_table(rows)
        total = round(sum(session.heard for session in sessions) / 60)
        count = len(sessions)
        amount = f"about {total} minute{'s' if total != 1 else ''}" if total else "under a minute"
        print(f"\n{count} session{'s' if count != 1 else ''}, {amount} of practice heard.")
        short = sum(1 for session in sessions if session.finished and not session.practice)
        if short:
            print(
                f"* {short} session{'s' if short != 1 else ''} heard too little to count as "
                "practice (less than half, or less than the plan asks)."
            )
    if daily:
        print("\nDaily check-ins" if sessions else "Daily check-ins")
        by_day: dict[tuple[str, str], list[CheckinRecord]] = {}
        for checkin in daily:
            who = who_label(checkin.profile, kinds.get(checkin.profile.casefold(), "child"))
            by_day.setdefault((_day(checkin.at, today), who), []).append(checkin)
        _print_table([[day, who, _checkins_text(items)] for (day, who), items in by_day.items()])
    return EXIT_OK


# --- the parser ------------------------------------------------------------------------


# --- report ------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from calmkit.session.journal import Journal, JournalUnavailable
    from calmkit.session.people import adopt_imported_plans
    from calmkit.session.report import ReportError, build_report, render

    try:
        since = _date_option(args.since, "--since")
        until = _date_option(args.until, "--until")
    except ValueError as error:
        _error(str(error))
        return EXIT_USAGE
    if not locations.journal_path().exists():
        _error("nothing has been practised yet: there is no practice journal to report on")
        return EXIT_PROBLEM
    try:
        with Journal(reading=True) as journal:
            if journal.notice:
                _error(journal.notice)
            journal.recover_interrupted()
            library = load_library()
            # A journal upgraded just now: the plans an older calmkit applied by name.
            adopt_imported_plans(journal, library)
            report = build_report(journal, library, args.profile, since, until)
    except (JournalUnavailable, ReportError) as error:
        _error(str(error))
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
        _error(f"nothing was written: {refused}")
        return EXIT_PROBLEM
    except OSError as error:
        _error(f"could not write {wanted}: {error.strerror or error}")
        return EXIT_PROBLEM
    kept = _kept_note(wanted, out)
    print(f"Wrote {out if kept else wanted} ({args.format}).{kept}", file=sys.stderr)
    return EXIT_OK


def _kept_note(wanted: Path, out: Path) -> str:
    if out == wanted.expanduser().resolve():
        return ""
    return f" {wanted} was already there and is kept as it was (--replace overwrites it)."


# --- doctor ------------------------------------------------------------------------------


def cmd_doctor(args: argparse.Namespace) -> int:
    from calmkit.audio.doctor import doctor_lines, doctor_report

    report = doctor_report()
    if args.json:
        _print_json(report)
    else:
        for line in doctor_lines(report):
            print(line)
    return EXIT_OK


# --- import ------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from calmkit.session.importer import format_result, import_path

    path = Path(args.file)
    giving = _PlanGiving(args.profile, args.replace, path) if args.profile else None
    result = import_path(
        path, replace=args.replace, accept_plans=giving.accept if giving else _settle_plans
    )
    for line in format_result(result):
        print(line, file=sys.stdout if result.ok else sys.stderr)
    if not result.ok:
        if giving is not None:
            giving.close()
        return EXIT_PROBLEM
    if giving is not None:
        return giving.give()
    for plan in result.plans:
        if plan.for_profile:
            # `for:` is a suggestion: the plan is nobody's until a grown-up gives it.
            print(
                f"This plan says it is for {plan.for_profile}. It is in the library and"
                f" belongs to no one yet: to give it to {plan.for_profile}, run"
                f" calmkit import {shlex.quote(args.file)} --profile"
                f" {shlex.quote(plan.for_profile)}, or in calmkit press P, choose"
                f" {plan.for_profile} and press L."
            )
    return EXIT_OK


def _settle_plans(plans: list[Plan]) -> str | None:
    """Before anything new is imported: plans imported by an older calmkit are given to
    the profile their `for:` names, once, so a new plan is never given by its name."""
    from calmkit.session.people import adopt_imported_plans
    from calmkit.session.practice import open_log

    if plans and locations.journal_path().exists():
        journal, _notice = open_log()
        if journal is not None:
            adopt_imported_plans(journal, load_library())
            journal.close()
    return None


class _PlanGiving:
    """`calmkit import PLAN --profile NAME`: the one plan in PLAN becomes NAME's.

    A person who has another plan keeps it unless the grown-up says so: asked on a
    terminal, otherwise only with --replace. Everything is checked before the
    import writes a file.
    """

    def __init__(self, name: str, replace: bool, source: Path) -> None:
        self.name = name
        self.replace = replace
        self.source = source
        self.journal: Journal | None = None
        self.plan: Plan | None = None

    def accept(self, plans: list[Plan]) -> str | None:
        from calmkit.session.journal import Journal, JournalUnavailable
        from calmkit.session.people import adopt_imported_plans

        if not plans:
            return f"there is no plan in it to give to {self.name} (--profile gives a plan)"
        if len(plans) > 1:
            ids = ", ".join(plan.id for plan in plans)
            return (
                f"it holds {len(plans)} plans ({ids}): a person is given one plan, so import"
                " them without --profile and choose one on the profile (P, then L)"
            )
        self.plan = plans[0]
        try:
            self.journal = Journal().open()
            self.journal.recover_interrupted()
            adopt_imported_plans(self.journal, load_library())
            record = self.journal.profile(self.name)
        except JournalUnavailable as error:
            return f"{error}: the plan is given to {self.name} there, so nothing was imported"
        if record is not None and record.guest:
            return f"{record.name} is the guest profile: a plan is given to someone by name"
        if record is None or record.plan in (None, self.plan.id) or self.replace:
            return None
        if not sys.stdin.isatty():
            return (
                f"{record.name} already has the plan '{record.plan}': to give"
                f" {record.name} '{self.plan.id}' instead, run the import again with"
                " --replace (nothing was imported)"
            )
        return self._ask(record.name, record.plan, self.plan.id)

    def _ask(self, name: str, current: str, new: str) -> str | None:
        print(f"{name} already has the plan '{current}'. Which plan should {name} follow?")
        print(f"  1  keep '{current}' (nothing is imported)")
        print(f"  2  '{new}' from now on")
        try:
            typed = input("Type 1 or 2: ").strip()
        except EOFError:
            typed = ""
        if typed == "2":
            return None
        return f"{name} keeps the plan '{current}': nothing was imported"

    def give(self) -> int:
        from calmkit.session.journal import JournalUnavailable
        from calmkit.session.people import give_plan

        assert self.journal is not None and self.plan is not None
        plan = self.plan
        try:
            record = self.journal.profile(self.name)
            if record is None:
                # A clinician may import before the child has opened calmkit. Only an
                # age someone gave is stored: the plan's age stays the plan's.
                self.journal.ensure_profile(self.name)
                record = self.journal.profile(self.name)
                assert record is not None
                age = f", age {plan.age} from the plan" if plan.age else ""
                print(f"{record.name} is a new profile{age}.")
            give_plan(self.journal, record.name, plan.id)
        except JournalUnavailable as error:
            _error(f"{error}: the plan was imported but not given to {self.name}")
            return EXIT_PROBLEM
        finally:
            self.close()
        print(
            f"{record.name}'s plan is now '{plan.id}': open calmkit as {record.name}"
            f" (calmkit --profile {shlex.quote(record.name)}, or P on the home screen)"
            " to see today's practice."
        )
        return EXIT_OK

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
            self.journal = None


# --- privacy: export and forget ------------------------------------------------------


def _date_option(text: str | None, option: str) -> datetime.date | None:
    """A --since/--until date, or None; a bad one raises ValueError with the message."""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} wants a date like 2026-03-01, got '{text}'") from None


def _confirmed(question: str, answer: str, assume_yes: bool, exact: bool = False) -> bool:
    """Ask on the terminal; without one, only --yes says yes."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        _error(f"{question} Run it again with --yes to go ahead.")
        return False
    try:
        typed = input(f"{question} Type '{answer}' to go ahead: ")
    except EOFError:
        return False
    if exact:  # a name: with Sam and sam both there, 'sam' must not confirm deleting Sam
        return unicodedata.normalize("NFC", typed.strip()) == answer
    return typed.strip().casefold() == answer.casefold()


def cmd_export(args: argparse.Namespace) -> int:
    from calmkit.session.journal import Journal, JournalUnavailable
    from calmkit.session.privacy import default_export_name, export_archive

    wanted = Path(args.out) if args.out else Path(default_export_name(args.profile))
    try:
        out = locations.output_path(wanted, args.replace)
    except locations.OwnFile as refused:
        _error(f"nothing was written: {refused}")
        return EXIT_PROBLEM
    try:
        with Journal(reading=True) as journal:
            if journal.notice:
                _error(journal.notice)
            if args.profile and not journal.spellings(args.profile):
                _error(f"there is no profile called '{args.profile}'")
                return EXIT_PROBLEM
            summary = export_archive(journal, args.profile, out, overwrite=args.replace)
    except (JournalUnavailable, AmbiguousName) as error:
        _error(str(error))
        return EXIT_PROBLEM
    except OSError as error:
        _error(f"could not write {out}: {error.strerror or error}")
        return EXIT_PROBLEM
    print(
        f"Wrote {summary.path}: {summary.sessions} session{'s' if summary.sessions != 1 else ''}"
        f" of {summary.profiles} profile{'s' if summary.profiles != 1 else ''}"
        f" and {summary.files} added file{'s' if summary.files != 1 else ''}."
        " It holds health information: share it only with people you choose."
        + _kept_note(wanted, out)
    )
    return EXIT_OK


def _forget_question(journal: Journal, who: str, spellings: list[str], besides: str) -> str:
    """Exactly what forgetting ``who`` deletes, and who stays, before anyone is asked."""
    sessions, checkins = journal.holdings(spellings)
    held = (
        f"{sessions} session{'s' if sessions != 1 else ''} and"
        f" {checkins} check-in{'s' if checkins != 1 else ''}"
    )
    twins = (
        f" (the name is stored in {len(spellings)} Unicode spellings that look the same:"
        " all of them go)"
        if len(spellings) > 1
        else ""
    )
    others = [
        p.name for p in journal.profiles() if p.name not in spellings and same_name(p.name, who)
    ]
    kept = f" {', '.join(others)} {'is' if len(others) == 1 else 'are'} kept." if others else ""
    return f"This deletes the profile {who}{twins} with {held}{besides}.{kept}"


def cmd_forget(args: argparse.Namespace) -> int:
    from calmkit.session.journal import Journal, JournalUnavailable, ProfileInUse
    from calmkit.session.privacy import belongings, forget_everything, forget_profile

    if args.profile:
        name = args.profile.strip()
        things = belongings(name)
        try:
            with Journal() as journal:
                spellings = journal.spellings(name)
                if not spellings and not things.files:
                    _error(f"there is no profile called '{name}'")
                    return EXIT_PROBLEM
                who = unicodedata.normalize("NFC", spellings[0]) if spellings else name
                question = _forget_question(journal, who, spellings, things.described())
                if not _confirmed(question, who, args.yes, exact=True):
                    print("Nothing was deleted.")
                    return EXIT_PROBLEM
                gone, files = forget_profile(journal, who, things)
        except (JournalUnavailable, AmbiguousName, ProfileInUse) as error:
            _error(str(error))
            return EXIT_PROBLEM
        also = f" and {len(files)} file{'s' if len(files) != 1 else ''}" if files else ""
        print(f"{who} is forgotten: {gone} session{'s' if gone != 1 else ''}{also} deleted.")
        journal_file = locations.journal_path()
        damaged = sorted(journal_file.parent.glob(f"{journal_file.name}.broken-*"))
        if damaged:
            # calmkit cannot read them to take one person out: say so rather than pretend.
            print(
                f"calmkit also keeps {len(damaged)} damaged journal "
                f"cop{'ies' if len(damaged) != 1 else 'y'} ({damaged[0].name}"
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
        _error(f"could not delete everything in {folder}: {error.strerror or error}")
        return EXIT_PROBLEM
    print(f"Done: {len(deleted)} item{'s' if len(deleted) != 1 else ''} deleted from {folder}.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calmkit",
        description="A calm practice companion: breathing, relaxation, imagery and grounding.",
    )
    parser.add_argument("--version", action="version", version=f"calmkit {__version__}")
    # For the app itself (`calmkit` with no command): who is practising.
    parser.add_argument("--profile", dest="app_profile", type=_new_name, help="who is practising")
    parser.add_argument(
        "--with",
        dest="app_with",
        action="append",
        default=[],
        type=_new_name,
        help="someone practising along",
    )
    parser.add_argument("--age", dest="app_age", type=_age, help="the child's age")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    listing = command("list", cmd_list, "the library: scripts and plans, broken files marked")
    listing.add_argument("--json", action="store_true", help="print JSON")

    show = command("show", cmd_show, "the compiled timeline of a script, plan or file")
    show.add_argument("target", help="a script id, a plan id or a .yaml file")
    show.add_argument("--age", type=_age, help="the child's age (chooses the tier)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.add_argument(
        "--no-audio", action="store_true", help="the timeline as it plays when there is no sound"
    )

    validate = command("validate", cmd_validate, "check script and plan files")
    validate.add_argument("paths", nargs="*", help="files or folders (default: the whole library)")
    validate.add_argument(
        "--strict", action="store_true", help="warnings fail too (exit 1), as errors do"
    )

    new = command("new", cmd_new, "start a script or plan from a commented template")
    new.add_argument("what", choices=["script", "plan"], help="what to start")
    new.add_argument("name", help="its id or title, like calm-lake or 'Calm Lake'")
    new.add_argument("--kind", default="breathing", help="a script's kind (default: breathing)")
    new.add_argument("--ages", type=_ages_option, help="a script's ages, like 9-14")
    new.add_argument("--age", type=_age, help="a plan's child's age (default: 10)")
    new.add_argument("--for", dest="for_profile", type=_new_name, help="a plan's profile name")
    new.add_argument("--out", help="the file to write (default: your library)")

    locate = command("locate", cmd_locate, "the folders calmkit uses")
    locate.add_argument("--json", action="store_true", help="print JSON")

    play = command("play", cmd_play, "play a script, a plan or a file")
    play.add_argument("target")
    play.add_argument("--plain", action="store_true")
    play.add_argument("--profile", type=_new_name)
    play.add_argument("--with", dest="with_profiles", action="append", default=[], type=_new_name)
    play.add_argument("--age", type=_age)
    play.add_argument("--no-audio", action="store_true")
    play.add_argument("--no-ambient", action="store_true")
    play.add_argument(
        "--no-checkin", action="store_true", help="--plain: ask no check-in questions"
    )

    narrate = command("narrate", cmd_narrate, "make narration clips with a text-to-speech engine")
    narrate.add_argument("targets", nargs="*", help="scripts or plans (default: the whole library)")
    narrate.add_argument("--engine", default="auto", choices=ENGINE_CHOICES)
    narrate.add_argument("--voice", help="the engine's voice (default: its best)")
    narrate.add_argument("--force", action="store_true", help="render again even if cached")
    narrate.add_argument("--jobs", type=int, help="lines rendered at once (default: all cores)")
    narrate.add_argument("--into", help=argparse.SUPPRESS)  # tools/: the shipped audio/narration

    log = command("log", cmd_log, "the practice journal")
    log.add_argument("--profile", type=_looked_up_name)
    log.add_argument("--since")
    log.add_argument("--until")
    log.add_argument("--json", action="store_true")

    report = command("report", cmd_report, "a report for the psychologist")
    report.add_argument("--profile", type=_looked_up_name)
    report.add_argument("--since")
    report.add_argument("--until")
    report.add_argument("--format", choices=["csv", "json", "html"], default="html")
    report.add_argument("--out", help="the file to write (default: print it)")
    report.add_argument(
        "--replace", action="store_true", help="overwrite --out if it exists (default: a new name)"
    )

    pack = command("pack", cmd_pack, "make one file of a plan for a family: scripts, clips, voice")
    pack.add_argument("plan", help="a plan id or a plan's .yaml file")
    pack.add_argument("--out", help="the .zip to write (default: PLAN-pack.zip here)")
    pack.add_argument(
        "--engine", default="auto", choices=ENGINE_CHOICES,
        help="the voice to narrate your scripts with (default: the best installed)",
    )  # fmt: skip
    pack.add_argument("--voice", help="the engine's voice (default: its best)")
    pack.add_argument(
        "--no-narration", action="store_true", help="no narration clips: captions only at home"
    )

    imports = command("import", cmd_import, "add a script, plan or pack to your library")
    imports.add_argument("file", help="a script or plan .yaml, or a pack (a folder or .zip)")
    imports.add_argument(
        "--profile",
        type=_new_name,
        help="give the plan to this person (a new name becomes a new profile)",
    )
    imports.add_argument(
        "--replace",
        action="store_true",
        help="overwrite files and ids already in your library; with --profile, give the"
        " person this plan in place of the one they have",
    )

    doctor = command("doctor", cmd_doctor, "check sound, voices, narration and the data folder")
    doctor.add_argument("--json", action="store_true")

    export = command("export", cmd_export, "write everything calmkit holds to one file")
    export.add_argument(
        "--profile", type=_looked_up_name, help="only this person's practice (default: everyone)"
    )
    export.add_argument("--out", help="the file to write (default: calmkit-export-….zip here)")
    export.add_argument(
        "--replace", action="store_true", help="overwrite --out if it exists (default: a new name)"
    )

    forget = command("forget", cmd_forget, "delete a person's data, or everything")
    forget.add_argument(
        "--profile", type=_looked_up_name, help="only this person (default: everything)"
    )
    forget.add_argument("--yes", action="store_true", help="do not ask first")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    try:
        _finish_cut_short_imports()
        if handler is None:
            return _run_tui(args)  # Textual writes to the real terminal, literal text only
        with _shown_output():
            return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (| head): nothing more to say.
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # the last resort: one line, never a traceback
        if os.environ.get("CALMKIT_DEBUG"):
            raise
        _error(
            f"something went wrong ({type(error).__name__}: {error}); "
            "set CALMKIT_DEBUG=1 to see the details"
        )
        return EXIT_PROBLEM
    finally:
        notices = locations.take_notices()
        if notices and not sys.stderr.closed:
            print("\n".join(f"note: {text}" for text in notices), file=sys.stderr)


def _finish_cut_short_imports() -> None:
    """An import killed halfway left its stage: finish it or remove it (staging.py)."""
    from calmkit.session.staging import recover

    for text in recover():
        print(f"note: {text}", file=sys.stderr)
