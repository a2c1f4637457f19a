"""Writing OGG Vorbis files safely: atomically, and in blocks.

libsndfile's Vorbis encoder has crashed (a segfault, libsndfile #1095) on
long single writes; writing in blocks avoids it. The file appears under its
name only when complete, so a crash never leaves half a clip behind.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING

from calmkit import locations
from calmkit.audio.rates import SAMPLE_RATE

if TYPE_CHECKING:
    import numpy as np

WRITE_BLOCK_FRAMES = 8192


def write_ogg(
    samples: np.ndarray,
    path: Path,
    sample_rate: int = SAMPLE_RATE,
    compression_level: float | None = None,
) -> None:
    """Write OGG Vorbis. ``compression_level`` 0-1 is libsndfile's: Vorbis quality is
    1 - compression_level; None keeps libsndfile's default (quality 0.4)."""
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with locations.replaced_privately(path) as temporary:
        channels = 1 if samples.ndim == 1 else samples.shape[1]
        with soundfile.SoundFile(
            str(temporary),
            "w",
            sample_rate,
            channels,
            format="OGG",
            subtype="VORBIS",
            compression_level=compression_level,
        ) as out:
            for start in range(0, len(samples), WRITE_BLOCK_FRAMES):
                out.write(samples[start : start + WRITE_BLOCK_FRAMES])
        # libsndfile does not report a write that failed as it closed the file: on a
        # full disk a short clip "succeeds" as an empty file. Read it back to be sure.
        written = _frames(str(temporary))
        if written != len(samples):
            raise OSError(
                errno.EIO,
                f"{path.name} came out incomplete ({max(written, 0)} of {len(samples)} frames;"
                " is the disk full?)",
            )


def _frames(path: str) -> int:
    """The number of frames a sound file's header promises, or -1 if it cannot be read."""
    import soundfile

    try:
        return soundfile.info(path).frames
    except (RuntimeError, OSError):
        return -1
