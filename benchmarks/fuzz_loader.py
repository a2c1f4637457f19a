"""Fuzz the script and plan loader for a few minutes: it may only ever report problems.

    python benchmarks/fuzz_loader.py                 # 3 minutes
    python benchmarks/fuzz_loader.py --minutes 30    # a long night
    python benchmarks/fuzz_loader.py --seed 7 --json # JSON on stdout, the table on stderr
    python benchmarks/fuzz_loader.py --keep DIR      # keep every failing input (and the slowest)

Every shipped script and plan (scripts/**/*.yaml) is the seed corpus. Inputs
come from two sources, taking turns in slices of a few seconds:

- mutations of the corpus, from a seeded random generator: bit and byte flips,
  lines deleted, duplicated, swapped and re-indented, keys misspelt, values
  swapped for huge or odd numbers and YAML's oddities, unicode oddities
  (byte order marks, zero-width and right-to-left marks, NEL and U+2028 line
  breaks, broken UTF-8), deep nesting (flow and block, up to 100 000 levels),
  anchors and aliases (billion laughs), extra documents, tags, very long lines,
  files near and over the size limit, splices of two files, truncation;
- hypothesis: the same mutations driven by its random choices, random bytes,
  random token soups, and random YAML values under calmkit's keys.

Each input goes to ``load_text`` (one in ten through a file and ``load_path``)
under a time limit (2 s by default, enforced with SIGALRM). A failure is any
exception, any input that takes longer than the limit, or a result that breaks
the loader's promises: every problem has a message and a line and column inside
the file, and a result is usable exactly when it has no errors.

It prints the inputs tried, their speed, how many loaded and how many were
refused with problems, the slowest inputs (time, size, what was done to them),
and the failures, which must be 0. The exit status is 1 if any failure was found.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

from calmkit.content import loader  # noqa: E402
from calmkit.content.loader import LoadResult, load_path, load_text  # noqa: E402
from calmkit.content.problems import Problem  # noqa: E402
from calmkit.content.yamldoc import MAX_FILE_BYTES, MAX_NESTING  # noqa: E402

LABEL = "fuzz.yaml"
SLICE_SECONDS = 10.0
SLOWEST_KEPT = 5
YAML_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")

SEEDS = sorted((REPO_ROOT / "scripts").rglob("*.yaml"))
SEED_TEXTS = [path.read_bytes() for path in SEEDS]
SEED_IDS = frozenset(path.stem for path in SEEDS if path.parent.name != "plans")

KEYS = sorted(
    {
        key
        for name in dir(loader)
        if name.endswith("_KEYS") or name in ("ACTIONS", "STEP_EXTRAS")
        for key in getattr(loader, name)
    }
)
ODD_VALUES = [
    "1e309", "-1e309", "9" * 400, "-0", "0.0000000001", ".nan", ".NaN", ".inf", "-.inf",
    "0x7fffffffffffffff", "0o777", "0b101", "1_000", "1:30", "99:99:99", "190:20:30",
    "2026-13-45", "0000-00-00", "9999-12-31T23:59:60Z", "~", "null", "yes", "No", "on", "off",
    "''", '""', "[]", "{}", "[[]]", "!!binary aGVsbG8=", "!!python/object/apply:os.system ['x']",
    "!custom x", "!!float 1", "!!int x", "!!str", "!!set {a, b}", "!!omap [a: 1]", "? a",
    "|", ">-", "|+\n  x", "&a x", "*a", "<<: {a: 1}", "-", "- - -", ": :", "'unclosed",
    '"unclosed', '"\\ud800"', '"\\x00"', '"\\U0010ffff"', "%TAG ! x", "5-4", "18-5", "0-0",
    "-3", "1000000", "12.5", "1e3", "3-", "-9-",
]  # fmt: skip
UNICODE_ODDITIES = [
    "\ufeff", "\u200b", "\u200d", "\u202e", "\u2066", "\u00a0", "\u3000", "\u0301\u0301\u0301",
    "\u2028", "\u2029", "\x85", "\r", "\r\n", "\t", "\x00", "\x07", "\x1b[2J", "\ud7ff",
    "\ufffe", "\uffff", "\U0001f600", "\U0001f469\u200d\U0001f467", "\uff1a", "\u2014",
    "\u201c", "\u0130", "\u00df", "\u0394", "\u05d0", "\u0627", "\u4e2d", "\ufdfd" * 20,
]  # fmt: skip
BAD_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\x80",
    b"\xe2\x82",
]


class Hang(BaseException):
    """The time limit ran out (a BaseException, so the loader cannot swallow it)."""


# --- mutations -----------------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def bit_flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(buffer))
        buffer[position] ^= 1 << rng.randrange(8)
    return bytes(buffer)


def byte_change(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        position = rng.randint(0, len(buffer))
        choice = rng.random()
        if choice < 0.4 and position < len(buffer):
            buffer[position] = rng.randrange(256)
        elif choice < 0.7:
            buffer[position:position] = bytes([rng.randrange(256)])
        else:
            del buffer[position : position + rng.randint(1, 16)]
    return bytes(buffer)


def line_edit(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        index = rng.randrange(len(lines))
        action = rng.choice(["delete", "duplicate", "swap", "move", "indent", "dedent", "repeat"])
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "move":
            lines.insert(rng.randrange(len(lines)), lines.pop(index))
        elif action == "indent":
            lines[index] = b" " * rng.choice([1, 2, 3, 4, 8]) + lines[index]
        elif action == "dedent":
            lines[index] = lines[index].lstrip(b" ")
        else:
            span = lines[index : index + rng.randint(1, 8)]
            lines[index:index] = span * rng.randint(2, 50)
    return b"\n".join(lines)


def key_typo(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    found = [m for m in re.finditer(r"(?m)^([ \t]*(?:-[ \t]+)?)([A-Za-z_]+):", text)]
    if not found:
        return data
    match = rng.choice(found)
    key = match.group(2)
    edit = rng.choice(["drop", "double", "swap", "case", "other", "space", "plural", "unicode"])
    if edit == "drop" and len(key) > 1:
        cut = rng.randrange(len(key))
        key = key[:cut] + key[cut + 1 :]
    elif edit == "double":
        cut = rng.randrange(len(key))
        key = key[:cut] + key[cut] + key[cut:]
    elif edit == "swap" and len(key) > 1:
        cut = rng.randrange(len(key) - 1)
        key = key[:cut] + key[cut + 1] + key[cut] + key[cut + 2 :]
    elif edit == "case":
        key = key.upper() if rng.random() < 0.5 else key.capitalize()
    elif edit == "other":
        key = rng.choice(KEYS)
    elif edit == "space":
        key = key + " "
    elif edit == "plural":
        key = key + "s"
    else:
        key = key.replace("e", "\u0435")  # Cyrillic e: looks the same
    start, end = match.span(2)
    return (text[:start] + key + text[end:]).encode("utf-8")


def odd_value(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    found = list(re.finditer(r"(?m):[ ]+([^\n#]+)$", text))
    if not found:
        return data
    match = rng.choice(found)
    start, end = match.span(1)
    return (text[:start] + rng.choice(ODD_VALUES) + text[end:]).encode("utf-8")


def unicode_oddity(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        position = rng.randint(0, len(buffer))
        if rng.random() < 0.25:
            piece = rng.choice(BAD_UTF8)
        else:
            piece = rng.choice(UNICODE_ODDITIES).encode("utf-8", "surrogatepass")
        buffer[position:position] = piece
    return bytes(buffer)


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, 100, 1000, 10_000, 100_000])
    style = rng.choice(["flow-list", "flow-map", "block-list", "block-map", "mixed"])
    if style == "flow-list":
        nested = b"[" * depth + b"x" + b"]" * depth
    elif style == "flow-map":
        nested = b"{a: " * depth + b"x" + b"}" * depth
    elif style == "block-list":
        depth = min(depth, 2000)  # each level is a line of its own
        nested = b"".join(b"\n" + b"  " * level + b"-" for level in range(depth)) + b" x"
    elif style == "block-map":
        depth = min(depth, 2000)
        nested = b"".join(b"\n" + b"  " * level + b"k:" for level in range(depth)) + b" x"
    else:
        nested = b"[{a: " * (depth // 2) + b"x" + b"}]" * (depth // 2)
    if rng.random() < 0.2:
        nested = nested[: rng.randint(0, len(nested))]  # unclosed
    lines = _lines(data)
    index = rng.randrange(len(lines)) if lines else 0
    line = lines[index] if lines else b""
    if b":" in line and rng.random() < 0.7:
        lines[index] = line.split(b":", 1)[0] + b": " + nested
    else:
        lines.insert(index, b"steps: " + nested)
    return b"\n".join(lines)


def yaml_trick(data: bytes, rng: random.Random) -> bytes:
    trick = rng.choice(["laughs", "anchor", "documents", "tags", "directive", "merge", "complex"])
    if trick == "laughs":
        parts = [b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        parts += [
            f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]".encode()
            for n in range(9)
        ]
        return data + b"\n" + b"\n".join(parts) + b"\n"
    if trick == "anchor":
        return data.replace(b"steps:", b"steps: &s", 1) + b"\nagain: *s\n"
    if trick == "documents":
        return data + b"\n---\n" + rng.choice(SEED_TEXTS)
    if trick == "tags":
        return re.sub(rb"(?m)^(\s*-\s*say:)", rb"\1 !!python/object:os.system", data, count=1)
    if trick == "directive":
        return b"%YAML 1.1\n%TAG ! tag:x,2000:\n---\n" + data
    if trick == "merge":
        return data + b"\n<<: {id: merged, title: Merged}\n"
    return b"? [complex, key]\n: value\n" + data


def size_edge(data: bytes, rng: random.Random) -> bytes:
    choice = rng.random()
    if choice < 0.3:
        return data + b"\n" + b"#" * (MAX_FILE_BYTES - len(data) + rng.randint(-2, 2))
    if choice < 0.6:
        long_line = b"x" * rng.choice([10_000, 100_000, 250_000])
        return re.sub(rb"(?m)(say: ).*$", lambda m: m.group(1) + long_line, data, count=1)
    steps = data.find(b"steps:")
    if steps < 0:
        return data * rng.randint(2, 40)
    body = data[steps + len(b"steps:") :]
    return data + body * rng.randint(2, max(2, MAX_FILE_BYTES // max(1, len(body))))


def splice(data: bytes, rng: random.Random) -> bytes:
    other = rng.choice(SEED_TEXTS)
    return data[: rng.randint(0, len(data))] + other[rng.randint(0, len(other)) :]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, len(data))]


def line_endings(data: bytes, rng: random.Random) -> bytes:
    ending = rng.choice([b"\r\n", b"\r", b"\n\n", "\u2028".encode(), b"\xc2\x85"])
    text = data.replace(b"\n", ending)
    return text if rng.random() < 0.5 else text.replace(b"  ", b"\t", rng.randint(1, 20))


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "bit-flip": bit_flip,
    "byte-change": byte_change,
    "line-edit": line_edit,
    "key-typo": key_typo,
    "odd-value": odd_value,
    "unicode": unicode_oddity,
    "deep-nesting": deep_nesting,
    "yaml-trick": yaml_trick,
    "size-edge": size_edge,
    "splice": splice,
    "truncate": truncate,
    "line-endings": line_endings,
}
# Cheap, common mutations more often than the costly ones.
WEIGHTS = {"deep-nesting": 0.5, "size-edge": 0.3, "yaml-trick": 0.6, "splice": 0.6}


def mutate(rng: random.Random) -> tuple[bytes, str]:
    index = rng.randrange(len(SEED_TEXTS))
    data = SEED_TEXTS[index]
    names = list(MUTATIONS)
    weights = [WEIGHTS.get(name, 1.0) for name in names]
    applied = rng.choices(names, weights, k=rng.choice([1, 1, 1, 2, 2, 3, 5, 8]))
    for name in applied:
        data = MUTATIONS[name](data, rng)
    return data, f"{SEEDS[index].name}: {', '.join(applied)}"


# --- checking one input ----------------------------------------------------------------------------


@dataclass
class Tally:
    tried: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    loaded: int = 0
    refused: int = 0
    times: list[float] = field(default_factory=list)
    slowest: list[tuple[float, int, str, bytes]] = field(default_factory=list)
    failures: list[dict[str, object]] = field(default_factory=list)


def promises_broken(result: object, data: bytes) -> str | None:
    """What the loader's result gets wrong, or None."""
    if not isinstance(result, LoadResult):
        return f"returned {type(result).__name__}, not a LoadResult"
    text = data.decode("utf-8", "replace")
    # YAML breaks lines at \r, NEL and U+2028/9 too (a \r\n counted twice only loosens this).
    last_line = sum(text.count(brk) for brk in YAML_LINE_BREAKS) + 2
    for problem in result.problems:
        if not isinstance(problem, Problem) or not problem.message:
            return f"a problem without a message: {problem!r}"
        if not 1 <= problem.line <= last_line or problem.col < 1:
            return f"a problem outside the file (it has {last_line - 1} lines): {problem}"
        if not str(problem).startswith(f"{LABEL}:"):
            return f"a problem with the wrong label: {problem}"
    usable = result.script is not None or result.plan is not None
    if usable != result.ok:
        return f"usable={usable} but ok={result.ok}: {result.problems[:3]}"
    return None


