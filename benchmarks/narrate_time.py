"""How long narration takes: a whole script from nothing, then after editing one line.

    python benchmarks/narrate_time.py [SCRIPT_ID] [--engine festival] [--repeat 3] [--edits-only]
    python benchmarks/narrate_time.py --edits-only --repeat 9 --against OTHER/src

Re-narrating one edited line must take at most 2 s (EDIT_TARGET_SECONDS): an author
who changes a word hears it again at once. It is printed against that target, with
every run's time, the median and spread, the load average before and after (other
work on the machine slows every run), and each run's CPU time (the calmkit process
and the engine's, user + system), which load changes far less than wall time.

Most of an edit's time is not the render (festival, about 0.7 s in its own process)
but mastering's pyloudnorm import (numpy and scipy.signal, about 1.3 s of CPU), which
calmkit narrate runs in a thread while the engine renders (narration.warm_up).

``--against DIR`` also times another calmkit source folder (an older commit's
``src``, from ``git worktree add`` or ``git archive``; its calmkit reads the scripts
and audio beside that ``src``), each edit run by the two in turn, so both see the
same load.

Each calmkit runs as an installed one does, its own modules compiled once and read
from __pycache__: PYTHONDONTWRITEBYTECODE is left out of the children's environment
(with it, Python compiles calmkit's own modules again on every start, about 0.1 s
more); the run before the edits (nothing changed) writes that cache.

It works in a throwaway CALMKIT_HOME, so your own narration cache is untouched.
The full render goes into an empty folder, so the shipped clips are not reused.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EDIT_TARGET_SECONDS = 2.0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def narrate(
    home: Path, target: str, engine: str, *extra: str, source: Path | None = None
) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, what narrate printed) of one `calmkit narrate`."""
    env = {**os.environ, "CALMKIT_HOME": str(home)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    cpu = children_cpu()
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "calmkit", "narrate", target, "--engine", engine, *extra],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - began, children_cpu() - cpu, result.stdout.strip()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def summary(name: str, walls: list[float], cpus: list[float]) -> str:
    median = statistics.median(walls)
    verdict = "met" if median <= EDIT_TARGET_SECONDS else "MISSED"
    return (
        f"{name}: one line edited {median:.2f} s, median of {len(walls)} "
        f"(min {min(walls):.2f}, max {max(walls):.2f}; every run: "
        f"{', '.join(f'{wall:.2f}' for wall in walls)}); CPU median {statistics.median(cpus):.2f} s"
        f"\n  target: one edited line in at most {EDIT_TARGET_SECONDS:g} s: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", nargs="?", default="five-senses")
    parser.add_argument("--engine", default="festival")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--edits-only", action="store_true", help="skip the full render (about 45 s of both cores)"
    )
    parser.add_argument(
        "--against", type=Path, help="another calmkit's src folder, timed in turn with this one"
    )
    args = parser.parse_args()
    source = next((REPO_ROOT / "scripts").rglob(f"{args.script}.yaml"))
    sources: dict[str, Path | None] = {"this checkout": None}
    if args.against is not None:
        sources[f"against {args.against}"] = args.against.resolve()
    print(f"machine: {os.cpu_count()} cores, engine {args.engine}, script {args.script}")
    print(f"load average (1, 5, 15 min) before: {load()}")
    walls: dict[str, list[float]] = {name: [] for name in sources}
    cpus: dict[str, list[float]] = {name: [] for name in sources}
    with tempfile.TemporaryDirectory(prefix="calmkit-bench-") as work:
        home = Path(work) / "home"
        copy = Path(work) / f"{args.script}.yaml"
        shutil.copy(source, copy)
        empty = Path(work) / "fresh"
        if not args.edits_only:
            full, full_cpu, full_out = narrate(home, str(copy), args.engine, "--into", str(empty))
            print(f"full narration      {full:6.2f} s (CPU {full_cpu:.2f} s)   {full_out}")
        for name, folder in sources.items():
            again, again_cpu, again_out = narrate(home, str(copy), args.engine, source=folder)
            print(
                f"nothing changed     {again:6.2f} s (CPU {again_cpu:.2f} s)   {name}: {again_out}"
            )
        # Edit one line, the first young-tier variant, heard at one speaking rate.
        lines = copy.read_text(encoding="utf-8").splitlines()
        index = next(i for i, line in enumerate(lines) if line.strip().startswith("young: "))
        original = lines[index].rstrip()
        edited_out = ""
        order = list(sources.items())
        for _attempt in range(args.repeat):
            for name, folder in order:
                lines[index] = original + f" Take your time{'.' * (len(cpus[name]) + 1)}"
                if name != "this checkout":
                    lines[index] = lines[index].replace("Take your", "Take all your")
                copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
                seconds, cpu, edited_out = narrate(home, str(copy), args.engine, source=folder)
                walls[name].append(seconds)
                cpus[name].append(cpu)
            order.reverse()  # neither goes first every time
    print(f"each edit: {edited_out}")
    for name in sources:
        print(summary(name, walls[name], cpus[name]))
    print(f"load average (1, 5, 15 min) after: {load()}")


if __name__ == "__main__":
    main()
