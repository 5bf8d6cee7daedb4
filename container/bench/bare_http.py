#!/usr/bin/env python3
"""The HTTP round trip alone: a server that reads each request whole and answers it with bytes it
already holds, doing nothing else. What it costs is what any server pays to carry a request of
that size in and its answer out over loopback (sockets, the event loop, waking the process),
before it decodes, predicts or encodes anything.

    /usr/bin/python3 container/bench/bare_http.py PORT

Each request's `X-Answer-Bytes` header sets the length of its answer (default 3), so a request is
answered with as many bytes as the model server's answer to the same body. It reads `Content-Length`
bodies only, which is all the benchmark's client sends; it is not a server for anything else.
"""

import asyncio
import sys

HEAD_END = b"\r\n\r\n"


class BareConnection(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = bytearray()
        self.body_left = -1  # bytes of the current body still to come; -1 while reading a head
        self.answer_bytes = 3

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.body_left < 0:
                end = self.buffer.find(HEAD_END)
                if end < 0:
                    return
                self._read_head(bytes(self.buffer[:end]))
                del self.buffer[: end + len(HEAD_END)]
            if len(self.buffer) < self.body_left:
                return
            del self.buffer[: self.body_left]
            self.body_left = -1
            self.transport.write(answer(self.answer_bytes))

    def _read_head(self, head: bytes) -> None:
        self.body_left, self.answer_bytes = 0, 3
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                self.body_left = int(value)
            elif name == b"x-answer-bytes":
                self.answer_bytes = int(value)


_answers = {}


def answer(size: int) -> bytes:
    if size not in _answers:  # made once per size: the round trip, not building answers, is measured
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
        _answers[size] = head.encode() + b"0" * size
    return _answers[size]


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(BareConnection, "127.0.0.1", port)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        import uvloop  # as the model server and uvicorn run

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(int(sys.argv[1])))
