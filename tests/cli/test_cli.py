"""The command line contract: list, show, validate, locate, exit codes and JSON shapes."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest
import soundfile

from calmkit import __version__
from calmkit.cli import main
from calmkit.content.library import load_library
from calmkit.content.timeline import compile_timeline
from calmkit.records.journal import Progress

REPO_ROOT = Path(__file__).resolve().parents[2]
CUE_KINDS = {
    "say", "breathe-in", "hold", "breathe-out", "rest", "tense", "release", "silence", "chime",
    "sound",
}  # fmt: skip
BUILTIN_SCRIPTS = {"balloon-belly", "five-senses", "calm-place", "lemon-squeeze"}

GOOD = """\
calmkit: 1
id: my-breath
title: My Breath
kind: breathing
ages: 6-12
steps:
  - chime: start
  - say: Breathe with me. You can keep your eyes open, and you can stop any time.
  - breathe: {in: 2, out: 3, count: 2}
  - chime: end
"""

BROKEN = """\
calmkit: 1
id: broken-one
title: Broken
kind: breathing
ages: 6-12
steps:
  - breathe: {in: four}
  - tense: {area: hands, hld: 5}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    return exit_info.value.code, capsys.readouterr().err  # type: ignore[return-value]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def broken_problems(path: Path) -> list[str]:
    return [
        f"{path}:7:19: error: 'in' must be a number of seconds from 1 to 15, got 'four'",
        f"{path}:8:26: error: unknown key 'hld' in tense step (did you mean 'hold'?)",
    ]


# --- list --------------------------------------------------------------------------------


def test_list_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert {"scripts", "plans", "problems"} <= set(data)
    assert data["problems"] == []
    for item in data["scripts"]:
        assert {"id", "title", "kind", "ages", "minutes", "path"} <= set(item)
        assert isinstance(item["minutes"], int | float) and item["minutes"] > 0
        assert Path(item["path"]).is_absolute()
    for item in data["plans"]:
        assert {"id", "for", "path"} <= set(item)
    scripts = {item["id"]: item for item in data["scripts"]}
    assert set(scripts) >= BUILTIN_SCRIPTS
    balloon = scripts["balloon-belly"]
    library = load_library(include_user=False)
    script = library.scripts["balloon-belly"]
    assert {key: balloon[key] for key in ("id", "title", "kind", "ages", "path")} == {
        "id": "balloon-belly",
        "title": "Balloon Belly",
        "kind": "breathing",
        "ages": "5-18",
        "path": str(REPO_ROOT / "scripts" / "breathing" / "balloon-belly.yaml"),
    }
    assert balloon["minutes"] == round(compile_timeline(script, "young").duration / 60, 1)
    plans = {item["id"]: item for item in data["plans"]}
    assert plans["maya-8-weeks"]["for"] == "Maya"
    assert plans["maya-8-weeks"]["path"] == str(
        REPO_ROOT / "scripts" / "plans" / "maya-8-weeks.yaml"
    )


