"""The library's commands: `list`, `show`, `validate` and `new`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from calmkit import locations
from calmkit.cli.output import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_USAGE,
    print_error,
    print_json,
    report_target_error,
)
from calmkit.content.library import Library, load_files, load_library, yaml_files
from calmkit.content.problems import Problem
from calmkit.content.safetext import shown
from calmkit.content.timeline import Timeline
from calmkit.playback.targets import TargetError
from calmkit.words import clock, plural


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
        print_json(
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


def _timeline_for(args: argparse.Namespace) -> Timeline | int:
    from calmkit.playback.prepare import session_clips
    from calmkit.playback.targets import resolve
    from calmkit.records.settings import load_settings

    try:
        request = resolve(args.target, load_library(), age=args.age)
    except TargetError as error:
        return report_target_error(error)
    # The clips a session would play: in the family's chosen voice where it has them all;
    # with --no-audio, the session as it plays without sound (a script's `when` steps).
    clips = session_clips(request, load_settings().narrator)
    return request.timeline(clips, sound=not getattr(args, "no_audio", False))


def cmd_show(args: argparse.Namespace) -> int:
    timeline = _timeline_for(args)
    if isinstance(timeline, int):
        return timeline
    if args.json:
        print_json(timeline.as_json())
        return EXIT_OK
    together = ", together" if timeline.together else ""
    print(
        f"{shown(timeline.title)}  ({timeline.id}, {timeline.tier}{together},"
        f" {clock(timeline.duration)})"
    )
    for cue in timeline.cues:
        detail = shown(cue.text or (Path(cue.audio).name if cue.audio else ""))
        if cue.area and cue.kind in ("tense", "release"):
            detail = f"[{cue.area}] {detail}"
        print(f"  {clock(cue.start)}  {cue.kind:<11}  {detail}")
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
            print_error(f"no such file or folder: {name}")
        if not files and not missing:
            print_error(f"no .yaml files found in {', '.join(args.paths)}")
            return EXIT_PROBLEM
        from calmkit.playback.targets import sibling_scripts

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
    checked_files = plural(count, "file")
    if failing:
        print(
            f"{checked_files} checked: {plural(len(failing), 'problem')} "
            f"in {plural(files_failing, 'file')}",
            file=sys.stderr,
        )
        return EXIT_PROBLEM
    if missing:
        return EXIT_USAGE
    if warnings:
        print(
            f"{checked_files} checked: no errors, {plural(warnings, 'warning')}"
            " (the files work; --strict counts warnings as problems)",
            file=sys.stderr,
        )
        return EXIT_OK
    print(f"{checked_files} checked: all good", file=sys.stderr)
    return EXIT_OK


# --- new ---------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from calmkit.content.loader import load_text
    from calmkit.content.model import KINDS
    from calmkit.content.templates import identifier_for, plan_template, script_template

    identifier = identifier_for(args.name)
    if not identifier:
        print_error(f"'{args.name}' has no letters or digits to make an id from")
        return EXIT_USAGE
    library = load_library()
    if library.find(identifier) is not None or library.broken_with_id(identifier):
        print_error(
            f"the library already has a script or plan called '{identifier}': choose another name"
        )
        return EXIT_PROBLEM
    if args.what == "script":
        if args.kind not in KINDS:
            print_error(f"unknown kind '{args.kind}': choose one of {', '.join(KINDS)}")
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
        print_error(f"{target} is there already: calmkit never writes over a file")
        return EXIT_PROBLEM
    except OSError as error:
        print_error(f"could not write {target}: {error.strerror or error}")
        return EXIT_PROBLEM
    print(f"Wrote {target}: a {args.what} that works as it is. Edit it, then check it with")
    print(f"  calmkit validate {target}")
    if args.what == "script":
        print(f"  calmkit play {target} --plain")
    return EXIT_OK
