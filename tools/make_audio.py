"""Regenerate the shipped synthesised audio: ambient beds, chimes and their manifest entries.

Usage (from the repository root):

    python3 tools/make_audio.py            # writes audio/ambient/*.ogg, audio/chimes/*.ogg
    python3 tools/make_audio.py --out DIR  # somewhere else, e.g. to compare

The timeline never decodes audio to plan, so every file's duration goes into
audio/manifest.json. Only the "ambient" and "chimes" sections are rewritten; any other
section (narration, for instance) is kept as it is.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import soundfile

REPO_ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("calmkit") is None:
    # Run from a source checkout that was never pip-installed.
    sys.path.insert(0, str(REPO_ROOT / "src"))

from calmkit.audio import synth  # noqa: E402

AMBIENT_SECONDS = 60.0
# Vorbis quality is 1 - compression_level. Noise is expensive to encode; 0.75 keeps a
# 60 s stereo bed well under 1 MB and still sounds clean at the bed's quiet level.
AMBIENT_COMPRESSION = 0.75
CHIME_COMPRESSION = 0.5
MANIFEST_NAME = "manifest.json"
WRITE_BLOCK_FRAMES = 8192


def write_ogg(path: Path, samples: np.ndarray, sample_rate: int, compression: float) -> float:
    """Write OGG Vorbis and return the duration actually stored, in seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with soundfile.SoundFile(
        path,
        "w",
        samplerate=sample_rate,
        channels=channels,
        format="OGG",
        subtype="VORBIS",
        compression_level=compression,
    ) as ogg:
        # One big write overflows libvorbis's stack (alloca per buffered frame) and
        # segfaults for anything longer than a few seconds: libsndfile issue #1095.
        for start in range(0, samples.shape[0], WRITE_BLOCK_FRAMES):
            ogg.write(samples[start : start + WRITE_BLOCK_FRAMES])
    info = soundfile.info(path)
    return round(info.frames / info.samplerate, 4)


def build(out_dir: Path, seed: int) -> dict[str, dict[str, dict[str, object]]]:
    sample_rate = synth.SAMPLE_RATE
    sections: dict[str, dict[str, dict[str, object]]] = {"ambient": {}, "chimes": {}}
    for name in synth.AMBIENT_NAMES:
        bed = synth.ambient_bed(name, AMBIENT_SECONDS, sample_rate, seed=seed)
        relative = f"ambient/{name}.ogg"
        seconds = write_ogg(out_dir / relative, bed, sample_rate, AMBIENT_COMPRESSION)
        sections["ambient"][name] = {"file": relative, "seconds": seconds}
        report(relative, bed, out_dir / relative)
    for name in synth.CHIME_NAMES:
        # Mono: the mixer spreads it to both ears, and the file is half the size.
        bell = synth.chime(name, sample_rate)
        relative = f"chimes/{name}.ogg"
        seconds = write_ogg(out_dir / relative, bell, sample_rate, CHIME_COMPRESSION)
        sections["chimes"][name] = {"file": relative, "seconds": seconds}
        report(relative, bell, out_dir / relative)
    return sections


def report(relative: str, samples: np.ndarray, path: Path) -> None:
    size_kb = path.stat().st_size / 1024
    print(
        f"{relative:22} peak {synth.peak_dbfs(samples):7.2f} dBFS"
        f"  rms {synth.rms_dbfs(samples):7.2f} dBFS  {size_kb:7.1f} KiB"
    )


def update_manifest(out_dir: Path, sections: dict[str, dict[str, dict[str, object]]]) -> None:
    manifest_path = out_dir / MANIFEST_NAME
    manifest: dict[str, object] = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest.update(sections)
    manifest_path.write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"updated {manifest_path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "audio", help="audio folder (default: ./audio)"
    )
    parser.add_argument("--seed", type=int, default=synth.DEFAULT_SEED, help="noise seed")
    args = parser.parse_args(argv)
    sections = build(args.out, args.seed)
    update_manifest(args.out, sections)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