def test_list_json_with_a_broken_user_file(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    good = write(isolated_home / "scripts" / "good.yaml", GOOD)
    broken = write(isolated_home / "scripts" / "broken.yaml", BROKEN)
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    data = json.loads(out)
    ids = {item["id"]: item for item in data["scripts"]}
    assert "broken-one" not in ids
    assert ids["my-breath"]["path"] == str(good)
    assert set(ids) >= BUILTIN_SCRIPTS
    problems = [
        {key: p[key] for key in ("path", "line", "col", "message")} for p in data["problems"]
    ]
    assert problems == [
        {
            "path": str(broken),
            "line": 7,
            "col": 19,
            "message": "'in' must be a number of seconds from 1 to 15, got 'four'",
        },
        {
            "path": str(broken),
            "line": 8,
            "col": 26,
            "message": "unknown key 'hld' in tense step (did you mean 'hold'?)",
        },
    ]


def test_list_text_marks_broken_files(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    write(isolated_home / "scripts" / "good.yaml", GOOD)
    broken = write(isolated_home / "scripts" / "broken.yaml", BROKEN)
    code, out, err = run(capsys, "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert any(line.strip().startswith("my-breath ") and "My Breath" in line for line in lines)
    assert any(line.strip().startswith("balloon-belly ") for line in lines)
    # A built-in plan is an example, whoever it was written for.
    assert any(
        line.strip().startswith("maya-8-weeks ") and "example (for Maya)" in line for line in lines
    )
    assert "Broken files (1): run 'calmkit validate' for every problem" in lines
    # Only the first error of a broken file is listed.
    assert f"  {broken_problems(broken)[0]}" in lines
    assert broken_problems(broken)[1] not in out
    assert "broken-one" not in out.split("Broken files")[0]


def test_list_text_without_broken_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert out.splitlines()[0] == f"Scripts ({len(load_library().scripts)})"
    assert "Broken files" not in out


# --- show --------------------------------------------------------------------------------


def show_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    code, out, err = run(capsys, "show", *argv, "--json")
    assert (code, err) == (0, "")
    return json.loads(out)


def check_timeline_json(data: dict[str, object]) -> list[dict[str, object]]:
    assert {"id", "title", "tier", "duration", "cues"} <= set(data)
    cues = data["cues"]
    assert isinstance(cues, list) and cues
    for cue in cues:
        assert {"start", "duration", "kind", "step", "text", "audio"} <= set(cue)
        assert cue["kind"] in CUE_KINDS
        assert isinstance(cue["start"], int | float) and isinstance(cue["duration"], int | float)
        assert cue["audio"] is None or Path(cue["audio"]).is_absolute()
    assert cues[0]["start"] == 0.0
    for before, after in itertools.pairwise(cues):
        assert after["start"] == pytest.approx(before["start"] + before["duration"], abs=0.002)
    last = cues[-1]
    assert data["duration"] == pytest.approx(last["start"] + last["duration"], abs=0.002)
    return cues


def test_show_json_of_a_script(capsys: pytest.CaptureFixture[str]) -> None:
    data = show_json(capsys, "balloon-belly")
    cues = check_timeline_json(data)
    assert (data["id"], data["title"], data["tier"]) == ("balloon-belly", "Balloon Belly", "young")
    script = load_library().scripts["balloon-belly"]
    # The same cues as the captions-only timeline; shipped audio may lengthen some.
    expected = compile_timeline(script, "young")
    assert [(cue["kind"], cue["step"]) for cue in cues] == [
        (cue.kind, cue.step) for cue in expected.cues
    ]
    last = cues[-1]
    assert data["duration"] == pytest.approx(last["start"] + last["duration"], abs=0.002)
    # The built-in scripts ship their narration: every spoken line has a clip.
    assert all(cue["audio"] for cue in cues if cue["kind"] == "say")
    assert cues[0]["kind"] == "chime" and cues[-1]["kind"] == "chime"
    assert cues[1]["text"] == "Hi! Let's do some balloon breathing."
    assert {cue["kind"] for cue in cues} == {"chime", "say", "breathe-in", "breathe-out", "silence"}
    assert [cue["step"] for cue in cues][-1] == len(script.steps) - 1


@pytest.mark.parametrize(
    ("age", "tier", "line"),
    [
        ("6", "young", "Hi! Let's do some balloon breathing."),
        ("10", "kid", "Hi! Let's try balloon breathing. It's a slow, easy way to help your body "
                      "feel calm."),
        ("15", "teen", "Welcome. This is a few minutes of slow belly breathing, a simple skill "
                       "that helps your body settle."),
    ],
)  # fmt: skip
def test_show_age_chooses_the_tier(capsys: pytest.CaptureFixture[str], age: str, tier: str,
                                   line: str) -> None:  # fmt: skip
    data = show_json(capsys, "balloon-belly", "--age", age)
    cues = check_timeline_json(data)
    assert data["tier"] == tier
    assert cues[1]["text"] == line
    # The tier's own pace for the first breaths.
    breaths = [cue["duration"] for cue in cues if cue["kind"] in ("breathe-in", "breathe-out")][:2]
    assert breaths == {"young": [2.5, 3.5], "kid": [3.0, 4.5], "teen": [4.0, 6.0]}[tier]


@pytest.mark.parametrize("age", ["3", "121", "ten"])
def test_show_age_outside_the_range_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], age: str
) -> None:
    code, err = usage_error(capsys, "show", "balloon-belly", "--age", age)
    assert code == 2
    assert "argument --age" in err


def test_show_a_grown_ups_age_speaks_as_to_the_oldest_tier(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "show", "balloon-belly", "--age", "40", "--json")
    assert code == 0
    assert json.loads(out)["tier"] == "teen"


def test_show_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "lemon-squeeze", "--age", "9")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Lemon Squeeze  (lemon-squeeze, kid, ")
    assert lines[1].startswith("  00:00  chime ")
    assert any("tense        [hands] Pretend you have a lemon" in line for line in lines)


def test_show_a_plan_gives_todays_first_session(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    today = dt.date.today().isoformat()
    write(
        isolated_home / "plans" / "sam.yaml",
        dedent(
            f"""\
            calmkit: 1
            plan: sam-plan
            for: Sam
            age: 14
            starts: {today}
            schedule:
              - weeks: 1-2
                sessions:
                  - name: Morning
                    scripts: [five-senses, balloon-belly]
                  - name: Evening
                    scripts: [calm-place]
            settings:
              breathe: {{in: 3, out: 5}}
              ambient: rain
            """
        ),
    )
    data = show_json(capsys, "sam-plan")
    cues = check_timeline_json(data)
    assert (data["id"], data["title"], data["tier"]) == ("sam-plan", "Morning", "teen")
    library = load_library()
    five, balloon = library.scripts["five-senses"], library.scripts["balloon-belly"]
    # Steps continue from the first script into the second.
    assert cues[-1]["step"] == len(five.steps) + len(balloon.steps) - 1
    assert [cue["script"] for cue in (cues[0], cues[-1])] == ["five-senses", "balloon-belly"]
    assert cues[1]["text"] == five.steps[1].text.resolve("teen")  # type: ignore[union-attr]
    # The plan's pace replaces the tier's.
    breaths = {cue["duration"] for cue in cues if cue["kind"] in ("breathe-in", "breathe-out")}
    assert breaths == {3.0, 5.0}
    assert data["ambient"] == "rain"


def test_show_a_plan_that_has_not_started(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    later = dt.date.today() + dt.timedelta(days=3)
    write(
        isolated_home / "plans" / "later.yaml",
        f"calmkit: 1\nplan: later\nstarts: {later.isoformat()}\nschedule:\n"
        "  - weeks: 1\n    sessions:\n      - scripts: [calm-place]\n",
    )
    code, out, err = run(capsys, "show", "later")
    assert (code, out) == (1, "")
    assert err == f"calmkit: plan 'later' starts on {later.isoformat()}: nothing yet today\n"


def test_show_a_yaml_path_with_a_recorded_sound(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clip = tmp_path / "hello.wav"
    soundfile.write(str(clip), np.zeros(44100 * 2, dtype=np.float32), 44100)
    path = write(
        tmp_path / "mine.yaml",
        GOOD.replace(
            "  - chime: end\n", "  - sound: {file: hello.wav}\n    pause: 1\n  - chime: end\n"
        ),
    )
    data = show_json(capsys, str(path))
    cues = check_timeline_json(data)
    assert (data["id"], data["title"], data["tier"]) == ("my-breath", "My Breath", "young")
    assert [cue["kind"] for cue in cues] == [
        "chime", "say", "breathe-in", "breathe-out", "breathe-in", "breathe-out", "sound", "chime",
    ]  # fmt: skip
    assert [cue["step"] for cue in cues] == [0, 1, 2, 2, 2, 2, 3, 4]
    sound = cues[6]
    assert sound["audio"] == str(clip.resolve())
    assert sound["duration"] == 3.0


def test_show_a_plan_file_beside_its_scripts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path / "pack" / "mine.yaml", GOOD)
    plan = write(
        tmp_path / "pack" / "plan.yaml",
        f"calmkit: 1\nplan: pack-plan\nage: 10\nstarts: {dt.date.today().isoformat()}\n"
        "schedule:\n  - weeks: 1\n    sessions:\n      - scripts: [my-breath]\n",
    )
    data = show_json(capsys, str(plan))
    check_timeline_json(data)
    assert (data["id"], data["title"], data["tier"]) == ("pack-plan", "My Breath", "kid")


def test_show_an_unknown_target(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "ballon-belly")
    assert (code, out) == (1, "")
    assert err == (
        "calmkit: there is no script or plan called 'ballon-belly' (did you mean 'balloon-belly'?)\n"
    )


def test_show_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, out, err = run(capsys, "show", str(missing))
    assert (code, out) == (1, "")
    assert err == f"calmkit: no such file: {missing}\n"


def test_show_a_broken_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path / "broken.yaml", BROKEN)
    code, out, err = run(capsys, "show", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [*broken_problems(path), f"calmkit: {path} cannot be played"]
    assert "Traceback" not in err


# --- validate ------------------------------------------------------------------------------


def test_validate_the_built_in_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate")
    assert (code, out) == (0, "")
    count = len(load_library().results)
    assert err == f"{count} files checked: all good\n"


def test_validate_the_built_in_folder_by_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(REPO_ROOT / "scripts"))
    assert (code, out) == (0, "")
    assert err.endswith("files checked: all good\n")


def test_validate_a_broken_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path / "broken.yaml", BROKEN)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    assert out.splitlines() == broken_problems(path)
    assert err == "1 file checked: 2 problems in 1 file\n"


def test_validate_a_good_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path / "good.yaml", GOOD)
    assert run(capsys, "validate", str(path)) == (0, "", "1 file checked: all good\n")


