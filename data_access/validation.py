"""Validation of a canonical frame against its catalog entry, run on the file about to become a snapshot."""

from __future__ import annotations

import polars as pl

from data_access.catalog import Dataset
from data_access.errors import ValidationFailed


def validate(frame: pl.DataFrame, spec: Dataset, known_communes: frozenset[str] | None = None) -> None:
    """Raise ValidationFailed with every problem found, or return None when the frame is acceptable."""
    problems = []
    expected = spec.schema
    missing = [name for name in expected if name not in frame.columns]
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    for name, dtype in expected.items():
        if name in frame.columns and frame.schema[name] != dtype:
            problems.append(f"column {name} is {frame.schema[name]}, expected {dtype}")
    if frame.height == 0:
        problems.append("no rows")
    if not problems and spec.unique_key:
        dupes = frame.height - frame.select(spec.unique_key).unique().height
        if dupes:
            problems.append(f"{dupes} duplicate value(s) of {', '.join(spec.unique_key)}")
    if not problems and spec.commune_column and known_communes:
        codes = set(frame[spec.commune_column].drop_nulls().unique().to_list())
        unknown = sorted(codes - set(known_communes))
        if unknown:
            problems.append(f"unknown commune code(s) {', '.join(unknown[:5])}")
    if problems:
        raise ValidationFailed("; ".join(problems))


def drop_exact_duplicates(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Real exports sometimes repeat a record word for word (the BAAC sample does): the copies are dropped and
    counted. Records that share a key but differ in any field still fail validation."""
    unique = frame.unique(maintain_order=True)
    return unique, frame.height - unique.height
