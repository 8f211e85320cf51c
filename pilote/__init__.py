"""Pilote's own services beyond the pages: reports as PDF (``python -m pilote report``), pages
rendered in advance (``python -m pilote warm``, and by each refresh)."""
