"""Deterministic generators of demonstration data, anchored on published facts (see data/NOTICE.md)."""