def test_validate_prints_warnings_but_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "w.yaml", GOOD.replace("steps:", "ambient: forest\nsteps:"))
    code, out, err = run(capsys, "validate", str(path))
    assert code == 0
    assert out == (
        f"{path}:6:10: warning: unknown ambient 'forest': it will play no ambient sound "
        "(beds are 'meadow', 'ocean', 'rain' or 'wind', or 'none')\n"
    )
    assert err == (
        "1 file checked: no errors, 1 warning (the files work; --strict counts warnings "
        "as problems)\n"
    )
    # Before a file is handed over, a warning can be made to count.
    code, strict_out, err = run(capsys, "validate", "--strict", str(path))
    assert (code, strict_out) == (1, out)
    assert err == "1 file checked: 1 problem in 1 file\n"


def test_validate_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    write(folder / "a-good.yaml", GOOD)
    broken = write(folder / "sub" / "broken.yaml", BROKEN)
    write(folder / "readme.txt", "not a script")
    code, out, err = run(capsys, "validate", str(folder))
    assert code == 1
    assert out.splitlines() == broken_problems(broken)
    assert err == "2 files checked: 2 problems in 1 file\n"


def test_validate_a_folder_of_good_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path / "a.yaml", GOOD)
    write(tmp_path / "b.yaml", GOOD.replace("id: my-breath", "id: other-breath"))
    assert run(capsys, "validate", str(tmp_path)) == (0, "", "2 files checked: all good\n")


