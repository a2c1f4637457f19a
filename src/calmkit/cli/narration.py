"""`narrate`: narration clips made with a text-to-speech engine, with a progress bar."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calmkit.cli.output import EXIT_OK, EXIT_PROBLEM, print_error, terminal
from calmkit.content.library import load_files, load_library
from calmkit.content.model import Script
from calmkit.words import plural

if TYPE_CHECKING:
    from calmkit.audio.narration import Line, NarrateReport


def cmd_narrate(args: argparse.Namespace) -> int:
    from calmkit.audio.engines import EngineError
    from calmkit.audio.narration import lines_for_script

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
                print_error(
                    f"there is no script or plan called '{target}'{library.suggestion(target)}"
                )
                return EXIT_PROBLEM
            if isinstance(found, Script):
                scripts.append(found)
            else:
                plans.append(found)
                ids = set(found.script_ids())
                scripts += [library.scripts[i] for i in sorted(ids) if i in library.scripts]
    else:
        scripts = list(library.scripts.values())
    lines = set().union(*(lines_for_script(script, plans) for script in scripts))
    out_root = Path(args.into) if args.into else None
    try:
        report = render_with_progress(
            lines, args.engine, args.voice, force=args.force, jobs=args.jobs, out_root=out_root
        )
    except EngineError as error:
        print_error(str(error))
        return EXIT_PROBLEM
    for text, message in report.failed:
        print_error(f"could not narrate '{text[:60]}': {message}")
    print(
        f"{report.voice}: {plural(report.rendered, 'new clip')}, "
        f"{report.already} already there, {len(report.failed)} failed "
        f"({plural(len(scripts), 'script')})"
    )
    return EXIT_PROBLEM if report.failed else EXIT_OK


def render_with_progress(
    lines: set[Line],
    engine: str,
    voice: str | None,
    *,
    force: bool = False,
    jobs: int | None = None,
    out_root: Path | None = None,
) -> NarrateReport:
    """render_lines with a progress bar on a terminal (`narrate`, and `pack`'s clips)."""
    from calmkit.audio.narration import render_lines

    with progress_bar() as update:
        # In render_lines' own order (its parameters as above, then the progress).
        return render_lines(lines, engine, voice, force, out_root, jobs, update)


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A passing progress bar on a terminal, once more than one clip is to be rendered.

    rich is imported only then: one edited line renders in about a second, and the
    import would hold up its start (see narration.warm_up).
    """
    if not sys.stderr.isatty():
        yield None
        return
    shown: list[tuple[Any, Any]] = []

    def update(done: int, total: int) -> None:
        if not shown:
            if total <= 1:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            progress = Progress(
                TextColumn("narrating"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                transient=True,
                console=Console(file=terminal(sys.stderr)),
            )
            progress.start()
            shown.append((progress, progress.add_task("narrate", total=total)))
        progress, task = shown[0]
        progress.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if shown:
            shown[0][0].stop()
