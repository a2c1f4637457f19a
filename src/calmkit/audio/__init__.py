"""Sound: the backend, synthesised sounds, speech engines, mastering and narration."""

# The speech engines by name, best first (audio/engines.py has the engines). Kept here,
# light, because the command line offers them as choices at every start.
ENGINE_ORDER = ("festival", "flite", "espeak-ng", "piper")
