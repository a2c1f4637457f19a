"""`calmkit new`: a commented template that validates as it is, never over a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from calmkit.cli import main
from calmkit.content import model
from calmkit.content.library import load_library
from calmkit.content.loader import load_path, safety_line_warnings
from calmkit.content.templates import plan_template, script_template


@pytest.mark.parametrize("kind", model.KINDS)
@pytest.mark.parametrize("ages", [(5, 8), (9, 14), (13, 18), (4, 18), (10, 10)])
def test_every_script_template_validates_with_no_warning(
    kind: str, ages: tuple[int, int], tmp_path: Path
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(script_template("Calm Lake", kind, ages), encoding="utf-8")
    result = load_path(path)
    assert result.problems == []
    assert result.script is not None
    assert (result.script.id, result.script.title, result.script.kind) == (
        "calm-lake",
        "Calm Lake",
        kind,
    )
    assert result.script.ages == ages
    assert safety_line_warnings(result.script) == []


@pytest.mark.parametrize("age", [5, 7, 10, 13, 18])
def test_every_plan_template_validates_with_no_warning(age: int) -> None:
    builtin = load_library(include_user=False).scripts
    text = plan_template("Noah 8 weeks", builtin, age=age, for_profile="Noah")
    from calmkit.content.loader import load_text

    result = load_text(text, "plan.yaml", known_scripts=builtin)
    assert [str(p) for p in result.problems] == []
    plan = result.plan
    assert plan is not None
    assert (plan.id, plan.for_profile, plan.age) == ("noah-8-weeks", "Noah", age)
    assert plan.starts is not None and plan.starts.weekday() == 0
    assert plan.starts - dt.date.today() < dt.timedelta(days=7)


def test_the_templates_show_every_commonly_used_field() -> None:
    script = script_template("x", "muscle-relaxation", (9, 14))
    for field in ("calmkit:", "id:", "title:", "kind:", "ages:", "summary:", "ambient:"):
        assert f"\n{field}" in f"\n{script}"
    for step in ("chime:", "say:", "pause:", "breathe:", "tense:", "release:", "sound:"):
        assert step in script
    assert script.count("#") > 15  # commented
    plan = plan_template("x", load_library(include_user=False).scripts)
    for field in ("plan:", "for:", "age:", "starts:", "note:", "schedule:", "weeks:"):
        assert field in plan
    for setting in ("breathe:", "gentle:", "skip:", "ambient:", "checkin:", "rewards:"):
        assert f"  {setting}" in plan


def test_new_writes_into_the_user_library_and_never_over_a_file(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    assert main(["new", "script", "Calm Lake", "--kind", "imagery", "--ages", "9\u201314"]) == 0
    path = isolated_home / "scripts" / "calm-lake.yaml"
    out = capsys.readouterr().out
    assert f"Wrote {path}" in out and f"calmkit validate {path}" in out
    assert path.stat().st_mode & 0o777 == 0o600
    assert main(["validate", "--strict", str(path)]) == 0
    capsys.readouterr()
    library = load_library()
    assert library.scripts["calm-lake"].ages == (9, 14)
    # The same name again: the library has it, nothing is written.
    before = path.read_bytes()
    assert main(["new", "script", "calm-lake"]) == 1
    assert "already has a script or plan called 'calm-lake'" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert main(["new", "script", "balloon-belly"]) == 1
    capsys.readouterr()

    assert main(["new", "plan", "noah-8-weeks", "--age", "12", "--for", "Noah"]) == 0
    plan_path = isolated_home / "plans" / "noah-8-weeks.yaml"
    assert plan_path.is_file()
    capsys.readouterr()
    assert main(["validate", "--strict", str(plan_path)]) == 0
    assert load_library().plans["noah-8-weeks"].for_profile == "Noah"


def test_new_with_out_refuses_a_file_that_is_there(
    capsys: pytest.CaptureFixture[str], isolated_home: Path, tmp_path: Path
) -> None:
    target = tmp_path / "drafts" / "lake.yaml"
    assert main(["new", "script", "calm-lake", "--out", str(target)]) == 0
    capsys.readouterr()
    target.write_text("mine, edited\n", encoding="utf-8")
    assert main(["new", "script", "other-lake", "--out", str(target)]) == 1
    assert "is there already: calmkit never writes over a file" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "mine, edited\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["new", "script", "x", "--kind", "yoga"], "unknown kind 'yoga'"),
        (["new", "script", "!!!"], "has no letters or digits"),
    ],
)
def test_new_refuses_what_it_cannot_make(
    capsys: pytest.CaptureFixture[str], isolated_home: Path, argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_new_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "new" in capsys.readouterr().out
