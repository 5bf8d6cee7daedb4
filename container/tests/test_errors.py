"""Bad input gets a clear 4xx JSON error and never takes the server down; the
HTTP layer is strict and keep-alive/pipelining safe."""

import io
import os
import socket
import time

import numpy as np
import pytest

from conftest import body_json


def assert_error(response, status, *words):
    got_status, headers, body = response
    assert got_status == status, body
    assert headers["content-type"] == "application/json"
    err = body_json(body)
    assert err["status"] == status
    assert isinstance(err["message"], str) and err["message"]
    assert "Traceback" not in err["message"]
    for word in words:
        assert word in err["message"], err["message"]
    return err


@pytest.fixture(autouse=True)
def still_serving(request):
    """After every test here the shared server must still answer predictions."""
    yield
    if "iris_server" in request.fixturenames:
        server = request.getfixturevalue("iris_server")
        status, _, _ = server.post("/invocations", [[5.1, 3.5, 1.4, 0.2]])
        assert status == 200
        assert server.proc.poll() is None


def test_malformed_json(iris_server):
    assert_error(iris_server.post("/invocations", '{"instances": [[1, 2,'), 400, "malformed JSON")


def test_json_object_without_instances_or_inputs(iris_server):
    assert_error(iris_server.post("/invocations", {"rows": [[1, 2, 3, 4]]}), 400, "instances", "inputs")


def test_json_scalar(iris_server):
    assert_error(iris_server.post("/invocations", "42"), 400, "list of rows")


def test_ragged_rows(iris_server):
    assert_error(iris_server.post("/invocations", [[1, 2, 3, 4], [1, 2]]), 400, "different lengths")


def test_non_numeric_json_values(iris_server):
    assert_error(iris_server.post("/invocations", [[1, 2, "three", 4]]), 400, "three")


def test_objects_as_values(iris_server):
    assert_error(iris_server.post("/invocations", [[1, 2, {"a": 1}, 4]]), 400)


def test_wrong_feature_count(iris_server):
    assert_error(iris_server.post("/invocations", [[1, 2, 3]]), 400, "expected 4 features per row, got 3")


def test_wrong_shape(iris_server):
    assert_error(iris_server.post("/invocations", [[[1, 2, 3, 4]]]), 400, "2-D", "3-D")


def test_no_rows(iris_server):
    assert_error(iris_server.post("/invocations", {"instances": []}), 400, "no rows")


def test_nan_where_the_model_does_not_accept_it(iris_server):
    assert_error(iris_server.post("/invocations", [[1, None, 3, 4]]), 400, "missing value")
    assert_error(iris_server.post("/invocations", "[[1, NaN, 3, 4]]"), 400, "missing value")
    assert_error(iris_server.post("/invocations", "1,,3,4\n", content_type="text/csv"), 400, "missing value")


def test_infinity(iris_server):
    assert_error(iris_server.post("/invocations", "[[1, Infinity, 3, 4]]"), 400, "infinite")


def test_malformed_csv(iris_server):
    assert_error(iris_server.post("/invocations", "1,2,x,4\n", content_type="text/csv"), 400,
                 "line 1, field 3", "'x'")
    assert_error(iris_server.post("/invocations", "1,2,3,4\n1,2\n", content_type="text/csv"), 400,
                 "line 2 has 2 fields")


def test_empty_body(iris_server):
    for content_type in ("application/json", "text/csv", "application/x-npy"):
        assert_error(iris_server.post("/invocations", b"", content_type=content_type), 400, "empty")


def test_binary_garbage(iris_server):
    garbage = os.urandom(4096)
    assert_error(iris_server.post("/invocations", garbage), 400, "malformed JSON")
    assert_error(iris_server.post("/invocations", garbage, content_type="text/csv"), 400, "malformed CSV")
    assert_error(iris_server.post("/invocations", garbage, content_type="application/x-npy"), 400, "malformed NPY")


def test_npy_with_pickled_objects_is_refused(iris_server):
    buf = io.BytesIO()
    np.save(buf, np.array([[1, 2, 3, {"x": 1}]], dtype=object), allow_pickle=True)
    assert_error(iris_server.post("/invocations", buf.getvalue(), content_type="application/x-npy"), 400, "pickle")


def test_oversized_body_is_413(iris_server):
    big = "[" + ",".join(["[1,2,3,4]"] * 10000) + "]"  # ~100 KB, limit is 64 KiB here
    assert_error(iris_server.post("/invocations", big), 413, "limit")


