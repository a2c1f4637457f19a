"""The smallest script a session test needs: a line, then one breath, about 3 s, no chimes."""

TINY = """\
calmkit: 1
id: tiny-test
title: Tiny Test
kind: breathing
ages: 5-18
steps:
  - say: Hi
    pause: 0.2
  - breathe:
      in: 1
      out: 1
      count: 1
"""
# What `calmkit play --plain` prints for it.
TINY_CAPTIONS = ["[00:00] Hi", "[00:01] breathe in", "[00:02] breathe out"]
