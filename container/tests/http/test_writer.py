"""Writing answers: status lines, headers, and the JSON error answer that closes a connection."""

import email.utils
import json

from http_harness import exchange
from modelapi_serving.http import writer

H = b"Host: x\r\n"


def test_reason_phrases_come_from_the_standard_library():
    outcome = exchange(b"GET /ping HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n")
    assert outcome.out.startswith(b"HTTP/1.1 501 Not Implemented\r\n")


def test_a_head_names_type_length_and_date_and_says_when_it_is_the_last():
    date = writer.http_date()
    assert writer.response_head(200, "text/csv", 12, True) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 12\r\nDate: " + date + b"\r\n\r\n"
    )
    assert writer.response_head(599, "application/json", 0, False).startswith(b"HTTP/1.1 599 Unknown\r\n")
    assert writer.response_head(200, "text/csv", 0, False).endswith(b"\r\nConnection: close\r\n\r\n")
    assert email.utils.parsedate_to_datetime(date.decode()).tzname() == "UTC"


def test_a_head_carries_the_answers_own_headers_after_the_standard_ones():
    head = writer.response_head(200, "text/csv", 2, True, (("x-amzn-sagemaker-custom-attributes", "a=1"),))
    assert head.endswith(b"\r\nx-amzn-sagemaker-custom-attributes: a=1\r\n\r\n")


def test_an_error_answer_is_json_with_its_status_and_closes_the_connection():
    out = writer.error_response(431, "request headers are too large")
    head, body = out.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\n")
    assert b"\r\nConnection: close" in head and b"Content-Length: %d" % len(body) in head
    assert json.loads(body) == {"status": 431, "message": "request headers are too large"}
