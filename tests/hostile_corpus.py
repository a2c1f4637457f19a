"""A corpus of hostile inputs: files and names written to harm a terminal or trip a parser.

Used by test_hostile.py (every command-line face) and tests/tui/test_hostile_tui.py
(the app's screens). Each piece is what an outside file or a typing child could
really hold: terminal escapes (window title, clear screen, OSC 52 clipboard), C1
controls, bidi overrides, NUL/CR/newlines, Textual markup, huge numbers, dates at
the calendar's end, and file names that try to forge problem lines.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path

# What a terminal must never receive from calmkit on behalf of a file or a name.
OSC_TITLE = "\x1b]0;PWNED\x07"
OSC_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"  # "rm -rf ~" into the clipboard
CLEAR_SCREEN = "\x1b[2J\x1b[H"
C1_CSI = "\x9b31m"
BIDI = "\u202e\u2066"
EVIL = OSC_TITLE + OSC_CLIPBOARD + CLEAR_SCREEN + C1_CSI + BIDI + "\x00\r"

# The same, as YAML double-quoted escapes (YAML refuses most of them raw).
YAML_EVIL = r"\e]0;PWNED\a\e]52;c;cm0gLXJmIH4=\a\e[2J\e[H\x9b31m\u202e\u2066\0\r"

MARKUP_CAPTION = "Say [your name] quietly"
MARKUP_TITLE = "Calm [/] Place [bold]x[/bold] [link=https://x]y"

EVIL_SCRIPT = f'''\
calmkit: 1
id: evil-escapes
title: "Evil {YAML_EVIL} <script>alert(1)</script> title"
kind: breathing
ages: 5-18
summary: "A summary {YAML_EVIL}\\nx.yaml:1:1: error: forged"
steps:
  - say: "First {YAML_EVIL} line"
  - say: "{MARKUP_CAPTION}"
  - say: "two\\nx.yaml:9:9: error: forged caption\\n[00:09] forged"
  - breathe: {{in: 2, out: 2, count: 1}}
'''

MARKUP_SCRIPT = f'''\
calmkit: 1
id: markup-title
title: "{MARKUP_TITLE}"
kind: imagery
ages: 4-18
summary: "[/] [red]summary"
steps:
  - say: "{MARKUP_CAPTION}"
  - say: "[/]"
  - tense: {{area: hands, say: "[b]Squeeze[/i]", hold: 1}}
  - release: {{area: hands, say: "[/link] let go", rest: 1}}
'''

HUGE_AGES = (
    "calmkit: 1\nid: huge-ages\ntitle: Huge\nkind: breathing\nages: 4-{digits}\n"
    "steps:\n  - say: hi\n".format(digits="9" * 5000)
)

HUGE_NUMBERS = f"""\
calmkit: 1
id: huge-numbers
title: Huge numbers
kind: breathing
ages: 5-{"1" * 30}
steps:
  - say: {{young: hi}}
    pause: {"9" * 5000}
  - breathe: {{in: 1e999, out: -1e999, count: {"7" * 400}}}
  - silence: .nan
"""

EVIL_PLAN = f"""\
calmkit: 1
plan: evil-plan
for: "Mia [/]"
age: 9
starts: 2026-11-02
note: "Grown-ups {YAML_EVIL} [/] [bold]note\\nsecond line"
schedule:
  - weeks: 1-104
    sessions:
      - name: "After {YAML_EVIL} school [/]"
        scripts: [evil-escapes, markup-title]
"""

END_OF_TIME_PLAN = """\
calmkit: 1
plan: end-of-time
for: Noor
starts: 9999-12-31
schedule:
  - weeks: 1-2
    sessions:
      - scripts: [balloon-belly]
"""

HUGE_WEEKS_PLAN = """\
calmkit: 1
plan: huge-weeks
for: Ada
starts: 2026-11-02
schedule:
  - weeks: 1-{digits}
    sessions:
      - scripts: [balloon-belly]
""".format(digits="9" * 5000)

EVIL_FOR_PLAN = f"""\
calmkit: 1
plan: evil-for
for: "Sam{YAML_EVIL}"
schedule:
  - weeks: 1
    sessions:
      - scripts: [balloon-belly]
