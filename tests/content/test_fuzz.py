"""Random damage to real scripts and plans only ever ends in reported problems."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmkit.content.loader import LoadResult, load_text
from calmkit.content.problems import Problem

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO_ROOT / "scripts").rglob("*.yaml"))
SEED_TEXTS = [path.read_bytes() for path in SEEDS]
TOKENS = [
    b":", b": ", b"- ", b"-", b"&a ", b"*a", b"{", b"}", b"[", b"]", b"\t", b"\x00", b"\xff",
    b"999999999999", b"-1", b".nan", b".inf", b"yes", b"~", b'"', b"'", b"\\", b"\n", b"  ",
    b"#", b"!!python/object:os.system", b"<<: ", b"? ", b"|", b">", b"%YAML 1.1\n", b"---\n",
    b"1:30", b"2026-13-45", b"say", b"breathe", b"tense", b"area", b"in", b"out", b"0x1f",
]  # fmt: skip


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEED_TEXTS)))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        action = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "truncate"]))
        position = draw(st.integers(min_value=0, max_value=max(0, len(data) - 1)))
        if action == "delete":
            length = draw(st.integers(min_value=1, max_value=40))
            del data[position : position + length]
        elif action == "insert":
            token = draw(st.sampled_from(TOKENS) | st.binary(max_size=8))
            data[position:position] = token
        elif action == "duplicate":
            length = draw(st.integers(min_value=1, max_value=200))
            data[position:position] = data[position : position + length]
        elif action == "swap":
            lines = bytes(data).split(b"\n")
            first = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            second = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[first], lines[second] = lines[second], lines[first]
            data = bytearray(b"\n".join(lines))
        else:
            del data[position:]
    return bytes(data)


def _check(result: LoadResult, data: bytes) -> None:
    assert isinstance(result, LoadResult)
    line_count = data.count(b"\n") + 2
    for problem in result.problems:
        assert isinstance(problem, Problem)
        assert problem.message
        assert 1 <= problem.line <= line_count, problem
        assert problem.col >= 1, problem
        assert str(problem).startswith("fuzz.yaml:")
    # Either a usable document or at least one error saying why not.
    usable = result.script is not None or result.plan is not None
    assert usable == result.ok


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_scripts_only_end_in_problems(data: bytes) -> None:
    _check(load_text(data, label="fuzz.yaml"), data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_only_end_in_problems(data: bytes) -> None:
    _check(load_text(data, label="fuzz.yaml"), data)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(
                st.sampled_from(["calmkit", "id", "plan", "steps", "say", "title", "kind", "x"]),
                children,
                max_size=6,
            )
        ),
        max_leaves=30,
    )
)
def test_random_yaml_values_only_end_in_problems(value: object) -> None:
    import yaml

    data = yaml.safe_dump(value).encode()
    _check(load_text(data, label="fuzz.yaml"), data)


def test_the_seed_corpus_is_valid() -> None:
    # The damage above is only meaningful if it starts from files that load.
    assert len(SEED_TEXTS) >= 5
    for path, data in zip(SEEDS, SEED_TEXTS, strict=True):
        result = load_text(data, label=str(path), folder=path.parent, known_scripts=None)
        assert result.ok, result.problems
