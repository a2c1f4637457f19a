"""The report's numbers in words: a real minus sign, and no minus on a zero."""

from __future__ import annotations

from calmkit.report.wording import number, signed


def test_a_number_has_one_decimal_and_a_real_minus_sign() -> None:
    assert [number(2.45), number(-1.25), number(12)] == ["2.5", "−1.2", "12.0"]


def test_a_small_negative_number_is_a_plain_zero() -> None:
    """-0.04 rounds to nothing: "−0.0" read as a loss where there was none."""
    assert number(-0.04) == "0.0"
    assert signed(-0.04) == "0.0"
