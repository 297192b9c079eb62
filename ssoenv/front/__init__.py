"""The front ends: the console script, the fast path, TAB completion, the click commands."""