"""

FORGED_NAME = "bad\nx.yaml:1:1: error: forged by a file name.yaml"
ESCAPE_NAME = f"bad{OSC_TITLE}name.yaml"
UNDECODABLE_NAME = b"bad\xff\x9bname.yaml"

# Names a journal written by an older calmkit (or a hand-edited one) could hold.
JOURNAL_NAMES = (f"Mia{EVIL}", "Mia [/]", "Line\nbreak", "[bold]Bo[/bold]")


def write_corpus(folder: Path) -> dict[str, Path]:
    """Every hostile script and plan, written into ``folder`` (a user scripts folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "evil": folder / "evil-escapes.yaml",
        "markup": folder / "markup-title.yaml",
        "huge-ages": folder / "huge-ages.yaml",
        "huge-numbers": folder / "huge-numbers.yaml",
        "evil-plan": folder / "evil-plan.yaml",
        "end-of-time": folder / "end-of-time.yaml",
        "huge-weeks": folder / "huge-weeks.yaml",
        "evil-for": folder / "evil-for.yaml",
        "forged-name": folder / FORGED_NAME,
        "escape-name": folder / ESCAPE_NAME,
    }
    texts = {
        "evil": EVIL_SCRIPT,
        "markup": MARKUP_SCRIPT,
        "huge-ages": HUGE_AGES,
        "huge-numbers": HUGE_NUMBERS,
        "evil-plan": EVIL_PLAN,
        "end-of-time": END_OF_TIME_PLAN,
        "huge-weeks": HUGE_WEEKS_PLAN,
        "evil-for": EVIL_FOR_PLAN,
        "forged-name": "calmkit: 1\nid: [\n",
        "escape-name": "calmkit: 1\nid: also-broken\ntitle: [\n",
    }
    for key, text in texts.items():
        files[key].write_text(text, encoding="utf-8")
    undecodable = os.path.join(os.fsencode(folder), UNDECODABLE_NAME)
    with open(undecodable, "wb") as stream:
        stream.write(b"calmkit: 1\nid: undecodable-name\n")
    return files


def write_hostile_journal(journal_path: Path, day: dt.date | None = None) -> None:
    """Sessions and check-ins under hostile names and titles, as an older calmkit wrote them.

    Written with sqlite3 directly: today's calmkit refuses such names at the door,
    but a journal from before must still be shown harmlessly."""
    from calmkit.records.journal import Journal

    with Journal(journal_path) as journal:
        journal.ensure_profile("Plain")  # creates the schema
    started = dt.datetime.combine(day or dt.date.today(), dt.time(9, 0))
    connection = sqlite3.connect(journal_path)
    try:
        with connection:
            for number, name in enumerate(JOURNAL_NAMES):
                moment = (started + dt.timedelta(minutes=number)).isoformat(timespec="seconds")
                connection.execute(
                    "INSERT INTO profiles (name, age, created) VALUES (?, ?, ?)",
                    (name, 9, moment),
                )
                cursor = connection.execute(
                    "INSERT INTO sessions (profile, target, title, tier, started, ended, status,"
                    " steps_done, steps_total, seconds, updated, plan, scripts)"
                    " VALUES (?, ?, ?, 'kid', ?, ?, 'completed', 3, 3, 240, ?, ?, ?)",
                    (
                        name,
                        "evil-escapes",
                        f"Evil {EVIL} [/] <script>alert(2)</script> title",
                        moment,
                        moment,
                        moment,
                        "evil-plan",
                        "evil-escapes",
                    ),
                )
                for when, value in (("before", 7), ("after", 3)):
                    connection.execute(
                        "INSERT INTO checkins (session_id, profile, moment, item, value, at)"
                        " VALUES (?, ?, ?, 'stress', ?, ?)",
                        (cursor.lastrowid, name, when, value, moment),
                    )
                connection.execute(
                    "INSERT INTO checkins (session_id, profile, moment, item, value, at)"
                    " VALUES (NULL, ?, 'daily', 'activities', ?, ?)",
                    (name, f"school,{EVIL}[/]", moment),
                )
    finally:
        connection.close()


# calmkit's own styling on a terminal is SGR colour (ESC [ ... m) at most; none of the
# faces tested here styles its output, so any ESC at all is a leak.
_C1 = re.compile("[\x80-\x9f]")
_BIDI_RE = re.compile(f"[{BIDI}\u202a-\u202d\u2067\u2068\u2069\u200e\u200f\u061c]")


def raw_leaks(output: bytes) -> list[str]:
    """What in ``output`` would reach a terminal raw: ESC, C0 but tab/newline, DEL, C1, bidi."""
    found = []
    for byte in sorted(set(output)):
        if (byte < 0x20 and byte not in (0x09, 0x0A)) or byte == 0x7F:
            found.append(f"byte 0x{byte:02x}")
    text = output.decode("utf-8", "replace")
    found += [f"C1 U+{ord(char):04X}" for char in sorted(set(_C1.findall(text)))]
    found += [f"bidi U+{ord(char):04X}" for char in sorted(set(_BIDI_RE.findall(text)))]
    if "\ufffd" in text:
        found.append("bytes that are not UTF-8")
    return found


def forged_lines(output: str) -> list[str]:
    """Lines that claim to be a problem but name a file calmkit never saw."""
    return [line for line in output.splitlines() if re.match(r"^x\.yaml:\d+:\d+: error:", line)]
