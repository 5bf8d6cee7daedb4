"""Our HTTP/1.1 protocol driven in process: raw bytes in, the requests it would
hand to the app and the bytes it would write out. No socket, no server.
And the raw requests and reads the tests send over real sockets."""

import asyncio
import dataclasses

from modelapi_serving.config import Config
from modelapi_serving.http.connection import HttpConnection
from modelapi_serving.http.messages import Response


class Transport:
    def __init__(self):
        self.out = bytearray()
        self.closed = False
        self.eof_written = False

    def write(self, data):
        self.out += data

    def close(self):
        self.closed = True

    def abort(self):
        self.closed = True

    def is_closing(self):
        return self.closed

    def can_write_eof(self):
        return True

    def write_eof(self):
        self.eof_written = True

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass


class App:
    """Answers every request 200 and remembers what it was given."""

    def __init__(self):
        self.requests = []

    def handle(self, request):
        self.requests.append((request.method, request.target, bytes(request.body)))
        return Response(200, "text/plain", b"ok")


class Host:
    """The connections' host: the test app, a configuration, the open connections."""

    def __init__(self, **config):
        self.app = App()
        self.config = dataclasses.replace(Config(), batching=False, **config)
        self.connections = set()
        self.stopping = False

    def handle(self, request):
        return self.app.handle(request)

    def connection_opened(self, connection):
        self.connections.add(connection)

    def connection_closed(self, connection):
        self.connections.discard(connection)


@dataclasses.dataclass
class Outcome:
    requests: list  # (method, target, body) handed to the app, in order
    out: bytes  # what was written to the client
    closed: bool

    @property
    def statuses(self):
        """The status of every response written, in order."""
        return [int(part[:3]) for part in self.out.split(b"HTTP/1.1 ")[1:] if part[:3].isdigit()]


def open_connection(server=None, **config):
    """A connection made on a recording transport, inside the running event loop: (connection, transport, server)."""
    server = server or Host(**config)
    connection = HttpConnection(server)
    transport = Transport()
    connection.connection_made(transport)
    return connection, transport, server


def exchange(wire, pieces=None, eof=True, **config):
    """Feed `wire` to one connection (in `pieces`-byte reads if given), then a
    half-close; what the connection did with it."""

    async def run():
        protocol, transport, server = open_connection(**config)
        step = pieces or max(1, len(wire))
        for i in range(0, len(wire), step):
            if transport.closed:
                break
            protocol.data_received(wire[i : i + step])
        if eof and not transport.closed and not protocol.eof_received():
            transport.close()  # as asyncio's transports do when eof_received returns a false value
        return Outcome(server.app.requests, bytes(transport.out), transport.closed)

    return asyncio.run(run())


# -- raw requests over a socket ----------------------------------------------------

ROW = b"[[5.1,3.5,1.4,0.2]]"


def predict_request(body=ROW, extra=b""):
    return (
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + extra
        + b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )


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


def read_until_closed(sock):
    """Everything the server sends until it closes the connection."""
    data = b""
    while part := sock.recv(4096):
        data += part
    return data
