"""Packs: what a psychologist hands a family (making one) and what a family
takes in (checking and installing scripts, plans, packs, atomically)."""
