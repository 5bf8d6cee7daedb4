"""Rows of numbers from parsed data, with a 400 naming the row that is not."""

import pytest

from modelapi_serving import codecs
from modelapi_serving.errors import BadRequest


def test_object_rows_with_a_number_out_of_float_range_name_the_row():
    with pytest.raises(BadRequest, match="row 2: a number is too large"):
        codecs.float_rows([[1, 2], [3, 4], [10**400, 5]], "the rows")
