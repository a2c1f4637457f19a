"""What was practised and by whom: the journal, people, check-ins, settings, privacy.

Records know nothing of playback, reports or the faces: a session's player feeds
them through playback/recorder.py."""
