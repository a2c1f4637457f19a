"""How much CPU and memory `calmkit play --plain` uses while a session plays.

    python benchmarks/plain_cpu.py [--seconds 60] [--script balloon-belly] [--json]

Runs ``python -m calmkit play SCRIPT --plain`` with real pygame output into a
PulseAudio null sink (ambient on, as a child would hear it), for N seconds,
then stops it with Ctrl-C. Reports CPU as a percentage of one core, from
/proc/<pid>/stat (utime + stime, all threads) over wall time, for the whole run
and for the part after start-up, the busiest second, and peak RSS (VmHWM).
It records the sink meanwhile, to show that sound really came out.

Uses a throwaway CALMKIT_HOME, so your own data and journal are untouched.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from onset_accuracy import REPO_ROOT, SINK_RATE, Recorder, null_sink, pulse_env

TICKS = os.sysconf("SC_CLK_TCK")
STARTUP_SECONDS = 5.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 14 and 15 of stat(5), counted after the command name (field 2) ends.
    return (int(fields[11]) + int(fields[12])) / TICKS


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def run(script: str, seconds: float, ambient: bool) -> dict[str, object]:
    with (
        tempfile.TemporaryDirectory(prefix="calmkit-cpu-") as folder,
        null_sink("calmkit_cpu") as sink,
    ):
        env = pulse_env(sink)
        env["CALMKIT_HOME"] = str(Path(folder) / "home")
        command = [sys.executable, "-m", "calmkit", "play", script, "--plain"]
        if not ambient:
            command.append("--no-ambient")
        recorder = Recorder(sink, Path(folder) / "out.raw")
        began = time.monotonic()
        process = subprocess.Popen(
            command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
        )
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
        reader.start()
        samples: list[tuple[float, float]] = []  # (wall seconds since start, CPU seconds)
        peak_threads = 0
        deadline = began + seconds
        while time.monotonic() < deadline and process.poll() is None:
            try:
                samples.append((time.monotonic() - began, cpu_seconds(process.pid)))
                peak_threads = max(peak_threads, status_kib(process.pid, "Threads"))
                hwm_kib = status_kib(process.pid, "VmHWM")
                rss_kib = status_kib(process.pid, "VmRSS")
            except (FileNotFoundError, ProcessLookupError):
                break
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        ended_early = process.poll() is not None
        if not ended_early:
            samples.append((time.monotonic() - began, cpu_seconds(process.pid)))
            hwm_kib = status_kib(process.pid, "VmHWM")
            rss_kib = status_kib(process.pid, "VmRSS")
            process.send_signal(signal.SIGINT)
        process.wait(30)
        reader.join(5)
        recording = recorder.stop()
        heard = recording.astype(np.float64).mean(axis=1) / 32768.0
        level = float(np.sqrt(np.mean(heard**2))) if heard.size else 0.0
        heard_seconds = heard.size / SINK_RATE
        del recording, heard

    wall, cpu = samples[-1]
    steady = [(t, c) for t, c in samples if t >= STARTUP_SECONDS]
    steady_percent = (
        100 * (steady[-1][1] - steady[0][1]) / (steady[-1][0] - steady[0][0])
        if len(steady) > 1
        else float("nan")
    )
    per_second = [
        100 * (c2 - c1) / (t2 - t1)
        for (t1, c1), (t2, c2) in itertools.pairwise(samples)
        if t2 - t1 > 0.5 and t1 >= STARTUP_SECONDS
    ]
    return {
        "script": script,
        "ambient": ambient,
        "wall_seconds": wall,
        "ended_by_itself": ended_early,
        "cpu_percent_whole_run": 100 * cpu / wall,
        "cpu_percent_after_startup": steady_percent,
        "cpu_percent_busiest_second": max(per_second) if per_second else float("nan"),
        "cpu_seconds": cpu,
        "peak_rss_mib": hwm_kib / 1024,
        "last_rss_mib": rss_kib / 1024,
        "threads": peak_threads,
        "output_rms_dbfs": 20 * np.log10(level) if level > 0 else float("-inf"),
        "recorded_seconds": heard_seconds,
        "header": [line.rstrip() for line in itertools.takewhile(lambda x: x[:1] != "[", lines)],
        "captions": sum(line.startswith("[") for line in lines),
        "exit_code": process.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--script", default="balloon-belly", help="a built-in script id")
    parser.add_argument("--no-ambient", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.script, args.seconds, ambient=not args.no_ambient)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"calmkit play {result['script']} --plain, {result['wall_seconds']:.0f} s")
    for line in result["header"]:  # type: ignore[attr-defined]
        print(f"  | {line}")
    print(
        f"  CPU, whole run (with start-up):   {result['cpu_percent_whole_run']:5.1f} % of one core"
    )
    print(
        f"  CPU, after the first {STARTUP_SECONDS:.0f} s:        {result['cpu_percent_after_startup']:5.1f} % of one core"
    )
    print(f"  CPU, busiest second after that:  {result['cpu_percent_busiest_second']:5.1f} %")
    print(f"  peak RSS (VmHWM):                {result['peak_rss_mib']:5.1f} MiB")
    print(f"  threads:                         {result['threads']:5d}")
    print(
        f"  sound out: {result['output_rms_dbfs']:.1f} dBFS RMS over {result['recorded_seconds']:.0f} s recorded;"
        f" {result['captions']} captions printed"
    )


if __name__ == "__main__":
    main()
