"""The mistakes a clinician makes writing a script or plan by hand, and what calmkit says.

Each is a message in plain words with the fix, at the line and column to change; YAML's
own words stay on a second, indented line for the curious.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from calmkit.cli import main
from calmkit.content import yamldoc
from calmkit.content.loader import load_text

HEAD = "calmkit: 1\nid: my-script\ntitle: Mine\nkind: breathing\nages: 9-14\nsteps:\n"
SAFE = "  - say: You can keep your eyes open, and you can stop any time.\n"
PROBLEM_LINE = re.compile(r"^[^\s].*:\d+:\d+: (error|warning): ")


@pytest.fixture(params=["libyaml", "pure"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both of PyYAML's parsers word their errors differently: the messages must not."""
    if request.param == "libyaml":
        assert hasattr(yaml, "CSafeLoader"), "PyYAML was built without libyaml"
        monkeypatch.setattr(yamldoc, "_Loader", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yamldoc, "_Loader", yaml.SafeLoader)
    yield request.param


# (steps after HEAD, line, column, message)
YAML_MISTAKES = [
    pytest.param(
        "  - say: Hello\n  - say: Breathe\n\t  pause: 2\n",
        9,
        1,
        "line 9 is indented with a tab: use spaces",
        id="tab",
    ),
    pytest.param(
        "  - say: Remember: you can stop.\n",
        7,
        18,
        "this line has ': ' inside the text: put the text in quotes, like "
        'say: "Remember: you can stop."',
        id="colon-in-a-sentence",
    ),
    pytest.param(
        "  - say: \u201cBreathe: slowly\u201d\n",
        7,
        10,
        "the text starts with a curly quote \u201c (column 10), which YAML does not read as a "
        'quote: type straight quotes instead, like say: "Breathe: slowly"',
        id="curly-quotes",
    ),
    pytest.param(
        "  - say: Hello\n \u00a0  pause: 2\n",
        8,
        2,
        "line 8 has a non-breaking space (U+00A0) at column 2, often pasted from a word "
        "processor: replace it with an ordinary space",
        id="non-breaking-space",
    ),
    pytest.param(
        '  - say: Hello\n  - say: "Breathe in slowly\n    pause: 2\n  - chime: end\n',
        8,
        10,
        'the quote mark " that starts here is never closed: end the text with another " on '
        "the same line",
        id="unclosed-quote",
    ),
    pytest.param(
        '  - say: "Breathe" slowly, and rest.\n    pause: 2\n',
        7,
        10,
        "the text starts with a quote mark, so YAML reads only the quoted part as the text: "
        "put the whole text in quotes, like say: '\"Breathe\" slowly, and rest.'",
        id="line-starting-with-a-quote",
    ),
    pytest.param(
        "  - tense: {area: hands, say: Squeeze: hard, hold: 5}\n",
        7,
        31,
        "this line has ': ' inside the text: put the text in quotes, like say: \"Squeeze: hard\"",
        id="colon-inside-curly-brackets",
    ),
    pytest.param(
        "  - say: Hello\n      pause: 2\n",
        8,
        7,
        "line 8 is indented further than the line above it, so YAML reads it as more of that "
        "line's text: line its key up with the key above",
        id="indented-too-far",
    ),
]


@pytest.mark.parametrize(("steps", "line", "col", "message"), YAML_MISTAKES)
def test_a_yaml_mistake_in_a_clinicians_words(
    parser: str, steps: str, line: int, col: int, message: str
) -> None:
    result = load_text(HEAD + steps, "mine.yaml")
    assert [(p.line, p.col, p.severity, p.message) for p in result.problems] == [
        (line, col, "error", message)
    ]
    (problem,) = result.problems
    # The parser's own words are kept, quietly, for whoever wants them.
    assert problem.detail and "not valid YAML" not in problem.message
    first, second = problem.explained().split("\n")
    assert first == str(problem)
    assert second == f"  (YAML said: {problem.detail})"
    assert not PROBLEM_LINE.match(second)


def test_a_pasted_space_yaml_reads_as_text_is_refused_too() -> None:
    # YAML reads this as one step whose text is "Hello\xa0 pause: 2": not what anyone sees.
    result = load_text(HEAD + "  - say: Hello\n\u00a0   pause: 2\n" + SAFE, "mine.yaml")
    assert [str(p) for p in result.problems] == [
        "mine.yaml:8:1: error: line 8 has a non-breaking space (U+00A0) at column 1, often "
        "pasted from a word processor: replace it with an ordinary space"
    ]
    assert result.script is None