def _alarm(signum: int, frame: object) -> None:
    raise Hang


class Checker:
    def __init__(self, limit: float, keep: Path | None, work: Path) -> None:
        self.limit = limit
        self.keep = keep
        self.work = work
        self.tally = Tally()
        signal.signal(signal.SIGALRM, _alarm)

    def check(self, data: bytes, source: str, how: str) -> None:
        tally = self.tally
        tally.tried += 1
        tally.by_source[source] = tally.by_source.get(source, 0) + 1
        through_file = tally.tried % 10 == 0
        known = SEED_IDS if tally.tried % 3 == 0 else None
        failure: str | None = None
        result: object = None
        began = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, self.limit)
        try:
            if through_file:
                path = self.work / LABEL
                path.write_bytes(data)
                result = load_path(path, LABEL, known_scripts=known)
            else:
                result = load_text(data, label=LABEL, known_scripts=known)
        except Hang:
            failure = f"took longer than {self.limit} s"
        except Exception as error:
            failure = "raised " + "".join(traceback.format_exception_only(error)).strip()
            failure += "\n" + "".join(traceback.format_tb(error.__traceback__)[-3:])
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        seconds = time.perf_counter() - began
        tally.times.append(seconds)
        if failure is None:
            failure = promises_broken(result, data)
        if failure is None and isinstance(result, LoadResult):
            if result.ok:
                tally.loaded += 1
            else:
                tally.refused += 1
        if failure is not None:
            self.fail(data, source, how, failure)
        if len(tally.slowest) < SLOWEST_KEPT or seconds > tally.slowest[-1][0]:
            tally.slowest.append((seconds, len(data), f"{source}: {how}", data))
            tally.slowest.sort(key=lambda entry: -entry[0])
            del tally.slowest[SLOWEST_KEPT:]

    def fail(self, data: bytes, source: str, how: str, failure: str) -> None:
        """Note a failure; only the first of each kind is printed (and kept three times)."""
        failures = self.tally.failures
        kind = _kind(failure)
        same = sum(1 for entry in failures if entry["kind"] == kind)
        entry: dict[str, object] = {
            "kind": kind, "source": source, "how": how, "bytes": len(data), "failure": failure,
        }  # fmt: skip
        if self.keep is not None and same < 3:
            path = self.keep / f"failure-{len(failures) + 1:03d}.yaml"
            path.write_bytes(data)
            entry["kept"] = str(path)
        failures.append(entry)
        if same == 0:
            print(f"FAILURE ({source}: {how}, {len(data)} bytes): {failure}", file=sys.stderr)


