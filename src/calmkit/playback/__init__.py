"""Playing a session: resolving what to play, preparing it, the player and its
clock, and the recorder that writes each step into the records."""
