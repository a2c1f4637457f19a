"""The mix's sample rate: one number for the mixer, synthesized sounds and mastered clips.

Chimes, breath tones, ambient beds and a clinician's recordings are made at the
rate the mixer opens with, so pygame plays them without converting. Narration
from TTS engines is stored at its own, lower rate (narration.NARRATION_SAMPLE_RATE).
"""

SAMPLE_RATE = 44100