def test_oversized_body_is_refused_before_it_is_sent(iris_server):
    """With Expect: 100-continue the 413 comes back without the body being sent."""
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 10000000\r\nExpect: 100-continue\r\n\r\n")
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert b"Connection: close" in reply


def test_oversized_chunked_body_is_413(iris_server):
    chunk = b"x" * 8192
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        reply = b""
        try:
            for _ in range(20):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(5)
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413 ")


def test_chunked_body_is_decoded(iris_server):
    body = b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        for i in range(0, len(body), 7):
            part = body[i:i + 7]
            s.sendall(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
            time.sleep(0.01)
        s.sendall(b"0\r\nX-Trailer: 1\r\n\r\n")
        reply = recv_response(s)
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert reply.endswith(b'{"predictions":[0]}')


def recv_response(sock):
    """Read one response (head + Content-Length body) from a socket's buffered reader."""
    reader = sock if hasattr(sock, "readline") else sock.makefile("rb")
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        line = reader.readline()
        if not line:
            return head
        head += line
    length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
    return head + reader.read(length)


def test_pipelined_requests_are_answered_in_order(iris_server):
    rows = [b"[[5.1,3.5,1.4,0.2]]", b"[[6.2,2.9,4.3,1.3]]", b"[[1,2,3]]", b"[[7.7,3.0,6.1,2.3]]"]
    wire = b"".join(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(r), r) for r in rows)
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(wire)
        reader = s.makefile("rb")
        replies = [recv_response(reader) for _ in rows]
    assert [r.split(b"\r\n\r\n", 1)[1] for r in replies[:2]] == [b"[0]", b"[1]"]
    assert replies[2].startswith(b"HTTP/1.1 400 ")
    assert replies[3].endswith(b"[2]")


def test_keep_alive_serves_many_requests_on_one_connection(iris_server):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", iris_server.port, timeout=5)
    for _ in range(50):
        conn.request("POST", "/invocations", body="[[5.1,3.5,1.4,0.2]]", headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b"[0]"
    conn.close()


def read_until_closed(sock):
    """Everything the server sends until it closes the connection."""
    data = b""
    while part := sock.recv(4096):
        data += part
    return data


def test_http10_closes_after_the_answer(iris_server):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"GET /ping HTTP/1.0\r\n\r\n")
        data = read_until_closed(s)
    assert data.startswith(b"HTTP/1.1 200 ") and b"Connection: close" in data


@pytest.mark.parametrize("wire", [
    b"GARBAGE\r\n\r\n",
    b"GET /ping HTTP/1.1 extra\r\n\r\n",
    b"GET /ping HTTP/1.1\r\nNo colon here\r\n\r\n",
    b"POST /invocations HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"POST /invocations HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"POST /invocations HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
    b"POST /invocations HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n\r\n",
])
def test_malformed_requests_get_400_and_a_closed_connection(iris_server, wire):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(wire)
        data = read_until_closed(s)
    assert data.startswith(b"HTTP/1.1 400 ") or data.startswith(b"HTTP/1.1 501 "), data
    assert b"Connection: close" in data
    assert body_json(data.split(b"\r\n\r\n", 1)[1])["status"] in (400, 501)


def test_huge_headers_are_refused(iris_server):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"GET /ping HTTP/1.1\r\nX-Big: " + b"a" * 70000)
        data = s.recv(4096)
    assert data.startswith(b"HTTP/1.1 431 ")


def test_unknown_route_and_wrong_method(iris_server):
    assert_error(iris_server.request("GET", "/nope"), 404, "/nope")
    assert_error(iris_server.request("GET", "/invocations"), 405, "POST")
    assert_error(iris_server.request("POST", "/models", b"{}"), 404, "SAGEMAKER_MULTI_MODEL")


def test_a_client_that_disconnects_mid_request_does_no_harm(iris_server):
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", iris_server.port), timeout=5)
        s.sendall(b"POST /invocations HTTP/1.1\r\nContent-Length: 1000\r\n\r\n[[1,")
        s.close()


def test_hostile_header_is_refused_quickly(iris_server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"GET /ping HTTP/1.1\r\nX: " + b" \t" * 30000 + b"\x01\r\n\r\n")
        data = s.recv(4096)
    assert data.startswith(b"HTTP/1.1 400 ")
    assert time.monotonic() - started < 1.0
