"""application/jsonlines: one JSON object per line."""

from modelapi_serving import codecs


def test_each_object_is_one_line_ending_with_a_newline():
    assert codecs.jsonlines.dump_lines([{"score": 0.5}, {"score": [1, 2]}]) == b'{"score": 0.5}\n{"score": [1, 2]}\n'
    assert codecs.jsonlines.dump_lines([]) == b""


def test_it_is_known_by_its_aliases_but_not_answered_by_the_default_pipeline():
    assert codecs.media_type("jsonlines") == codecs.media_type("application/json-lines") == codecs.JSONLINES
    assert codecs.JSONLINES not in codecs.RESPONSE_TYPES and codecs.JSONLINES not in codecs.DECODERS
