"""Check-in answers as they were given: a number on its scale, or one of five faces.

Young children answer the stress question with faces, and everyone answers
mood with faces in the terminal app. A face answer is kept as the face (its
number, 1 to 5 from left to right, with ``scale`` 'faces'), never turned
into a 0-10 number it was not: `log`, history and every report show it as the
face or its words. The faces are calmkit's own simple drawings, not a
licensed pain scale (docs/clinical-defaults.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AnswerScale = Literal["numbers", "faces"]
SCALE_KINDS: tuple[str, ...] = ("numbers", "faces")


@dataclass(frozen=True)
class Scale:
    low: int
    high: int
    low_words: str
    high_words: str


SCALES: dict[str, Scale] = {
    "stress": Scale(0, 10, "calm", "most upset"),
    "pain": Scale(0, 10, "none", "a lot"),
    "mood": Scale(1, 5, "really low", "great"),
}


@dataclass(frozen=True)
class Face:
    number: int  # 1 to 5, left to right as drawn
    drawing: str
    words: str


# One set of drawings, happiest first; each scale numbers them from the left.
DRAWINGS: tuple[str, ...] = ("(^‿^)", "(•‿•)", "(•_•)", "(ó_ò)", "(>_<)")


def _faces(drawings: tuple[str, ...], words: tuple[str, ...]) -> tuple[Face, ...]:
    return tuple(
        Face(number, drawing, said)
        for number, (drawing, said) in enumerate(zip(drawings, words, strict=True), 1)
    )


# Calm on the left, upset on the right, as on the thermometer.
STRESS_FACES = _faces(DRAWINGS, ("very calm", "calm", "in between", "upset", "very upset"))
# Mood is 1-5 with 5 the happiest, so its faces run the other way round.
MOOD_FACES = _faces(DRAWINGS[::-1], ("really low", "a bit low", "okay", "good", "great"))
FACES: dict[str, tuple[Face, ...]] = {"stress": STRESS_FACES, "mood": MOOD_FACES}


@dataclass(frozen=True)
class Answer:
    """One check-in answer as given: its value and what it was given on."""

    value: int | str
    scale: AnswerScale | None = None  # None: not a scale (the day's activities)


def uses_faces(item: str, young: bool, grown_up: bool = False) -> bool:
    """Mood is faces for children; stress is faces for young children; pain is always
    numbers. A grown-up sees no child's faces: numbers on the same scales."""
    if grown_up:
        return False
    return item == "mood" or (item == "stress" and young)


def face_of(item: str, scale: str | None, value: object) -> Face | None:
    """The face an answer was, or None when it was not a face."""
    if scale != "faces" or not isinstance(value, int) or isinstance(value, bool):
        return None
    for face in FACES.get(item, ()):
        if face.number == value:
            return face
    return None


def is_number(item: str, scale: str | None, value: object) -> bool:
    """An answer on the item's own number scale (answers from before scales were
    recorded are taken as numbers: that is what they were stored as)."""
    return scale != "faces" and isinstance(value, int) and not isinstance(value, bool)


def answer_words(item: str, scale: str | None, value: object) -> str:
    """How an answer reads in `log` and reports: '7', or '(•‿•) calm'."""
    face = face_of(item, scale, value)
    if face is not None:
        return f"{face.drawing} {face.words}"
    if scale == "faces":
        return f"face {value}"
    return str(value)


def answer_json(item: str, scale: str | None, value: object) -> dict[str, object]:
    """The fields added to every check-in in JSON: which scale, and which face."""
    face = face_of(item, scale, value)
    return {
        "scale": scale,
        "face": None
        if face is None
        else {
            "number": face.number,
            "of": len(FACES[item]),
            "words": face.words,
            "drawing": face.drawing,
        },
    }