def test_validate_prints_the_plain_message_and_the_parsers_words_below(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(HEAD + "  - say: Hello\n  - say: Breathe\n\t  pause: 2\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == f"{path}:9:1: error: line 9 is indented with a tab: use spaces"
    assert lines[1].startswith("  (YAML said: ")
    # A tool reading PATH:LINE:COL lines sees exactly one problem.
    assert [line for line in lines if PROBLEM_LINE.match(line)] == [lines[0]]
    assert err == "1 file checked: 1 problem in 1 file\n"


def test_list_json_and_the_list_keep_one_line_per_problem(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    path = isolated_home / "scripts" / "mine.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEAD + "  - say: Remember: you can stop.\n", encoding="utf-8")
    assert main(["list", "--json"]) == 0
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert (problem["line"], problem["col"]) == (7, 18)
    assert problem["message"].startswith("this line has ': ' inside the text")
    assert problem["detail"] == "mapping values are not allowed here"
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert f"  {path}:7:18: error: this line has ': ' inside the text" in out
    assert "YAML said" not in out


# --- warnings -----------------------------------------------------------------------------


def test_a_line_over_30_words_is_a_warning_at_its_text(parser: str) -> None:
    words = " ".join(["slowly"] * 31)
    steps = f"  - say:\n      kid: Breathe.\n      teen: {words}\n" + SAFE
    result = load_text(HEAD + steps, "mine.yaml")
    assert result.ok and result.script is not None
    assert [str(p) for p in result.problems] == [
        "mine.yaml:9:13: warning: this line has 31 words; a child follows at most 30 a line "
        "best: split it into two 'say' steps"
    ]
    thirty = " ".join(["slowly"] * 30)
    assert load_text(HEAD + f"  - say: {thirty}\n" + SAFE, "mine.yaml").problems == []


@pytest.mark.parametrize(
    "written", ["9-14", "9\u201314", "9 \u2013 14", "9\u201414", "9\u221214", "9 to 14", "9 TO 14"]
)
def test_ages_written_with_a_dash_or_to(written: str) -> None:
    text = HEAD.replace("ages: 9-14", f"ages: {written}") + SAFE
    result = load_text(text, "mine.yaml")
    assert result.problems == []
    assert result.script is not None and result.script.ages == (9, 14)


PLAN = """\
calmkit: 1
plan: noah-8-weeks
age: {age}
schedule:
  - weeks: 1{dash}3
    sessions:
      - scripts: [my-script]
  - weeks: {later}
    sessions:
      - scripts: [lemon-squeeze, my-script]
"""


def _plan(age: int = 12, dash: str = "-", later: str = "5-8", others: bool = False) -> str:
    text = PLAN.format(age=age, dash=dash, later=later)
    return text if others else text.replace("lemon-squeeze, ", "")


def _scripts() -> dict[str, object]:
    from calmkit.content.library import load_library

    mine = load_text(HEAD + SAFE, "mine.yaml").script
    assert mine is not None
    return {**load_library(include_user=False).scripts, "my-script": mine}


def test_a_gap_between_week_ranges_is_a_warning_at_the_entry_after_it() -> None:
    result = load_text(_plan(dash="\u2013"), "plan.yaml", known_scripts=_scripts())
    assert result.ok and result.plan is not None
    assert [str(p) for p in result.problems] == [
        "plan.yaml:8:5: warning: week 4 has no sessions: the plan gives nothing to practise "
        "then (widen a range, or add an entry for them)"
    ]
    wide = load_text(_plan(later="7 to 8"), "plan.yaml", known_scripts=_scripts())
    assert [p.message.split(":")[0] for p in wide.problems] == ["weeks 4-6 have no sessions"]
    whole = load_text(_plan(later="4-8"), "plan.yaml", known_scripts=_scripts())
    assert whole.problems == []


def test_a_script_outside_the_plans_age_is_a_warning_naming_both_ages() -> None:
    # lemon-squeeze is written for 5-8; my-script for 9-14.
    result = load_text(
        _plan(age=10, later="4-8", others=True), "plan.yaml", known_scripts=_scripts()
    )
    assert result.ok and result.plan is not None
    assert [str(p) for p in result.problems] == [
        "plan.yaml:10:19: warning: script 'lemon-squeeze' is written for ages 5-8, and this "
        "plan is for age 10: it still plays (at the kid tier's lines), but check it suits "
        "the child"
    ]
    # A teen-only plan of scripts for teens: nothing to say.
    teen = _plan(age=13, later="4-8")
    assert load_text(teen, "plan.yaml", known_scripts=_scripts()).problems == []


def test_validate_warns_of_a_script_without_eyes_open_or_stop_any_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        HEAD
        + "  - say:\n      kid: You can keep your eyes open.\n      teen: Let's begin.\n"
        + "  - breathe: {count: 2}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{path}:7:1: warning: no line tells the child they may keep their eyes open for the "
        "teen tier: clinical guidance asks every script to say so, like 'You can close your "
        "eyes, or keep them open.'",
        f"{path}:7:1: warning: no line tells the child they can stop any time: clinical "
        "guidance asks every script to say so, like 'You can stop any time, and that's okay.'",
    ]
    assert "no errors, 2 warnings" in err
    assert main(["validate", "--strict", str(path)]) == 1
    capsys.readouterr()
    path.write_text(HEAD + SAFE, encoding="utf-8")
    assert main(["validate", "--strict", str(path)]) == 0
    assert capsys.readouterr() == ("", "1 file checked: all good\n")


def test_validate_warns_of_a_plan_outside_its_scripts_ages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "mine.yaml").write_text(HEAD + SAFE, encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(_plan(age=15, later="4-8", others=True), encoding="utf-8")
    assert main(["validate", str(plan)]) == 0
    out = capsys.readouterr().out
    assert f"{plan}:7:19: warning: script 'my-script' is written for ages 9-14" in out
    assert f"{plan}:10:19: warning: script 'lemon-squeeze' is written for ages 5-8" in out
