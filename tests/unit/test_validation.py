import polars as pl
import pytest

from data_access.catalog import parse_catalog
from data_access.errors import ValidationFailed
from data_access.validation import validate


@pytest.fixture
def spec():
    raw = {"territory": {"name": "T", "portal": "https://p", "communes": [{"code": "92040", "name": "Issy"}]},
           "datasets": {"d": {"title": "t", "dataset_id": "d", "visibility": "public", "source": "s",
                              "licence": "l", "unique_key": ["id"], "commune_column": "commune",
                              "columns": [{"name": "id", "type": "str"}, {"name": "n", "type": "int"},
                                          {"name": "commune", "type": "str"}]}}}
    return parse_catalog(raw)["d"]


CODES = frozenset({"92040"})


def test_valid_frame_passes(spec):
    validate(pl.DataFrame({"id": ["a"], "n": [1], "commune": ["92040"]}), spec, CODES)


@pytest.mark.parametrize("frame, message", [
    (pl.DataFrame({"id": ["a"], "commune": ["92040"]}), "missing column"),
    (pl.DataFrame({"id": ["a"], "n": ["1"], "commune": ["92040"]}), "column n is String"),
    (pl.DataFrame({"id": [], "n": [], "commune": []}, schema={"id": pl.String, "n": pl.Int64, "commune": pl.String}), "no rows"),
    (pl.DataFrame({"id": ["a", "a"], "n": [1, 2], "commune": ["92040", "92040"]}), "1 duplicate"),
    (pl.DataFrame({"id": ["a"], "n": [1], "commune": ["75056"]}), "unknown commune code"),
])
def test_invalid_frames_are_refused_with_the_reason(spec, frame, message):
    with pytest.raises(ValidationFailed, match=message):
        validate(frame, spec, CODES)
