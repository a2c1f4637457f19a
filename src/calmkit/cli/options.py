"""The argument types and choices every command shares: names, ages, dates, engines."""

from __future__ import annotations

import argparse
import datetime

from calmkit.content.safetext import (
    NameProblem,
    clean_name,
)

ENGINE_CHOICES = ["auto", "festival", "flite", "espeak-ng", "piper"]


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
    from calmkit.content.model import MAX_AGE, MIN_AGE
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
    from calmkit.content.loader import AGE_RANGE_PATTERN

    match = AGE_RANGE_PATTERN.match(text)
    low = int(match.group(1)) if match else 0
    high = int(match.group(2) or low) if match else 0
    if not match or not 4 <= low <= high <= 18:
        raise argparse.ArgumentTypeError(f"ages are a range like 9-14 from 4 to 18, got '{text}'")
    return low, high


def date_option(text: str | None, option: str) -> datetime.date | None:
    """A --since/--until date, or None; a bad one raises ValueError with the message."""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} wants a date like 2026-03-01, got '{text}'") from None
