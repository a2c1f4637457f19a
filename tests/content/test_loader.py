"""The loader: every refusal at its exact line and column, and valid files as model objects.

Messages are checked as the full ``PATH:LINE:COL: severity: MESSAGE`` line the
user sees (docs/script-format.md, "What bad input gets").
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from textwrap import dedent

import pytest

from calmkit.content import model
from calmkit.content.loader import LoadResult, load_path, load_text
from calmkit.content.model import (
    Breathe,
    BreathePace,
    CheckinSettings,
    Chime,
    Plan,
    PlannedSession,
    PlanSettings,
    Release,
    Say,
    ScheduleBlock,
    Silence,
    Sound,
    Tense,
    Text,
)
from calmkit.content.yamldoc import MAX_FILE_BYTES

# Lines 1-6; the first step is on line 7.
HEAD = """\
calmkit: 1
id: test-script
title: Test
kind: breathing
ages: 5-10
steps:
"""

KNOWN = {"balloon-belly", "lemon-squeeze", "calm-place", "five-senses"}


def load(text: str | bytes, **kwargs: object) -> LoadResult:
    if isinstance(text, str):
        text = dedent(text)
    return load_text(text, label="x.yaml", **kwargs)  # type: ignore[arg-type]


def lines(text: str | bytes, **kwargs: object) -> list[str]:
    return [str(problem) for problem in load(text, **kwargs).problems]


def step_lines(steps: str, **kwargs: object) -> list[str]:
    """Problems of a script whose steps (written at two spaces, from line 7) are given."""
    return [str(problem) for problem in load_text(HEAD + steps, label="x.yaml", **kwargs).problems]


# --- YAML itself ------------------------------------------------------------------------


def test_yaml_syntax_error_at_the_parsers_mark() -> None:
    text = """\
        calmkit: 1
        id: x
        title: T: U
        """
    (problem,) = load(text).problems
    assert str(problem) == (
        "x.yaml:3:9: error: this line has ': ' inside the text: put the text in quotes, "
        'like title: "T: U"'
    )
    assert problem.detail == "mapping values are not allowed here"


def test_yaml_syntax_error_indentation() -> None:
    text = """\
        calmkit: 1
        id: x
        title: T
          kind: breathing
        """
    assert lines(text) == [
        "x.yaml:4:3: error: line 4 is indented further than the line above it, so YAML reads "
        "it as more of that line's text: line its key up with the key above"
    ]


def test_yaml_missing_colon_reported_where_the_parser_noticed() -> None:
    text = """\
        calmkit: 1
        id x
        title: y
        """
    assert lines(text) == ["x.yaml:3:1: error: not valid YAML: could not find expected ':'"]


def test_unclosed_flow_list() -> None:
    # libyaml and PyYAML word this one differently; the mark is the same.
    (found,) = lines("a: [1, 2\n")
    assert found in (
        "x.yaml:2:1: error: not valid YAML: did not find expected ',' or ']'",
        "x.yaml:2:1: error: not valid YAML: expected ',' or ']', but got '<stream end>'",
    )


def test_control_character_at_its_line_and_column() -> None:
    result = load(b"calmkit: 1\nid: t\ntitle: \xc3\xa9a\x07b\n")
    assert [str(p) for p in result.problems] == [
        "x.yaml:3:10: error: not valid YAML: character 0x7 is not allowed"
    ]


def test_duplicate_keys() -> None:
    text = """\
        calmkit: 1
        id: dup
        title: T
        kind: breathing
        ages: 5-10
        title: Again
        steps:
          - tense:
              area: hands
              hold: 3
              hold: 4
        """
    result = load(text)
    assert [str(p) for p in result.problems] == [
        "x.yaml:6:1: error: duplicate key 'title' (first given on line 3)",
        "x.yaml:11:7: error: duplicate key 'hold' (first given on line 10)",
    ]
    assert result.script is None


def test_anchor_refused() -> None:
    text = """\
        calmkit: 1
        id: x
        title: &name Hello
        """
    assert lines(text) == [
        "x.yaml:3:8: error: YAML anchors ('&name') are not allowed: write each value out in full"
    ]


def test_alias_refused() -> None:
    # An alias without its anchor never gets as far as the anchor check.
    text = """\
        calmkit: 1
        id: x
        title: *name
        """
    assert lines(text) == [
        "x.yaml:3:8: error: YAML aliases ('*name') are not allowed: write the value out in full"
    ]


def test_anchor_is_reported_before_its_alias() -> None:
    text = HEAD + "  - say: &x hi\n  - say: *x\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:7:10: error: YAML anchors ('&x') are not allowed: write each value out in full"
    ]


def test_second_document_refused() -> None:
    text = HEAD + "  - say: hi\n---\ncalmkit: 1\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:8:1: error: a file holds one script or plan, but a second YAML document starts here"
    ]


def test_deep_nesting_refused() -> None:
    # The top mapping is level 1; the 24th '[' (column 27) is level 25.
    text = "a: " + "[" * 30 + "]" * 30 + "\n"
    assert lines(text) == ["x.yaml:1:27: error: nested more than 24 levels deep"]


def test_nesting_at_the_limit_is_only_not_a_script() -> None:
    text = "a: " + "[" * 23 + "]" * 23 + "\n"
    assert lines(text) == [
        "x.yaml:1:1: error: not a calmkit script or plan: a script starts with 'id:', "
        "a plan with 'plan:'"
    ]


def test_file_over_256_kib_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    filler = "# " + "x" * 98 + "\n"
    path.write_text(HEAD + "  - say: hi\n" + filler * 3000, encoding="utf-8")
    assert path.stat().st_size > MAX_FILE_BYTES
    result = load_path(path, label="big.yaml")
    assert [str(p) for p in result.problems] == [
        "big.yaml:1:1: error: file is too large (295 KiB): scripts and plans can be at most 256 KiB"
    ]
    assert result.script is None and result.kind is None


def test_file_of_exactly_256_kib_is_read(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    body = HEAD + "  - say: hi\n"
    path.write_bytes((body + "#" * (MAX_FILE_BYTES - len(body) - 1) + "\n").encode())
    assert path.stat().st_size == MAX_FILE_BYTES
    result = load_path(path)
    assert result.problems == []
    assert result.script is not None


def test_oversized_text_refused_in_memory() -> None:
    data = (HEAD + "  - say: hi\n").encode() + b"#" * MAX_FILE_BYTES
    assert lines(data) == [
        "x.yaml:1:1: error: file is too large (256 KiB): scripts and plans can be at most 256 KiB"
    ]


def test_non_utf8_byte_at_its_line_and_column() -> None:
    data = b"calmkit: 1\nid: t\ntitle: caf\xe9\n"
    assert lines(data) == [
        "x.yaml:3:11: error: not UTF-8 text (byte 0xe9 cannot be read): save the file as UTF-8"
    ]


def test_non_utf8_column_counts_characters_not_bytes() -> None:
    # 'é' is two bytes but one column.
    data = "calmkit: 1\ntitle: é".encode() + b"\xff\n"
    assert lines(data) == [
        "x.yaml:2:9: error: not UTF-8 text (byte 0xff cannot be read): save the file as UTF-8"
    ]


def test_non_utf8_after_a_byte_order_mark() -> None:
    data = b"\xef\xbb\xbfcalmkit: 1\nid: t\xff\n"
    assert lines(data) == [
        "x.yaml:2:6: error: not UTF-8 text (byte 0xff cannot be read): save the file as UTF-8"
    ]


def test_byte_order_mark_is_accepted() -> None:
    result = load(b"\xef\xbb\xbf" + (HEAD + "  - say: hi\n").encode())
    assert result.problems == []
    assert result.script is not None


def test_non_utf8_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes((HEAD + "  - say: Gr").encode() + b"\xfc\xdf dich\n")
    result = load_path(path)
    assert [str(p) for p in result.problems] == [
        f"{path}:7:12: error: not UTF-8 text (byte 0xfc cannot be read): save the file as UTF-8"
    ]


# --- the top of the file ------------------------------------------------------------------


def test_unknown_format_version() -> None:
    text = HEAD.replace("calmkit: 1", "calmkit: 2") + "  - say: hi\n"
    result = load_text(text, label="x.yaml")
    assert [str(p) for p in result.problems] == [
        "x.yaml:1:10: error: unknown format version '2': this calmkit reads 'calmkit: 1'"
    ]
    assert result.kind == "script" and result.script is None


def test_format_version_must_be_a_number_not_true() -> None:
    text = HEAD.replace("calmkit: 1", "calmkit: yes") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:1:10: error: unknown format version 'yes': this calmkit reads 'calmkit: 1'"
    ]


def test_missing_format_version() -> None:
    text = HEAD.replace("calmkit: 1\n", "") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:1:1: error: missing 'calmkit: 1' (the format version) at the top of the file"
    ]


def test_top_level_not_a_mapping() -> None:
    assert lines("- a\n- b\n") == [
        "x.yaml:1:1: error: the top of the file must be a mapping of 'key: value' lines, got a list"
    ]
    assert lines("just words\n") == [
        "x.yaml:1:1: error: the top of the file must be a mapping of 'key: value' lines, "
        "got 'just words'"
    ]


def test_mapping_that_is_neither_script_nor_plan() -> None:
    assert lines("calmkit: 1\nname: x\n") == [
        "x.yaml:1:1: error: not a calmkit script or plan: a script starts with 'id:', "
        "a plan with 'plan:'"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    result = load(text)
    assert [str(p) for p in result.problems] == ["x.yaml:1:1: error: the file is empty"]
    assert result.kind is None


def test_an_empty_document_marker_is_not_a_mapping() -> None:
    assert lines("---\n") == [
        "x.yaml:2:1: error: the top of the file must be a mapping of 'key: value' lines, got nothing"
    ]


def test_missing_required_keys() -> None:
    assert lines("calmkit: 1\nid: t\n") == [
        "x.yaml:1:1: error: missing required key 'title' in script",
        "x.yaml:1:1: error: missing required key 'kind' in script",
        "x.yaml:1:1: error: missing required key 'ages' in script",
        "x.yaml:1:1: error: missing required key 'steps' in script",
    ]


def test_missing_id_when_steps_are_given() -> None:
    text = HEAD.replace("id: test-script\n", "") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:1:1: error: missing required key 'id' in script"
    ]


def test_unknown_top_level_key_with_did_you_mean() -> None:
    text = HEAD.replace("title: Test", "titel: T") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:1:1: error: missing required key 'title' in script",
        "x.yaml:3:1: error: unknown key 'titel' in script (did you mean 'title'?)",
    ]


def test_unknown_top_level_key_without_a_near_match() -> None:
    text = HEAD.replace("steps:", "colour: blue\nsteps:") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:6:1: error: unknown key 'colour' in script"
    ]


# --- steps: keys --------------------------------------------------------------------------


def test_unknown_key_in_a_step() -> None:
    assert step_lines("  - say: hi\n    pasue: 2\n") == [
        "x.yaml:8:5: error: unknown key 'pasue' in step 1 (did you mean 'pause'?)"
    ]


def test_misspelt_action_is_one_problem_not_two() -> None:
    assert step_lines("  - say: hi\n  - sya: hello\n") == [
        "x.yaml:8:5: error: unknown key 'sya' in step 2 (did you mean 'say'?)"
    ]


def test_unknown_key_in_tense_step_flow() -> None:
    # The contract's own example: lemon.yaml:12:7 in block form, here in flow form.
    assert step_lines("  - tense: {area: hands, say: Squeeze, hld: 5}\n") == [
        "x.yaml:7:40: error: unknown key 'hld' in tense step (did you mean 'hold'?)"
    ]


def test_unknown_key_in_tense_step_block() -> None:
    text = """\
        calmkit: 1
        id: lemon
        title: Lemon
        kind: muscle-relaxation
        ages: 5-10
        steps:
          - say: Get comfy.
          - say: Pretend you have a lemon.
          - tense:
              area: hands
              say: Squeeze it!
              hld: 5
        """
    assert [str(p) for p in load_text(dedent(text), label="lemon.yaml").problems] == [
        "lemon.yaml:12:7: error: unknown key 'hld' in tense step (did you mean 'hold'?)"
    ]


def test_unknown_key_in_release_step() -> None:
    assert step_lines("  - release: {area: hands, rset: 5}\n") == [
        "x.yaml:7:28: error: unknown key 'rset' in release step (did you mean 'rest'?)"
    ]


def test_tense_takes_no_rest_and_release_no_hold() -> None:
    assert step_lines(
        "  - tense: {area: hands, rest: 5}\n  - release: {area: hands, hold: 5}\n"
    ) == [
        "x.yaml:7:26: error: unknown key 'rest' in tense step",
        "x.yaml:8:28: error: unknown key 'hold' in release step",
    ]


def test_unknown_key_in_breathe_step() -> None:
    assert step_lines("  - breathe: {in: 3, ot: 4}\n") == [
        "x.yaml:7:22: error: unknown key 'ot' in breathe step (did you mean 'out'?)"
    ]


def test_unknown_key_in_sound_step_and_missing_file() -> None:
    assert step_lines("  - sound: {fiel: a.ogg}\n") == [
        "x.yaml:7:12: error: missing required key 'file' in sound step",
        "x.yaml:7:13: error: unknown key 'fiel' in sound step (did you mean 'file'?)",
    ]


def test_tense_without_area() -> None:
    assert step_lines("  - tense: {say: Squeeze}\n") == [
        "x.yaml:7:12: error: missing required key 'area' in tense step"
    ]


# --- unknown names ------------------------------------------------------------------------


def test_unknown_kind() -> None:
    text = HEAD.replace("kind: breathing", "kind: breething") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:4:7: error: unknown kind 'breething' (did you mean 'breathing'?)"
    ]


def test_unknown_kind_far_from_every_kind_lists_them() -> None:
    text = HEAD.replace("kind: breathing", "kind: yoga") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:4:7: error: unknown kind 'yoga' (one of 'breathing', 'muscle-relaxation', "
        "'imagery', 'body-scan', 'grounding', 'coping', 'mindfulness' or 'sleep')"
    ]


def test_unknown_area_guide_chime_and_tier() -> None:
    steps = (
        "  - chime: strt\n"
        "  - tense: hnds\n"
        "  - release: {area: sholders}\n"
        "  - breathe: {guide: word}\n"
        "  - say: {yung: hi}\n"
    )
    assert step_lines(steps) == [
        "x.yaml:7:12: error: unknown chime 'strt' (did you mean 'start'?)",
        "x.yaml:8:12: error: unknown body area 'hnds' (did you mean 'hands'?)",
        "x.yaml:9:21: error: unknown body area 'sholders' (did you mean 'shoulders'?)",
        "x.yaml:10:22: error: unknown breathing guide 'word' (did you mean 'words'?)",
        "x.yaml:11:11: error: unknown tier 'yung' in 'say' (did you mean 'young'?) "
        "(tiers are 'young', 'kid', 'teen' or 'together')",
    ]


def test_unknown_chime_without_a_near_match() -> None:
    assert step_lines("  - chime: bell\n") == [
        "x.yaml:7:12: error: unknown chime 'bell' (one of 'start', 'end' or 'soft')"
    ]


def test_unknown_ambient_is_a_warning_and_the_script_still_loads() -> None:
    text = HEAD.replace("steps:", "ambient: raine\nsteps:") + "  - say: hi\n"
    result = load_text(text, label="x.yaml")
    assert [str(p) for p in result.problems] == [
        "x.yaml:6:10: warning: unknown ambient 'raine' (did you mean 'rain'?): it will play no "
        "ambient sound (beds are 'meadow', 'ocean', 'rain' or 'wind', or 'none')"
    ]
    assert result.problems[0].severity == "warning"
    assert result.problems[0].is_error is False
    assert result.ok is True
    assert result.errors == []
    assert result.script is not None
    assert result.script.ambient == "raine"


def test_ambient_none_is_quiet_and_valid() -> None:
    text = HEAD.replace("steps:", "ambient: none\nsteps:") + "  - say: hi\n"
    result = load_text(text, label="x.yaml")
    assert result.problems == []
    assert result.script is not None and result.script.ambient == "none"


# --- wrong types --------------------------------------------------------------------------


def test_list_where_text_is_expected() -> None:
    assert step_lines("  - say: [a, b]\n") == ["x.yaml:7:10: error: 'say' must be text, got a list"]


def test_mapping_where_text_is_expected() -> None:
    text = HEAD.replace("title: Test", "title: {a: b}") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:3:8: error: 'title' must be text, got a mapping"
    ]


def test_nothing_where_text_is_expected() -> None:
    assert step_lines("  - say:\n  - say: ''\n") == [
        "x.yaml:7:9: error: 'say' must be text, got nothing",
        "x.yaml:8:10: error: 'say' must not be empty",
    ]


def test_text_where_a_number_is_expected() -> None:
    text = """\
        calmkit: 1
        id: lemon
        title: Lemon
        kind: muscle-relaxation
        ages: 5-10
        steps:
          - say: one
          - say: two
          - say: three
          - say: four
          - say: five
          - say: six
          - say: seven
          - say: eight
          - breathe: {in: four, out: 5}
        """
    assert [str(p) for p in load_text(dedent(text), label="lemon.yaml").problems] == [
        "lemon.yaml:15:19: error: 'in' must be a number of seconds from 1 to 15, got 'four'"
    ]


def test_true_is_not_a_number() -> None:
    assert step_lines("  - silence: yes\n") == [
        "x.yaml:7:14: error: 'silence' must be a number of seconds from 0 to 600, got 'yes'"
    ]


@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf"])
def test_infinite_and_nan_are_not_numbers(value: str) -> None:
    assert step_lines(f"  - silence: {value}\n") == [
        f"x.yaml:7:14: error: 'silence' must be a number of seconds from 0 to 600, got '{value}'"
    ]


def test_a_list_where_a_number_is_expected() -> None:
    assert step_lines("  - silence: [1]\n") == [
        "x.yaml:7:14: error: 'silence' must be a number of seconds from 0 to 600, got a list"
    ]


def test_steps_not_a_list() -> None:
    text = HEAD.replace("steps:", "steps: say hi")
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:6:8: error: 'steps' must be a list ('- item' lines or [a, b]), got 'say hi'"
    ]


# --- numbers out of range, at both ends ------------------------------------------------------

NUMBER = "must be a number of seconds from"
RANGE_CASES = [
    # (step line, column of the value, message)
    ("  - breathe: {in: 0}", 19, f"'in' {NUMBER} 1 to 15, got '0'"),
    ("  - breathe: {in: 15.5}", 19, f"'in' {NUMBER} 1 to 15, got '15.5'"),
    ("  - breathe: {out: 0.5}", 20, f"'out' {NUMBER} 1 to 15, got '0.5'"),
    ("  - breathe: {out: 16}", 20, f"'out' {NUMBER} 1 to 15, got '16'"),
    ("  - breathe: {hold: -0.1}", 21, f"'hold' {NUMBER} 0 to 10, got '-0.1'"),
    ("  - breathe: {hold: 11}", 21, f"'hold' {NUMBER} 0 to 10, got '11'"),
    ("  - breathe: {rest: -1}", 21, f"'rest' {NUMBER} 0 to 10, got '-1'"),
    ("  - breathe: {rest: 10.5}", 21, f"'rest' {NUMBER} 0 to 10, got '10.5'"),
    ("  - breathe: {count: 0}", 22, "'count' must be a whole number of breaths from 1 to 60, got '0'"),
    ("  - breathe: {count: 61}", 22, "'count' must be a whole number of breaths from 1 to 60, got '61'"),
    ("  - breathe: {count: 2.5}", 22, "'count' must be a whole number of breaths from 1 to 60, got '2.5'"),
    ("  - tense: {area: hands, hold: 0}", 32, f"'hold' {NUMBER} 1 to 15, got '0'"),
    ("  - tense: {area: hands, hold: 15.1}", 32, f"'hold' {NUMBER} 1 to 15, got '15.1'"),
    ("  - release: {area: hands, rest: -1}", 34, f"'rest' {NUMBER} 0 to 60, got '-1'"),
    ("  - release: {area: hands, rest: 61}", 34, f"'rest' {NUMBER} 0 to 60, got '61'"),
    ("  - silence: -1", 14, f"'silence' {NUMBER} 0 to 600, got '-1'"),
    ("  - silence: 601", 14, f"'silence' {NUMBER} 0 to 600, got '601'"),
    ("  - say: hi\n    pause: -1", 12, f"'pause' {NUMBER} 0 to 60, got '-1'"),
    ("  - say: hi\n    pause: 60.5", 12, f"'pause' {NUMBER} 0 to 60, got '60.5'"),
    ("  - chime: end\n    pause: -0.5", 12, f"'pause' {NUMBER} 0 to 60, got '-0.5'"),
    ("  - sound: {file: a.ogg, volume: -0.1}", 34, "'volume' must be a number from 0 to 1, got '-0.1'"),
    ("  - sound: {file: a.ogg, volume: 1.1}", 34, "'volume' must be a number from 0 to 1, got '1.1'"),
]  # fmt: skip


@pytest.mark.parametrize(("step", "col", "message"), RANGE_CASES)
def test_number_out_of_range(step: str, col: int, message: str) -> None:
    line = 7 + step.count("\n")
    result = load_text(HEAD + step + "\n", label="x.yaml")
    assert [str(p) for p in result.problems] == [f"x.yaml:{line}:{col}: error: {message}"]
    assert result.script is None


def test_numbers_at_the_limits_are_accepted() -> None:
    steps = (
        "  - breathe: {in: 1, out: 15, hold: 0, rest: 0, count: 1}\n"
        "  - breathe: {in: 15, out: 1, hold: 10, rest: 10, count: 60}\n"
        "  - tense: {area: hands, hold: 1}\n"
        "  - tense: {area: hands, hold: 15}\n"
        "  - release: {area: hands, rest: 0}\n"
        "  - release: {area: hands, rest: 60}\n"
        "  - silence: 0\n"
        "  - silence: 600\n"
        "  - say: a\n    pause: 0\n"
        "  - say: b\n    pause: 60\n"
        "  - sound: {file: a.ogg, volume: 0}\n"
        "  - sound: {file: a.ogg, volume: 1}\n"
    )
    result = load_text(HEAD + steps, label="x.yaml")
    assert result.problems == []
    assert result.script is not None
    first, second = result.script.steps[0], result.script.steps[1]
    assert first == Breathe(inhale=1.0, exhale=15.0, hold=0.0, rest=0.0, count=1, line=7)
    assert second == Breathe(inhale=15.0, exhale=1.0, hold=10.0, rest=10.0, count=60, line=8)
    assert [step.pause for step in result.script.steps[8:10]] == [0.0, 60.0]
    assert [step.volume for step in result.script.steps[10:]] == [0.0, 1.0]  # type: ignore[union-attr]


def test_count_written_as_whole_float_is_accepted() -> None:
    result = load_text(HEAD + "  - breathe: {count: 3.0}\n", label="x.yaml")
    assert result.problems == []
    assert result.script is not None
    step = result.script.steps[0]
    assert isinstance(step, Breathe) and step.count == 3 and isinstance(step.count, int)


# --- ages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ages", "message"),
    [
        ("10-5", "'ages' 10-5 is backwards: write the younger age first, like '5-10'"),
        ("3-10", "'ages' must be between 4 and 18, got '3-10'"),
        ("5-19", "'ages' must be between 4 and 18, got '5-19'"),
        ("3", "'ages' must be between 4 and 18, got '3'"),
        ("19", "'ages' must be between 4 and 18, got '19'"),
        ("five", "'ages' must be an age range like '5-10' or one age, got 'five'"),
    ],
)
def test_bad_ages(ages: str, message: str) -> None:
    text = HEAD.replace("ages: 5-10", f"ages: {ages}") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        f"x.yaml:5:7: error: {message}"
    ]


@pytest.mark.parametrize(
    ("ages", "expected"), [("7", (7, 7)), ("4-18", (4, 18)), ("6 - 9", (6, 9))]
)
def test_good_ages(ages: str, expected: tuple[int, int]) -> None:
    text = HEAD.replace("ages: 5-10", f"ages: {ages}") + "  - say: hi\n"
    result = load_text(text, label="x.yaml")
    assert result.problems == []
    assert result.script is not None and result.script.ages == expected


# --- step shapes ----------------------------------------------------------------------------


def test_empty_step_list() -> None:
    text = HEAD.replace("steps:", "steps: []")
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:6:8: error: 'steps' must list at least one item"
    ]


def test_steps_with_nothing_after_them() -> None:
    assert [str(p) for p in load_text(HEAD, label="x.yaml").problems] == [
        "x.yaml:6:7: error: 'steps' must be a list ('- item' lines or [a, b]), got nothing"
    ]


def test_step_with_two_actions() -> None:
    assert step_lines("  - say: hi\n    silence: 3\n") == [
        "x.yaml:8:5: error: step 1 has two actions, 'say' and 'silence': give each its own '- ' line"
    ]


def test_step_with_no_action() -> None:
    assert step_lines("  - say: hi\n  - pause: 3\n") == [
        "x.yaml:8:5: error: step 2 has no action: give it one of 'say', 'breathe', 'tense', "
        "'release', 'silence', 'chime' or 'sound'"
    ]


def test_step_that_is_not_a_mapping() -> None:
    assert step_lines("  - hello\n  - [a]\n") == [
        "x.yaml:7:5: error: step 1 must be a mapping like '- say: Hello', got 'hello'",
        "x.yaml:8:5: error: step 2 must be a mapping like '- say: Hello', got a list",
    ]


@pytest.mark.parametrize("bad", ["Bad_Id", "two--hyphens", "-lead", "ünï", "a" * 65])
def test_bad_step_id(bad: str) -> None:
    assert step_lines(f"  - id: {bad}\n    say: x\n") == [
        "x.yaml:7:9: error: 'id' must be lowercase letters, digits and single hyphens "
        f"(at most 64), like 'lemon-squeeze', got '{bad[:40]}'"
    ]


def test_duplicate_step_id() -> None:
    steps = "  - id: a\n    say: x\n  - id: b\n    say: y\n  - id: a\n    say: z\n"
    assert step_lines(steps) == ["x.yaml:11:9: error: step id 'a' is used twice (first on line 7)"]


def test_bad_script_id() -> None:
    text = HEAD.replace("id: test-script", "id: Test Script") + "  - say: hi\n"
    assert [str(p) for p in load_text(text, label="x.yaml").problems] == [
        "x.yaml:2:5: error: 'id' must be lowercase letters, digits and single hyphens "
        "(at most 64), like 'lemon-squeeze', got 'Test Script'"
    ]


def test_tier_mapping_needs_a_line() -> None:
    assert step_lines("  - say: {}\n") == ["x.yaml:7:10: error: 'say' needs at least one line"]


def test_tier_variant_must_be_text() -> None:
    assert step_lines("  - say: {young: [a]}\n") == [
        "x.yaml:7:18: error: 'say: young' must be text, got a list"
    ]


# --- sound files --------------------------------------------------------------------------


@pytest.fixture
def sound_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "intro.ogg").write_bytes(b"OggS")
    (folder / "clips").mkdir()
    (folder / "clips" / "deep.wav").write_bytes(b"RIFF")
    (tmp_path / "outside.ogg").write_bytes(b"OggS")
    return folder


OUTSIDE = (
    "is outside the script's folder: keep recorded clips beside the script and name them "
    "without folders above it"
)


def test_sound_file_above_the_folder(sound_folder: Path) -> None:
    assert step_lines("  - sound: {file: ../outside.ogg}\n", folder=sound_folder) == [
        f"x.yaml:7:19: error: sound file '../outside.ogg' {OUTSIDE}"
    ]


def test_sound_file_sneaking_up_through_a_subfolder(sound_folder: Path) -> None:
    assert step_lines("  - sound: clips/../../outside.ogg\n", folder=sound_folder) == [
        f"x.yaml:7:12: error: sound file 'clips/../../outside.ogg' {OUTSIDE}"
    ]


def test_sound_file_absolute(sound_folder: Path) -> None:
    absolute = sound_folder / "intro.ogg"
    assert step_lines(f"  - sound: {{file: '{absolute}'}}\n", folder=sound_folder) == [
        f"x.yaml:7:19: error: sound file '{absolute}' {OUTSIDE}"
    ]


def test_sound_file_with_backslashes(sound_folder: Path) -> None:
    assert step_lines("  - sound: '..\\outside.ogg'\n", folder=sound_folder) == [
        f"x.yaml:7:12: error: sound file '..\\outside.ogg' {OUTSIDE}"
    ]


def test_sound_file_through_a_symlink_leading_outside(sound_folder: Path) -> None:
    os.symlink(sound_folder.parent / "outside.ogg", sound_folder / "link.ogg")
    assert step_lines("  - sound: {file: link.ogg}\n", folder=sound_folder) == [
        "x.yaml:7:19: error: sound file 'link.ogg' leads outside the script's folder (through a link)"
    ]


def test_sound_file_missing(sound_folder: Path) -> None:
    assert step_lines("  - sound: {file: missing.ogg}\n", folder=sound_folder) == [
        "x.yaml:7:19: error: sound file 'missing.ogg' was not found beside the script"
    ]


def test_sound_file_that_is_a_folder(sound_folder: Path) -> None:
    (sound_folder / "folder.ogg").mkdir()
    assert step_lines("  - sound: folder.ogg\n", folder=sound_folder) == [
        "x.yaml:7:12: error: sound file 'folder.ogg' was not found beside the script"
    ]


def test_sound_file_bad_extension(sound_folder: Path) -> None:
    (sound_folder / "notes.txt").write_text("x")
    assert step_lines("  - sound: {file: notes.txt}\n", folder=sound_folder) == [
        "x.yaml:7:19: error: sound file 'notes.txt' must be one of .ogg, .oga, .wav, .flac, .mp3"
    ]


def test_sound_files_inside_the_folder_load(sound_folder: Path) -> None:
    steps = "  - sound: intro.ogg\n  - sound: {file: clips/deep.wav, volume: 0.5}\n"
    result = load_text(HEAD + steps, label="x.yaml", folder=sound_folder)
    assert result.problems == []
    assert result.script is not None
    assert result.script.steps == (
        Sound(file="intro.ogg", volume=1.0, line=7),
        Sound(file="clips/deep.wav", volume=0.5, line=8),
    )


def test_sound_beside_a_file_on_disk(sound_folder: Path) -> None:
    path = sound_folder / "script.yaml"
    path.write_text(HEAD + "  - sound: intro.ogg\n  - sound: gone.ogg\n")
    result = load_path(path)
    assert [str(p) for p in result.problems] == [
        f"{path}:8:12: error: sound file 'gone.ogg' was not found beside the script"
    ]


# --- length -------------------------------------------------------------------------------


def test_script_of_exactly_sixty_minutes_is_accepted() -> None:
    result = load_text(HEAD + "  - silence: 600\n" * 6, label="x.yaml")
    assert result.problems == []
    assert result.script is not None


def test_script_over_sixty_minutes_refused() -> None:
    result = load_text(HEAD + "  - silence: 600\n" * 6 + "  - silence: 1\n", label="x.yaml")
    assert [str(p) for p in result.problems] == [
        "x.yaml:6:1: error: this script would take about 61 minutes; a script can be at most "
        "60 minutes (split it into two)"
    ]
    assert result.script is None


def test_script_length_counts_breathing_cycles() -> None:
    # (15 + 10 + 15 + 10) s x 60 breaths = 50 minutes, twice.
    step = "  - breathe: {in: 15, out: 15, hold: 10, rest: 10, count: 60}\n"
    assert [str(p) for p in load_text(HEAD + step * 2, label="x.yaml").problems] == [
        "x.yaml:6:1: error: this script would take about 100 minutes; a script can be at most "
        "60 minutes (split it into two)"
    ]


def test_script_length_uses_the_slowest_tier() -> None:
    # 3550 s of silence and 100 words: young reads them in 57.1 s (over), teen in 48 s.
    words = " ".join(["word"] * 100)
    steps = "  - silence: 600\n" * 5 + "  - silence: 550\n" + f"  - say: {words}\n    pause: 0\n"
    assert [str(p) for p in load_text(HEAD + steps, label="x.yaml").problems] == [
        "x.yaml:6:1: error: this script would take about 61 minutes; a script can be at most "
        "60 minutes (split it into two)",
        "x.yaml:13:10: warning: this line has 100 words; a child follows at most 30 a line "
        "best: split it into two 'say' steps",
    ]


# --- all problems at once -----------------------------------------------------------------


def test_all_problems_of_a_file_at_once_in_line_order() -> None:
    text = """\
        calmkit: 1
        id: Bad
        title: [x]
        kind: breething
        ages: 10-5
        steps:
          - say: hi
            pasue: 3
        """
    assert lines(text) == [
        "x.yaml:2:5: error: 'id' must be lowercase letters, digits and single hyphens "
        "(at most 64), like 'lemon-squeeze', got 'Bad'",
        "x.yaml:3:8: error: 'title' must be text, got a list",
        "x.yaml:4:7: error: unknown kind 'breething' (did you mean 'breathing'?)",
        "x.yaml:5:7: error: 'ages' 10-5 is backwards: write the younger age first, like '5-10'",
        "x.yaml:8:5: error: unknown key 'pasue' in step 1 (did you mean 'pause'?)",
    ]


def test_problems_in_steps_are_all_reported_in_line_order() -> None:
    steps = (
        "  - breathe: {in: 0, out: 16}\n"
        "  - chime: bell\n"
        "  - say: hi\n    pause: 99\n"
        "  - tense: {area: toes}\n"
    )
    assert step_lines(steps) == [
        "x.yaml:7:19: error: 'in' must be a number of seconds from 1 to 15, got '0'",
        "x.yaml:7:27: error: 'out' must be a number of seconds from 1 to 15, got '16'",
        "x.yaml:8:12: error: unknown chime 'bell' (one of 'start', 'end' or 'soft')",
        "x.yaml:10:12: error: 'pause' must be a number of seconds from 0 to 60, got '99'",
        "x.yaml:11:19: error: unknown body area 'toes' (one of 'hands', 'arms', 'shoulders', "
        "'neck', 'face', 'jaw', 'belly', 'back', 'legs', 'feet' or 'whole-body')",
    ]


def test_duplicate_keys_sorted_among_other_problems() -> None:
    text = HEAD.replace("kind: breathing", "kind: yoga\ntitle: X") + "  - chime: bell\n"
    result = load_text(text, label="x.yaml")
    assert [(p.line, p.col) for p in result.problems] == [(4, 7), (5, 1), (8, 12)]
    assert result.problems[1].message == "duplicate key 'title' (first given on line 3)"


# --- a valid script ----------------------------------------------------------------------

VALID = """\
calmkit: 1
id: lemon-squeeze
title: Lemon Squeeze
kind: muscle-relaxation
ages: 5-10
summary: Squeeze and let go.
ambient: meadow
steps:
  - chime: start
  - say: Get comfy.
  - id: lemon
    say:
      young: Pretend you have a lemon.
      kid: Imagine a lemon.
      together: Everyone, a lemon.
    pause: 3
  - tense: {area: hands, say: Squeeze it!, hold: 4}
  - release: {area: hands, say: Let go., rest: 8}
  - tense: feet
  - release: feet
  - breathe: {in: 3, out: 5, count: 4, guide: tones}
  - breathe:
  - breathe: {hold: 2, rest: 1}
  - silence: 10
  - id: outro
    silence: 1:30
    pause: 2
  - chime: end