def _kind(failure: str) -> str:
    """What makes two failures the same: the exception and where it was raised, or the broken promise."""
    first = failure.split("\n", 1)[0]
    if first.startswith("raised "):
        frames = re.findall(r'File "([^"]+)", line (\d+)', failure)
        where = f" at {Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else ""
        return first.split(":", 1)[0] + where
    return first.split(":", 1)[0]


# --- the two sources ---------------------------------------------------------------------------------


def run_mutations(checker: Checker, rng: random.Random, until: float) -> None:
    while time.monotonic() < until:
        data, how = mutate(rng)
        checker.check(data, "corpus", how)


def run_hypothesis(checker: Checker, until: float) -> None:
    try:
        from hypothesis import HealthCheck, Phase, given, settings
    except ImportError:
        sys.exit("fuzz_loader.py needs hypothesis, one of the test tools: pip install -e '.[test]'")
    from hypothesis import strategies as st

    tokens = [
        ":", ": ", "- ", "-", "{", "}", "[", "]", ",", "\n", "  ", "\t", "#", "'", '"', "|", ">",
        "&a ", "*a", "!!str ", "? ", "---\n", "...\n", "%YAML 1.2\n", "<<: ", "\\", "\x00",
        *KEYS, *ODD_VALUES, *UNICODE_ODDITIES,
    ]  # fmt: skip
    mutated = st.builds(
        lambda index, names, rng: _apply(index, names, rng),
        st.integers(0, len(SEED_TEXTS) - 1),
        st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=6),
        st.randoms(use_true_random=False),
    )
    soup = st.lists(st.sampled_from(tokens) | st.text(max_size=6), max_size=200).map(
        lambda parts: ("".join(parts).encode("utf-8", "surrogatepass"), "token soup")
    )
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(
                st.sampled_from([*KEYS, "calmkit", "plan", "x"]), children, max_size=8
            )
        ),
        max_leaves=40,
    ).map(lambda value: (_dump(value), "yaml value"))
    raw = st.binary(max_size=4000).map(lambda data: (data, "random bytes"))
    inputs = mutated | soup | values | raw

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(inputs)
    def one(case: tuple[bytes, str]) -> None:
        data, how = case
        checker.check(data, "hypothesis", how)

    while time.monotonic() < until:
        one()


