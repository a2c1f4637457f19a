"""The argument types and choices every command shares: names, ages, dates, engines."""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Callable
from dataclasses import dataclass

from calmkit.audio import ENGINE_ORDER
from calmkit.content.model import MAX_AGE, MIN_AGE
from calmkit.content.safetext import NameProblem, clean_name

# The choices come from where each fact lives, so a new engine is offered here too.
ENGINE_CHOICES = ["auto", *ENGINE_ORDER]


def new_name(text: str) -> str:
    """A name someone is practising under: cleaned, or refused here (see safetext.clean_name)."""
    try:
        return clean_name(text)
    except NameProblem as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


def looked_up_name(text: str) -> str:
    """A name to look up: any name a journal may hold, but not a blank one."""
    if not text.strip():
        raise argparse.ArgumentTypeError("a name needs at least one letter")
    return text


def age_option(text: str) -> int:
    """A child's age (4 to 18), or a grown-up's (over 18: they practise as a grown-up)."""
    from calmkit.records.people import OLDEST_AGE

    try:
        age = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"an age is a whole number, got '{text}'") from None
    if not MIN_AGE <= age <= OLDEST_AGE:
        raise argparse.ArgumentTypeError(
            f"calmkit is made for ages {MIN_AGE} to {MAX_AGE} (an older age is a grown-up's),"
            f" got {age}"
        )
    return age


def ages_option(text: str) -> tuple[int, int]:
    """A script's ages, like 9-14, inside the ages calmkit is made for."""
    from calmkit.content.loader import AGE_RANGE_PATTERN

    match = AGE_RANGE_PATTERN.match(text)
    low = int(match.group(1)) if match else 0
    high = int(match.group(2) or low) if match else 0
    if not match or not MIN_AGE <= low <= high <= MAX_AGE:
        raise argparse.ArgumentTypeError(
            f"ages are a range like 9-14 from {MIN_AGE} to {MAX_AGE}, got '{text}'"
        )
    return low, high


@dataclass(frozen=True)
class Refused:
    """A value an option's type turned down in calmkit's own words.

    argparse would answer a refused type with its usage text; a bad date has always
    been one line, `calmkit: --since wants a date like …`, exit 2, so the type returns
    this and main() says it (after argparse's own checks, as before).
    """

    message: str


def date_option(option: str) -> Callable[[str], datetime.date | Refused | None]:
    """The type of --since or --until: a date, None for an empty one (no filter), or Refused."""

    def parsed(text: str) -> datetime.date | Refused | None:
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return Refused(f"{option} wants a date like 2026-03-01, got '{text}'")

    return parsed


def refusal(args: argparse.Namespace) -> Refused | None:
    """The first option value refused, in the order the options were added."""
    return next((value for value in vars(args).values() if isinstance(value, Refused)), None)