"""


def test_valid_script_loads_into_model_objects() -> None:
    result = load_text(VALID, label="lemon.yaml")
    assert result.problems == []
    assert result.ok and result.kind == "script" and result.plan is None
    assert result.document_id == "lemon-squeeze"
    assert (result.id_line, result.id_col) == (2, 5)
    script = result.script
    assert script is not None
    assert script.id == "lemon-squeeze"
    assert script.title == "Lemon Squeeze"
    assert script.kind == "muscle-relaxation"
    assert script.ages == (5, 10)
    assert script.ages_label == "5-10"
    assert script.summary == "Squeeze and let go."
    assert script.ambient == "meadow"
    assert script.path == "lemon.yaml"
    assert script.steps == (
        Chime(name="start", line=9),
        Say(text=Text.of("Get comfy."), pause=1.5, line=10),
        Say(
            text=Text(variants={"young": "Pretend you have a lemon.", "kid": "Imagine a lemon.",
                                "together": "Everyone, a lemon."}),
            pause=3.0,
            step_id="lemon",
            line=11,
        ),
        Tense(area="hands", text=Text.of("Squeeze it!"), hold=4.0, line=17),
        Release(area="hands", text=Text.of("Let go."), rest=8.0, line=18),
        Tense(area="feet", text=None, hold=5.0, line=19),
        Release(area="feet", text=None, rest=10.0, line=20),
        Breathe(inhale=3.0, exhale=5.0, hold=0.0, rest=0.0, count=4, guide="tones", line=21),
        Breathe(inhale=None, exhale=None, hold=0.0, rest=0.0, count=5, guide="words", line=22),
        Breathe(inhale=None, exhale=None, hold=2.0, rest=1.0, count=5, guide="words", line=23),
        Silence(seconds=10.0, line=24),
        Silence(seconds=90.0, pause=2.0, step_id="outro", line=25),
        Chime(name="end", line=28),
    )  # fmt: skip


def test_step_defaults() -> None:
    assert Say(text=Text.of("x")).pause == 1.5
    assert Tense(area="hands").hold == 5.0
    assert Release(area="hands").rest == 10.0
    breathe = Breathe()
    assert (breathe.count, breathe.guide, breathe.inhale, breathe.exhale) == (
        5,
        "words",
        None,
        None,
    )
    assert (breathe.hold, breathe.rest, breathe.pause) == (0.0, 0.0, 0.0)


def test_valid_script_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "lemon.yaml"
    path.write_text(VALID, encoding="utf-8")
    result = load_path(path)
    assert result.problems == []
    assert result.script is not None
    assert result.script.path == str(path)
    assert len(result.script.steps) == 13


def test_optional_summary_and_ambient_absent() -> None:
    result = load_text(HEAD + "  - say: hi\n", label="x.yaml")
    assert result.script is not None
    assert (result.script.summary, result.script.ambient) == ("", None)


@pytest.mark.parametrize(
    ("written", "text"),
    [("yes", "yes"), ("no", "no"), ("on", "on"), ("12", "12"), ("1:30", "1:30"),
     ("2026-01-01", "2026-01-01"), ("3.50", "3.50"), ("~x", "~x"), ("0x1F", "0x1F")],
)  # fmt: skip
def test_yaml_11_surprises_stay_text(written: str, text: str) -> None:
    result = load_text(HEAD + f"  - say: {written}\n", label="x.yaml")
    assert result.problems == []
    assert result.script is not None
    assert result.script.steps[0] == Say(text=Text.of(text), line=7)


def test_yaml_11_surprises_in_titles_and_tiers() -> None:
    text = HEAD.replace("title: Test", "title: Yes") + "  - say: {young: no, teen: 12}\n"
    result = load_text(text, label="x.yaml")
    assert result.problems == []
    assert result.script is not None
    assert result.script.title == "Yes"
    assert result.script.steps[0] == Say(text=Text(variants={"young": "no", "teen": "12"}), line=7)


def test_quoted_numbers_are_numbers() -> None:
    result = load_text(HEAD + "  - silence: '12'\n", label="x.yaml")
    assert result.problems == []
    assert result.script is not None
    assert result.script.steps[0] == Silence(seconds=12.0, line=7)


# --- plans --------------------------------------------------------------------------------

PLAN = """\
calmkit: 1
plan: maya-plan
for: Maya
age: 9
starts: 2026-11-24
note: Practise after school.
schedule:
  - weeks: 1-2
    sessions:
      - name: After school
        scripts: [balloon-belly, lemon-squeeze]
        per_day: 2
  - weeks: 3-8
    sessions:
      - scripts: [calm-place]
