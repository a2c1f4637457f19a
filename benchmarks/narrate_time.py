"""How long narration takes: a whole script from nothing, then after editing one line.

    python benchmarks/narrate_time.py [SCRIPT_ID] [--engine festival] [--repeat 3] [--edits-only]

Re-narrating one edited line should take under 2 s. About half of its CPU time
(1.7 s in all, measured with /usr/bin/time) is mastering's pyloudnorm import
(scipy.signal, about 0.8 s), which calmkit narrate starts in a thread first, so
that it overlaps reading the library and the engine's render.

It works in a throwaway CALMKIT_HOME, so your own narration cache is untouched.
The full render goes into an empty folder, so the shipped clips are not reused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EDIT_TARGET_SECONDS = 2.0


def narrate(home: Path, target: str, engine: str, *extra: str) -> tuple[float, str]:
    env = {**os.environ, "CALMKIT_HOME": str(home)}
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "calmkit", "narrate", target, "--engine", engine, *extra],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - began, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("script", nargs="?", default="five-senses")
    parser.add_argument("--engine", default="festival")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--edits-only", action="store_true", help="skip the full render (about 45 s of both cores)"
    )
    args = parser.parse_args()
    source = next((REPO_ROOT / "scripts").rglob(f"{args.script}.yaml"))
    with tempfile.TemporaryDirectory(prefix="calmkit-bench-") as work:
        home = Path(work) / "home"
        copy = Path(work) / f"{args.script}.yaml"
        shutil.copy(source, copy)
        empty = Path(work) / "fresh"
        full, full_out = (
            (0.0, "skipped")
            if args.edits_only
            else narrate(home, str(copy), args.engine, "--into", str(empty))
        )
        again, again_out = narrate(home, str(copy), args.engine)
        # Edit one line, the first young-tier variant, heard at one speaking rate.
        lines = copy.read_text(encoding="utf-8").splitlines()
        index = next(i for i, line in enumerate(lines) if line.strip().startswith("young: "))
        edits: list[float] = []
        edited_out = ""
        for attempt in range(args.repeat):
            lines[index] = lines[index].rstrip() + f" Take your time{'.' * (attempt + 1)}"
            copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
            seconds, edited_out = narrate(home, str(copy), args.engine)
            edits.append(seconds)
    print(f"machine: {os.cpu_count()} cores, engine {args.engine}, script {args.script}")
    print(f"full narration      {full:6.2f} s   {full_out}")
    print(f"nothing changed     {again:6.2f} s   {again_out}")
    median = statistics.median(edits)
    print(
        f"one line edited     {median:6.2f} s   median of {len(edits)} "
        f"(min {min(edits):.2f}, max {max(edits):.2f}); {edited_out}"
    )
    verdict = "met" if median < EDIT_TARGET_SECONDS else "missed"
    print(f"target: one edited line in under {EDIT_TARGET_SECONDS:g} s: {verdict}")


if __name__ == "__main__":
    main()