def test_validate_duplicate_ids_in_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = write(tmp_path / "a.yaml", GOOD)
    second = write(tmp_path / "b.yaml", GOOD)
    code, out, _ = run(capsys, "validate", str(tmp_path))
    assert code == 1
    assert out == f"{second}:2:5: error: duplicate script id 'my-breath': {first} already uses it\n"


def test_validate_a_plan_beside_its_own_scripts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path / "mine.yaml", GOOD)
    plan = write(
        tmp_path / "plan.yaml",
        "calmkit: 1\nplan: pack-plan\nschedule:\n  - weeks: 1-2\n    sessions:\n"
        "      - scripts: [my-breath, calm-place]\n",
    )
    assert run(capsys, "validate", str(plan)) == (0, "", "1 file checked: all good\n")
    assert run(capsys, "validate", str(tmp_path)) == (0, "", "2 files checked: all good\n")


def test_validate_a_plan_with_an_unknown_script(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = write(
        tmp_path / "plan.yaml",
        "calmkit: 1\nplan: p\nschedule:\n  - weeks: 1-2\n    sessions:\n"
        "      - scripts: [balon-belly]\n",
    )
    code, out, _ = run(capsys, "validate", str(plan))
    assert code == 1
    assert out == (
        f"{plan}:6:19: error: unknown script 'balon-belly' (did you mean 'balloon-belly'?)\n"
    )


def test_validate_includes_the_users_library(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    broken = write(isolated_home / "plans" / "broken.yaml", BROKEN)
    code, out, err = run(capsys, "validate")
    assert code == 1
    assert out.splitlines() == broken_problems(broken)
    assert err.endswith(": 2 problems in 1 file\n")


def test_validate_a_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, out, err = run(capsys, "validate", str(missing))
    assert (code, out) == (2, "")
    assert err == f"calmkit: no such file or folder: {missing}\n"


def test_validate_a_missing_path_beside_a_broken_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "broken.yaml", BROKEN)
    code, out, err = run(capsys, "validate", str(path), str(tmp_path / "nope.yaml"))
    assert code == 1
    assert out.splitlines() == broken_problems(path)
    assert err.startswith(f"calmkit: no such file or folder: {tmp_path / 'nope.yaml'}\n")


def test_validate_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = usage_error(capsys, "validate", "--bogus")
    assert code == 2
    assert "unrecognized arguments: --bogus" in err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = usage_error(capsys, "dance")
    assert code == 2
    assert "invalid choice: 'dance'" in err


# --- locate, version, commands not there yet ---------------------------------------------------


def test_locate_honours_calmkit_home(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    code, out, _ = run(capsys, "locate", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["data_dir"] == str(isolated_home)
    assert data["user_scripts"] == str(isolated_home / "scripts")
    assert data["user_plans"] == str(isolated_home / "plans")
    assert data["narration_cache"] == str(isolated_home / "narration")
    assert data["recordings"] == str(isolated_home / "recordings")
    assert data["journal"] == str(isolated_home / "journal.sqlite3")
    assert data["builtin_scripts"] == str(REPO_ROOT / "scripts")
    assert data["builtin_audio"] == str(REPO_ROOT / "audio")
    # Locating creates nothing.
    assert list(isolated_home.iterdir()) == []


def test_locate_text(capsys: pytest.CaptureFixture[str], isolated_home: Path) -> None:
    code, out, _ = run(capsys, "locate")
    assert code == 0
    lines = out.splitlines()
    assert f"{'data dir':<16} {isolated_home}" in lines
    assert lines[-1] == "(user data set by CALMKIT_HOME)"


def test_locate_follows_a_changed_home(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALMKIT_HOME", str(tmp_path / "elsewhere"))
    code, out, _ = run(capsys, "locate", "--json")
    assert code == 0
    assert json.loads(out)["data_dir"] == str(tmp_path / "elsewhere")


def test_doctor_json_has_the_contract_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "doctor", "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) >= {"audio", "engines", "narration", "data_dir"}
    assert set(report["audio"]) >= {"backend", "device", "ok"}
    assert {"name", "found", "voice"} <= set(report["engines"][0])
    assert set(report["narration"]) >= {"lines", "missing"}
    assert report["narration"]["lines"] > 0


def test_report_without_a_journal_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", "--format", "csv")
    assert (code, out) == (1, "")
    assert "no practice journal" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"calmkit {__version__}\n"


# --- a real process ---------------------------------------------------------------------------


def test_python_m_calmkit_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.yaml", BROKEN)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"),
                                                        os.environ.get("PYTHONPATH", "")])}  # fmt: skip

    def calmkit(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "calmkit", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )

    result = calmkit("validate", str(broken))
    assert result.returncode == 1
    assert result.stdout.splitlines() == broken_problems(broken)
    assert result.stderr == "1 file checked: 2 problems in 1 file\n"
    assert "Traceback" not in result.stdout + result.stderr

    usage = calmkit("validate", "--bogus")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stdout + usage.stderr

    missing = calmkit("validate", "nope.yaml")
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == "calmkit: no such file or folder: nope.yaml\n"


