"""Packs and imports: `pack` makes one file of a plan, `import` adds files (and gives a plan)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from calmkit import locations
from calmkit.cli.narration import render_with_progress
from calmkit.cli.output import EXIT_OK, EXIT_PROBLEM, print_error
from calmkit.content.library import load_library
from calmkit.words import plural

if TYPE_CHECKING:
    from calmkit.audio.narration import Line, NarrateReport
    from calmkit.content.model import Plan
    from calmkit.records.journal import Journal

# --- pack --------------------------------------------------------------------------------


def cmd_pack(args: argparse.Namespace) -> int:
    from calmkit.packs.make import PackError, build_pack

    library = load_library()
    out = Path(args.out) if args.out else Path(f"{Path(args.plan).stem}-pack.zip")
    render = None
    if not args.no_narration:

        def render(lines: set[Line]) -> NarrateReport:
            return render_with_progress(lines, args.engine, args.voice)

    try:
        report = build_pack(args.plan, out, library, render)
    except PackError as error:
        # The import's own lines as they are, then what it means for the pack.
        for line in error.lines[:-1]:
            print(line, file=sys.stderr)
        print_error(error.lines[-1])
        return EXIT_PROBLEM
    for warning in dict.fromkeys([*report.warnings, *report.check]):
        print(warning, file=sys.stderr)
    own = ", ".join(report.scripts) or "none"
    print(f"Wrote {report.out}: plan '{report.plan}', your scripts: {own}")
    if report.builtin:
        print(f"  built-in scripts it uses (every calmkit has them): {', '.join(report.builtin)}")
    print(
        f"  {plural(report.sounds, 'sound file')}, "
        f"{plural(report.recordings, 'recording')}, "
        f"{plural(report.narration, 'narration clip')}"
        + (f" ({report.voice}, {report.rendered} made now)" if report.voice else "")
    )
    print(f"  checked as the family's 'calmkit import {report.out.name}' will: it imports cleanly")
    return EXIT_OK


# --- import ------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from calmkit.packs.importer import format_result, import_path

    path = Path(args.file)
    giving = _PlanGiving(args.profile, args.replace) if args.profile else None
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
    from calmkit.playback.practice import open_log
    from calmkit.records.people import adopt_imported_plans

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

    def __init__(self, name: str, replace: bool) -> None:
        self.name = name
        self.replace = replace
        self.journal: Journal | None = None
        self.plan: Plan | None = None

    def accept(self, plans: list[Plan]) -> str | None:
        from calmkit.records.journal import JournalUnavailable, open_journal
        from calmkit.records.people import adopt_imported_plans

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
            self.journal = open_journal()
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
        from calmkit.records.journal import JournalUnavailable
        from calmkit.records.people import give_plan

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
            print_error(f"{error}: the plan was imported but not given to {self.name}")
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