settings:
  breathe: {in: 3, out: 5, hold: 1, rest: 2}
  gentle: [feet, legs]
  skip: [jaw]
  ambient: rain
  voice: default
  checkin:
    before: [stress, pain]
    after: [mood]
    daily: [activities]
  rewards: false
"""


def plan_lines(text: str, **kwargs: object) -> list[str]:
    return [str(p) for p in load_text(text, label="plan.yaml", **kwargs).problems]  # type: ignore[arg-type]


def test_valid_plan_with_every_key() -> None:
    result = load_text(PLAN, label="plan.yaml", known_scripts=KNOWN)
    assert result.problems == []
    assert result.kind == "plan" and result.script is None
    assert result.plan == Plan(
        id="maya-plan",
        for_profile="Maya",
        age=9,
        starts=dt.date(2026, 11, 24),
        note="Practise after school.",
        schedule=(
            ScheduleBlock(
                first_week=1,
                last_week=2,
                sessions=(
                    PlannedSession(
                        scripts=("balloon-belly", "lemon-squeeze"), name="After school", per_day=2
                    ),
                ),
            ),
            ScheduleBlock(
                first_week=3,
                last_week=8,
                sessions=(PlannedSession(scripts=("calm-place",), name="", per_day=1),),
            ),
        ),
        settings=PlanSettings(
            breathe=BreathePace(inhale=3.0, exhale=5.0, hold=1.0, rest=2.0),
            gentle=frozenset({"feet", "legs"}),
            skip=frozenset({"jaw"}),
            ambient="rain",
            voice="default",
            checkin=CheckinSettings(
                before=("stress", "pain"),
                after=("mood",),
                daily=("activities",),
                daily_listed=True,  # the plan's own list: grown-ups are asked it too
            ),
            rewards=False,
        ),
        path="plan.yaml",
    )
    assert result.plan.weeks == 8
    assert (result.id_line, result.id_col) == (2, 7)


def test_minimal_plan_defaults() -> None:
    text = "calmkit: 1\nplan: p\nschedule:\n  - weeks: 1\n    sessions:\n      - scripts: [a]\n"
    result = load_text(text, label="plan.yaml")
    assert result.problems == []
    assert result.plan == Plan(
        id="p",
        schedule=(ScheduleBlock(1, 1, (PlannedSession(scripts=("a",)),)),),
        path="plan.yaml",
    )
    settings = result.plan.settings
    assert settings.checkin == CheckinSettings(("stress",), ("stress",), ("activities",))
    assert not settings.checkin.daily_listed  # the default, not the plan asking
    assert settings.rewards is True
    assert (settings.breathe, settings.ambient, settings.voice) == (None, None, None)


def test_plan_scripts_unchecked_without_known_scripts() -> None:
    assert plan_lines(PLAN.replace("[calm-place]", "[no-such-thing]")) == []


def test_plan_unknown_script_with_did_you_mean() -> None:
    text = PLAN.replace("[balloon-belly,", "[balon-belly,")
    assert plan_lines(text, known_scripts=KNOWN) == [
        "plan.yaml:11:19: error: unknown script 'balon-belly' (did you mean 'balloon-belly'?)"
    ]


def test_plan_unknown_script_far_from_every_known_one() -> None:
    text = PLAN.replace("[calm-place]", "[juggling]")
    assert plan_lines(text, known_scripts=KNOWN) == [
        "plan.yaml:15:19: error: unknown script 'juggling'"
    ]


def test_plan_the_contracts_example() -> None:
    text = """\
        calmkit: 1
        plan: maya
        for: Maya
        age: 9
        schedule:
          - weeks: 1-2
            sessions:
            - name: After school
              scripts: [balon-belly]
        """
    assert plan_lines(dedent(text), known_scripts=KNOWN) == [
        "plan.yaml:9:17: error: unknown script 'balon-belly' (did you mean 'balloon-belly'?)"
    ]


def test_plan_overlapping_weeks() -> None:
    assert plan_lines(PLAN.replace("weeks: 3-8", "weeks: 2-8")) == [
        "plan.yaml:13:5: error: weeks 2-8 overlap weeks 1-2: give each week one entry"
    ]


def test_plan_backwards_weeks() -> None:
    assert plan_lines(PLAN.replace("weeks: 1-2", "weeks: 2-1")) == [
        "plan.yaml:8:12: error: 'weeks' 2-1 is backwards: write the earlier week first, like '1-2'"
    ]


@pytest.mark.parametrize(("weeks", "line"), [("0-2", 8), ("3-105", 13)])
def test_plan_weeks_out_of_range(weeks: str, line: int) -> None:
    original = "1-2" if line == 8 else "3-8"
    assert plan_lines(PLAN.replace(f"weeks: {original}", f"weeks: {weeks}")) == [
        f"plan.yaml:{line}:12: error: 'weeks' must count from 1 to 104, got '{weeks}'"
    ]


def test_plan_weeks_not_a_range() -> None:
    assert plan_lines(PLAN.replace("weeks: 1-2", "weeks: first")) == [
        "plan.yaml:8:12: error: 'weeks' must be a week or a range like '1-2', got 'first'"
    ]


@pytest.mark.parametrize("per_day", ["0", "11", "1.5", "two"])
def test_plan_per_day_range(per_day: str) -> None:
    assert plan_lines(PLAN.replace("per_day: 2", f"per_day: {per_day}")) == [
        f"plan.yaml:12:18: error: 'per_day' must be a whole number from 1 to 10, got '{per_day}'"
    ]


def test_plan_per_day_limits_accepted() -> None:
    for per_day in (1, 10):
        result = load_text(PLAN.replace("per_day: 2", f"per_day: {per_day}"), label="plan.yaml")
        assert result.problems == []
        assert result.plan is not None
        assert result.plan.schedule[0].sessions[0].per_day == per_day


def test_plan_unknown_checkin_item() -> None:
    text = PLAN.replace("[stress, pain]", "[stres]").replace(
        "daily: [activities]", "daily: [school]"
    )
    assert plan_lines(text) == [
        "plan.yaml:23:14: error: unknown check-in 'stres' (did you mean 'stress'?)",
        "plan.yaml:25:13: error: unknown check-in 'school' (one of 'activities')",
    ]


def test_plan_unknown_checkin_key() -> None:
    assert plan_lines(PLAN.replace("after: [mood]", "aftr: [mood]")) == [
        "plan.yaml:24:5: error: unknown key 'aftr' in checkin (did you mean 'after'?)"
    ]


def test_plan_area_both_gentle_and_skipped() -> None:
    assert plan_lines(PLAN.replace("skip: [jaw]", "skip: [jaw, feet]")) == [
        "plan.yaml:19:9: error: 'feet' cannot be both gentle and skipped: choose one"
    ]


def test_plan_unknown_gentle_area() -> None:
    assert plan_lines(PLAN.replace("gentle: [feet, legs]", "gentle: [feet, legz]")) == [
        "plan.yaml:18:18: error: unknown body area 'legz' (did you mean 'legs'?)"
    ]


@pytest.mark.parametrize("value", ["maybe", "1", "'true'"])
def test_plan_rewards_not_a_boolean(value: str) -> None:
    assert plan_lines(PLAN.replace("rewards: false", f"rewards: {value}")) == [
        f"plan.yaml:26:12: error: 'rewards' must be true or false, got '{value.strip(chr(39))}'"
    ]


@pytest.mark.parametrize("value", ["next monday", "2026-13-45", "24.11.2026", "[2026]"])
def test_plan_starts_not_a_date(value: str) -> None:
    shown = "a list" if value.startswith("[") else f"'{value}'"
    assert plan_lines(PLAN.replace("starts: 2026-11-24", f"starts: {value}")) == [
        f"plan.yaml:5:9: error: 'starts' must be a date like 2026-11-24, got {shown}"
    ]


def test_plan_starts_quoted_date_and_datetime() -> None:
    for value in ("'2026-11-24'", "2026-11-24 08:00:00"):
        result = load_text(PLAN.replace("starts: 2026-11-24", f"starts: {value}"), label="p.yaml")
        assert result.problems == []
        assert result.plan is not None and result.plan.starts == dt.date(2026, 11, 24)


@pytest.mark.parametrize("age", ["3", "19", "9.5"])
def test_plan_age_out_of_range(age: str) -> None:
    assert plan_lines(PLAN.replace("age: 9", f"age: {age}")) == [
        f"plan.yaml:4:6: error: 'age' must be a whole number of years from 4 to 18, got '{age}'"
    ]


def test_plan_breathe_pace_out_of_range() -> None:
    text = PLAN.replace("{in: 3, out: 5, hold: 1, rest: 2}", "{in: 0, out: 16, hold: 11, rest: -1}")
    assert plan_lines(text) == [
        "plan.yaml:17:17: error: 'in' must be a number of seconds from 1 to 15, got '0'",
        "plan.yaml:17:25: error: 'out' must be a number of seconds from 1 to 15, got '16'",
        "plan.yaml:17:35: error: 'hold' must be a number of seconds from 0 to 10, got '11'",
        "plan.yaml:17:45: error: 'rest' must be a number of seconds from 0 to 10, got '-1'",
    ]


def test_plan_unknown_settings_key() -> None:
    assert plan_lines(PLAN.replace("voice: default", "vocie: default")) == [
        "plan.yaml:21:3: error: unknown key 'vocie' in settings (did you mean 'voice'?)"
    ]


def test_plan_unknown_top_level_key() -> None:
    assert plan_lines(PLAN.replace("note:", "notes:")) == [
        "plan.yaml:6:1: error: unknown key 'notes' in plan (did you mean 'note'?)"
    ]


def test_plan_unknown_ambient_is_a_warning() -> None:
    result = load_text(PLAN.replace("ambient: rain", "ambient: rian"), label="plan.yaml")
    assert [str(p) for p in result.problems] == [
        "plan.yaml:20:12: warning: unknown ambient 'rian' (did you mean 'rain'?): it will play no "
        "ambient sound (beds are 'meadow', 'ocean', 'rain' or 'wind', or 'none')"
    ]
    assert result.problems[0].severity == "warning"
    assert result.ok
    assert result.plan is not None and result.plan.settings.ambient == "rian"


def test_plan_missing_required_keys() -> None:
    assert plan_lines("calmkit: 1\nplan: p\n") == [
        "plan.yaml:1:1: error: missing required key 'schedule' in plan"
    ]
    text = "calmkit: 1\nplan: p\nschedule:\n  - weeks: 1\n    sesions: []\n"
    assert plan_lines(text) == [
        "plan.yaml:4:5: error: missing required key 'sessions' in schedule entry",
        "plan.yaml:5:5: error: unknown key 'sesions' in schedule entry (did you mean 'sessions'?)",
    ]


def test_plan_session_without_scripts() -> None:
    text = "calmkit: 1\nplan: p\nschedule:\n  - weeks: 1\n    sessions:\n      - name: A\n"
    assert plan_lines(text) == ["plan.yaml:6:9: error: missing required key 'scripts' in session"]


def test_plan_all_problems_at_once() -> None:
    text = (
        PLAN.replace("plan: maya-plan", "plan: Maya")
        .replace("age: 9", "age: 30")
        .replace("weeks: 3-8", "weeks: 2-8")
        .replace("rewards: false", "rewards: often")
    )
    assert [(line.split(":")[1], line.split(":")[2]) for line in plan_lines(text)] == [
        ("2", "7"),
        ("4", "6"),
        ("13", "5"),
        ("26", "12"),
    ]


def test_model_constants_match_the_contract() -> None:
    assert model.KINDS == (
        "breathing", "muscle-relaxation", "imagery", "body-scan", "grounding", "coping",
        "mindfulness", "sleep",
    )  # fmt: skip
    assert model.AREAS == (
        "hands", "arms", "shoulders", "neck", "face", "jaw", "belly", "back", "legs", "feet",
        "whole-body",
    )  # fmt: skip
    assert model.GUIDES == ("words", "counts", "tones", "quiet")
    assert model.CHIMES == ("start", "end", "soft")


def test_a_missing_version_is_reported_with_every_other_problem() -> None:
    text = "id: x\ntitle: T\nkind: sleeping\nages: 5\nsteps:\n  - say: hi\n"
    assert lines(text) == [
        "x.yaml:1:1: error: missing 'calmkit: 1' (the format version) at the top of the file",
        "x.yaml:3:7: error: unknown kind 'sleeping' (did you mean 'sleep'?)",
    ]


def test_a_quoted_version_one_is_version_one() -> None:
    result = load("calmkit: '1'\nid: x\ntitle: T\nkind: sleep\nages: 5\nsteps:\n  - say: hi\n")
    assert result.ok and result.script is not None


def test_a_broken_file_still_says_which_id_it_declares() -> None:
    result = load("calmkit: 1\nid: my-script\ntitle: T\nkind: nope\nages: 5\nsteps:\n  - say: hi\n")
    assert not result.ok
    assert result.declared_id == "my-script"


def test_a_number_too_big_for_a_float_is_a_problem_not_a_crash() -> None:
    # Found by benchmarks/fuzz_loader.py: float(10**400) raises OverflowError.
    result = load(
        "calmkit: 1\nid: big\ntitle: Big\nkind: breathing\nages: 6-12\n"
        f"steps:\n  - say: Hi\n    pause: {'9' * 400}\n"
    )
    assert not result.ok
    assert any(
        "'pause' must be a number of seconds from 0 to 60" in p.message for p in result.errors
    )
