"""How long narration takes: a whole script from nothing, then after editing one line.

    python benchmarks/narrate_time.py [SCRIPT_ID] [--engine festival]

It works in a throwaway CALMKIT_HOME, so your own narration cache is untouched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def narrate(home: Path, target: str, engine: str) -> tuple[float, str]:
    env = {**os.environ, "CALMKIT_HOME": str(home)}
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "calmkit", "narrate", target, "--engine", engine],
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
    args = parser.parse_args()
    source = next((REPO_ROOT / "scripts").rglob(f"{args.script}.yaml"))
    with tempfile.TemporaryDirectory(prefix="calmkit-bench-") as work:
        home = Path(work) / "home"
        copy = Path(work) / f"{args.script}.yaml"
        shutil.copy(source, copy)
        full, full_out = narrate(home, str(copy), args.engine)
        again, again_out = narrate(home, str(copy), args.engine)
        text = copy.read_text(encoding="utf-8")
        # Edit the first plain `- say:` line of the script.
        lines = text.splitlines()
        index = next(i for i, line in enumerate(lines) if line.strip().startswith("- say: "))
        lines[index] = lines[index].rstrip() + " Take your time."
        copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
        edited, edited_out = narrate(home, str(copy), args.engine)
    print(f"machine: {os.cpu_count()} cores, engine {args.engine}, script {args.script}")
    print(f"full narration      {full:6.2f} s   {full_out}")
    print(f"nothing changed     {again:6.2f} s   {again_out}")
    print(f"one line edited     {edited:6.2f} s   {edited_out}")


if __name__ == "__main__":
    main()
