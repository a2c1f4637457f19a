"""The pygame backend's own fades: a pause holds a fade-out, resume finishes it."""

from __future__ import annotations

import time

from calmkit.audio.backend import PygameBackend
from calmkit.audio.clips import ambient_path


def test_a_pause_holds_the_ambient_fade_out() -> None:
    backend = PygameBackend()
    backend.open()  # SDL's dummy driver (conftest)
    try:
        bed = ambient_path("rain")
        assert bed is not None
        backend.play("ambient", bed, loop=True)
        backend.stop("ambient", fade_out=0.6)
        time.sleep(0.15)
        backend.pause_all()
        held = backend._fade_gain["ambient"]
        time.sleep(1.0)  # longer than the whole fade
        assert backend._fade_gain["ambient"] == held
        assert 0.0 < held < 1.0
        assert backend.busy("ambient")
        backend.resume_all()
        time.sleep(0.9)
        assert not backend.busy("ambient")
    finally:
        backend.close()
