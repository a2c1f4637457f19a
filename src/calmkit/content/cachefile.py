"""The library cache as data: JSON that names only calmkit's own content classes.

A cache is read back at every start, from a folder anyone with the user's
rights could write to: reading it must never run code (pickle would run what a
planted file asks). Here a value is plain JSON; a dataclass is an object with a
``"$"`` naming one of ``_CLASSES`` and its fields; a tuple, frozenset, date or
dict is an object with one key of its own (``"$t"``, ``"$f"``, ``"$d"``,
``"$m"``, a dict as a list of pairs), so every JSON object in the file is tagged. Anything else is refused as a damaged cache (``ValueError``): the
library is then read from its files again, nothing worse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from calmkit.content import model
from calmkit.content.problems import Problem
from calmkit.content.results import LoadResult

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        model.Text,
        model.Say,
        model.Breathe,
        model.Tense,
        model.Release,
        model.Silence,
        model.Chime,
        model.Sound,
        model.Script,
        model.BreathePace,
        model.CheckinSettings,
        model.PlanSettings,
        model.PlannedSession,
        model.ScheduleBlock,
        model.Plan,
        LoadResult,
        Problem,
    )
}
_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(item.name for item in dataclasses.fields(cls) if item.init)
    for cls in _CLASSES.values()
}
_ALLOWED: dict[type, frozenset[str]] = {cls: frozenset(names) for cls, names in _FIELDS.items()}


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {"$t": [_encode(item) for item in value]}
    if isinstance(value, frozenset):
        return {"$f": sorted(_encode(item) for item in value)}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, dict):
        # Pairs, not an object: every JSON object in the file is then a tagged one.
        return {"$m": [[str(key), _encode(item)] for key, item in value.items()]}
    fields = _FIELDS.get(type(value))
    if fields is None:
        raise TypeError(f"the library cache cannot hold a {type(value).__name__}")
    encoded = {"$": type(value).__name__}
    for name in fields:
        encoded[name] = _encode(getattr(value, name))
    return encoded


def _object(value: dict[str, Any]) -> Any:
    """One JSON object back to what it stood for; json calls this innermost first, so
    every value inside it is decoded already."""
    name = value.get("$")
    if name is not None:
        cls = _CLASSES.get(name) if isinstance(name, str) else None
        if cls is None:
            raise ValueError(f"not a class the library cache holds: {name!r}")
        del value["$"]
        if value.keys() != _ALLOWED[cls]:
            raise ValueError(f"not the fields of a {name}")
        # Every field is written, so filled in as pickle does, without __init__: a third
        # of the time of calling it, for the thousands of steps read at each start.
        made: object = object.__new__(cls)
        made.__dict__.update(value)
        return made
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$t" and isinstance(inner, list):
            return tuple(inner)
        if tag == "$f" and isinstance(inner, list):
            return frozenset(inner)
        if tag == "$d" and isinstance(inner, str):
            return dt.date.fromisoformat(inner)
        if tag == "$m" and isinstance(inner, list):
            return _pairs(inner)
    if value.keys() == {"key", "results", "durations"}:
        return value  # the document itself
    raise ValueError("not a value the library cache holds")


def _pairs(items: list[Any]) -> dict[str, Any]:
    if not all(isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
               for item in items):  # fmt: skip
        raise ValueError("not a value the library cache holds")
    return dict(items)


def dumps(key: object, results: list[LoadResult], durations: dict[str, float]) -> bytes:
    document = {"key": _encode(key), "results": _encode(results), "durations": _encode(durations)}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads(data: bytes) -> tuple[object, list[LoadResult], dict[str, float]]:
    """The key, load results and durations in ``data``; ValueError if it is not a cache."""
    try:
        document = json.loads(data, object_hook=_object)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error
    if not isinstance(document, dict):
        raise ValueError("not a library cache")
    key, results, durations = document["key"], document["results"], document["durations"]
    if (
        not isinstance(results, list)
        or not all(isinstance(result, LoadResult) for result in results)
        or not isinstance(durations, dict)
        or not all(isinstance(seconds, int | float) for seconds in durations.values())
    ):
        raise ValueError("not a library cache")
    return key, results, durations