def _apply(index: int, names: list[str], rng: random.Random) -> tuple[bytes, str]:
    data = SEED_TEXTS[index]
    for name in names:
        data = MUTATIONS[name](data, rng)
    return data, f"{SEEDS[index].name}: {', '.join(names)}"


def _dump(value: object) -> bytes:
    import yaml

    try:
        return yaml.safe_dump(value, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, UnicodeError):
        return b""


# --- main -------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="how long to fuzz (default 3)")
    parser.add_argument(
        "--limit", type=float, default=2.0, help="seconds allowed per input (default 2)"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="for the corpus mutations (default: random)"
    )
    parser.add_argument(
        "--keep", type=Path, help="a folder to keep failing inputs and the slowest in"
    )
    parser.add_argument("--json", action="store_true", help="figures as JSON on stdout")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    began = time.monotonic()
    deadline = began + args.minutes * 60
    with tempfile.TemporaryDirectory(prefix="calmkit-fuzz-") as work:
        checker = Checker(args.limit, args.keep, Path(work))
        turn = 0
        while time.monotonic() < deadline:
            until = min(deadline, time.monotonic() + SLICE_SECONDS)
            if turn % 2 == 0:
                run_mutations(checker, rng, until)
            else:
                run_hypothesis(checker, until)
            turn += 1
    wall = time.monotonic() - began
    tally = checker.tally
    if args.keep and tally.slowest:
        (args.keep / "slowest.yaml").write_bytes(tally.slowest[0][3])
    times = sorted(tally.times)
    figures = {
        "seed": seed,
        "minutes": round(wall / 60, 2),
        "seed_files": len(SEEDS),
        "limit_seconds": args.limit,
        "inputs": tally.tried,
        "by_source": tally.by_source,
        "inputs_per_second": round(tally.tried / wall, 1),
        "loaded": tally.loaded,
        "refused_with_problems": tally.refused,
        "median_ms": round(1000 * statistics.median(times), 3) if times else None,
        "p99_ms": round(1000 * times[int(0.99 * (len(times) - 1))], 3) if times else None,
        "slowest": [
            {"ms": round(1000 * seconds, 1), "bytes": size, "input": how}
            for seconds, size, how, _ in tally.slowest
        ],
        "failures": len(tally.failures),
        "failure_kinds": _kinds(tally.failures),
        "failure_details": tally.failures,
    }
    report(figures, sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(figures, indent=1))
    return 1 if tally.failures else 0


