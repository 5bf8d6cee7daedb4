"""Requests and answers between the HTTP layer and the app."""

import pytest

from modelapi_serving.http.messages import DEFERRED, Deferred, Request, Response


def test_a_request_made_by_hand_has_no_connection_to_answer_later_on():
    request = Request("POST", "/invocations", {}, b"[]")
    assert request.keep_alive is True
    with pytest.raises(RuntimeError, match="did not come from a connection"):
        request.respond(Response(200, "application/json", b"[]"))


def test_an_answer_is_a_status_a_type_and_a_body_and_no_other_header_unless_given():
    status, content_type, body, headers = Response(404, "application/json", b"{}")
    assert (status, content_type, body, headers) == (404, "application/json", b"{}", ())
    assert isinstance(DEFERRED, Deferred) and not isinstance(Response(200, "", b""), Deferred)
