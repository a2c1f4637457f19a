"""Age tiers: which wording a child hears, and which tier an age belongs to."""

from __future__ import annotations

import pytest

from calmkit.content.model import (
    DEFAULT_PACE,
    TIER_AGES,
    Say,
    Script,
    Text,
    tier_fallback_order,
    tier_for_age,
)

ALL = {"young": "Y", "kid": "K", "teen": "T", "together": "G"}


def text(*tiers: str) -> Text:
    return Text(variants={tier: ALL[tier] for tier in tiers})


@pytest.mark.parametrize("tier", ["young", "kid", "teen"])
def test_each_tier_picks_itself(tier: str) -> None:
    assert text("young", "kid", "teen", "together").resolve(tier) == ALL[tier]  # type: ignore[arg-type]


def test_plain_text_is_the_same_for_everyone() -> None:
    line = Text.of("Hello.")
    assert [line.resolve(tier) for tier in ("young", "kid", "teen")] == ["Hello."] * 3
    assert line.resolve("kid", together=True) == "Hello."


def test_fallback_orders() -> None:
    assert tier_fallback_order("young") == ("young", "kid", "teen")
    assert tier_fallback_order("kid") == ("kid", "teen", "young")
    assert tier_fallback_order("teen") == ("teen", "kid", "young")


@pytest.mark.parametrize(
    ("written", "tier", "expected"),
    [
        # young -> kid -> teen
        (("kid", "teen"), "young", "K"),
        (("teen",), "young", "T"),
        (("teen", "kid"), "young", "K"),
        # kid -> teen -> young: the older tier first, even though young is written
        (("young", "teen"), "kid", "T"),
        (("young",), "kid", "Y"),
        # teen -> kid -> young
        (("young", "kid"), "teen", "K"),
        (("young",), "teen", "Y"),
    ],
)
def test_missing_tier_falls_back_older_first_then_younger(
    written: tuple[str, ...], tier: str, expected: str
) -> None:
    assert text(*written).resolve(tier) == expected  # type: ignore[arg-type]


def test_together_is_ignored_when_not_practising_together() -> None:
    assert text("young", "together").resolve("kid") == "Y"
    assert text("teen", "together").resolve("young") == "T"


@pytest.mark.parametrize("tier", ["young", "kid", "teen"])
def test_together_picks_together_when_present(tier: str) -> None:
    assert text("young", "kid", "teen", "together").resolve(tier, together=True) == "G"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "tier", "expected"),
    [
        (("young", "kid", "teen"), "young", "Y"),
        (("young", "kid", "teen"), "kid", "K"),
        (("young", "kid", "teen"), "teen", "T"),
        (("young", "teen"), "kid", "T"),
        (("young",), "teen", "Y"),
        (("kid",), "young", "K"),
    ],
)
def test_together_absent_falls_back_like_a_tier(
    written: tuple[str, ...], tier: str, expected: str
) -> None:
    assert text(*written).resolve(tier, together=True) == expected  # type: ignore[arg-type]


def test_only_a_together_line_is_used_for_everyone() -> None:
    only = text("together")
    assert only.resolve("young") == "G"
    assert only.resolve("teen", together=True) == "G"


def test_all_lines_lists_each_wording_once() -> None:
    line = Text(variants={"young": "A", "kid": "B", "teen": "A", "together": "C"})
    assert line.all_lines() == ["A", "B", "C"]
    assert Text.of("x").all_lines() == ["x"]


@pytest.mark.parametrize(
    ("age", "tier"),
    [(4, "young"), (8, "young"), (9, "kid"), (12, "kid"), (13, "teen"), (18, "teen")],
)
def test_tier_for_age_boundaries(age: int, tier: str) -> None:
    assert tier_for_age(age) == tier


def test_tier_ages_and_paces_match_the_contract() -> None:
    assert TIER_AGES == {"young": (4, 8), "kid": (9, 12), "teen": (13, 18)}
    assert DEFAULT_PACE == {"young": (2.5, 3.5), "kid": (3.0, 4.5), "teen": (4.0, 6.0)}


@pytest.mark.parametrize(
    ("ages", "tier"), [((5, 10), "young"), ((9, 18), "kid"), ((13, 18), "teen")]
)
def test_a_scripts_default_tier_is_its_youngest_childs(ages: tuple[int, int], tier: str) -> None:
    script = Script(id="s", title="S", kind="breathing", ages=ages, steps=(Say(text=Text.of("x")),))
    assert script.default_tier == tier
    assert script.suits_age(ages[0]) and script.suits_age(ages[1])
    assert not script.suits_age(ages[0] - 1)
    assert not script.suits_age(ages[1] + 1)