def _kinds(failures: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each kind of failure once: how often, and its first example."""
    kinds: dict[str, dict[str, object]] = {}
    for entry in failures:
        kind = kinds.setdefault(
            str(entry["kind"]), {"kind": entry["kind"], "count": 0, "first": entry}
        )
        kind["count"] = int(kind["count"]) + 1  # type: ignore[call-overload]
    return list(kinds.values())


def report(figures: dict[str, object], out: object) -> None:
    def say(text: str) -> None:
        print(text, file=out)  # type: ignore[arg-type]

    say(f"fuzzed the loader for {figures['minutes']} min (seed {figures['seed']}, "
        f"{figures['seed_files']} seed files, {figures['limit_seconds']} s per input)")  # fmt: skip
    sources = ", ".join(f"{name} {count}" for name, count in figures["by_source"].items())  # type: ignore[attr-defined]
    say(f"inputs tried:   {figures['inputs']} ({sources}), {figures['inputs_per_second']}/s")
    say(
        f"results:        {figures['loaded']} loaded, {figures['refused_with_problems']} refused with problems"
    )
    say(f"time per input: median {figures['median_ms']} ms, p99 {figures['p99_ms']} ms")
    say("slowest inputs:")
    for entry in figures["slowest"]:  # type: ignore[attr-defined]
        say(f"  {entry['ms']:>8} ms  {entry['bytes']:>7} bytes  {entry['input']}")
    say(f"failures:       {figures['failures']}")
    for kind in figures["failure_kinds"]:  # type: ignore[attr-defined]
        first = kind["first"]
        say(f"  {kind['count']} x {kind['kind']}; the first: {first['source']}: {first['how']}"
            f" ({first['bytes']} bytes){', kept as ' + first['kept'] if 'kept' in first else ''}")  # fmt: skip
        say("     " + str(first["failure"]).strip().replace("\n", "\n     "))


if __name__ == "__main__":
    sys.exit(main())