def test_show_a_broken_user_script_by_id_names_its_file(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    path = write(
        isolated_home / "scripts" / "mine.yaml",
        "calmkit: 1\nid: my-own\ntitle: Mine\nkind: sleep\nages: 5\nsteps:\n  - silence: 900\n",
    )
    code, _out, err = run(capsys, "show", "my-own")
    assert code == 1
    assert f"{path}:7:14: error: 'silence' must be a number of seconds from 0 to 600" in err
    assert f"'my-own' cannot be played: {path} has problems" in err


def test_validate_a_folder_without_yaml_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _out, err = run(capsys, "validate", str(tmp_path))
    assert code == 1
    assert f"no .yaml files found in {tmp_path}" in err


def test_report_writes_a_private_file_in_each_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from calmkit.records.journal import Journal

    with Journal() as journal:
        session_id = journal.start_session("Sam", "balloon-belly", "Balloon Belly", "kid", 3)
        journal.finish_session(session_id, "completed", Progress(3, 300))
    for form, start in (("html", "<!DOCTYPE html>"), ("csv", "profile,"), ("json", "{")):
        out = tmp_path / f"sam.{form}"
        code, _, _ = run(capsys, "report", "--profile", "Sam", "--format", form, "--out", str(out))
        assert code == 0
        assert out.read_text("utf-8").startswith(start)
        assert (out.stat().st_mode & 0o777) == 0o600
