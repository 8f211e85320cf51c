"""Pilote's own services beyond the pages: reports as PDF (``python -m pilote report``)."""
