"""A report's cost follows the practice it holds, not the calendar it spans.

One session, and a report asked for from 0001-01-01 to 9999-12-31, in every
format, in a child process held to 1.5 GiB of address space and a minute: the
report that once grew to 9.5 GB in 120 s must finish small and fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from calmkit.records.journal import Journal, Progress
from calmkit_child import calmkit_env

LIMIT = 1536 * 1024 * 1024


def report(*argv: str, home: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT})); "
        "from calmkit.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "report", *argv],
        env=calmkit_env(CALMKIT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def one_session(isolated_home: Path) -> Path:
    with Journal() as journal:
        sid = journal.start_session("Robin", "balloon-belly", "Balloon Belly", "kid", 3)
        journal.add_checkin("Robin", "before", "stress", 6, session_id=sid)
        journal.finish_session(sid, "completed", Progress(3, 180))
        journal.add_checkin("Robin", "daily", "activities", "school", session_id=None)
    return isolated_home


@pytest.mark.parametrize("form", ["json", "html", "csv"])
def test_a_report_over_the_whole_calendar_is_as_small_as_its_practice(
    one_session: Path, form: str
) -> None:
    done = report(
        "--since", "0001-01-01", "--until", "9999-12-31", "--format", form, home=one_session
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.stdout) < 200_000, len(done.stdout)
    if form == "json":
        (section,) = json.loads(done.stdout)["profiles"]
        assert section["period"]["days"] == 3_652_059
        assert len(section["days"]) == 1 and section["days"][0]["minutes"] == 3
        assert section["adherence"]["days_practised"] == 1


def test_an_ordinary_period_still_has_every_day(one_session: Path) -> None:
    import datetime as dt

    from calmkit.content.library import load_library
    from calmkit.report.figures import build_report

    today = dt.date.today()
    with Journal() as journal:
        built = build_report(journal, load_library(), "Robin", today - dt.timedelta(days=29), today)
    (section,) = built.profiles
    assert len(section.days) == 30
    assert sum(day.seconds for day in section.days) == 180
