"""RecordIO-protobuf written and read by hand from the wire format (varints, tags, packed
fields, the `aialgs.data.Record` field numbers), independently of the server's codec, so the
tests check the codec against the format rather than against itself."""

import struct

MAGIC = 0xCED7230A
TENSOR_FIELD = {"float32": 2, "float64": 3, "int32": 7}  # Value's oneof field numbers


def varint(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def delimited(number, data):
    """A length-delimited field (wire type 2)."""
    return varint(number << 3 | 2) + varint(len(data)) + data


def tensor(values, kind="float32", keys=(), shape=()):
    """A `Value` holding a Float32/Float64/Int32 tensor, its repeated fields packed."""
    if kind == "int32":
        packed = b"".join(varint(v) for v in values)
    else:
        packed = struct.pack(f"<{len(values)}{'f' if kind == 'float32' else 'd'}", *values)
    body = delimited(1, packed) if values else b""
    if keys:
        body += delimited(2, b"".join(varint(k) for k in keys))
    if shape:
        body += delimited(3, b"".join(varint(s) for s in shape))
    return delimited(TENSOR_FIELD[kind], body)


def record(features=None, label=None):
    """A `Record`: `features` (field 1) and `label` (field 2) are maps of name -> Value."""
    out = b""
    for number, entries in ((1, features or {}), (2, label or {})):
        for key, value in entries.items():
            out += delimited(number, delimited(1, key.encode()) + delimited(2, value))
    return out


def frame(payload, pad=True):
    return struct.pack("<II", MAGIC, len(payload)) + payload + (b"\0" * (-len(payload) % 4) if pad else b"")


def rows_body(rows, kind="float32"):
    """Dense rows, one record each, as `features["values"]`."""
    return b"".join(frame(record({"values": tensor(row, kind)})) for row in rows)


# -- reading answers ------------------------------------------------------------------------


def read_frames(body):
    """The payloads of a RecordIO body, checking magic and padding."""
    payloads, offset = [], 0
    while offset < len(body):
        magic, length = struct.unpack_from("<II", body, offset)
        assert magic == MAGIC, offset
        payloads.append(body[offset + 8 : offset + 8 + length])
        offset += 8 + length + (-length % 4)
    assert offset == len(body)
    return payloads


def _fields(data):
    """(field number, wire type, value) of a message: varints as ints, length-delimited as bytes."""
    offset = 0
    while offset < len(data):
        key, offset = _read_varint(data, offset)
        number, wire = key >> 3, key & 7
        if wire == 2:
            length, offset = _read_varint(data, offset)
            yield number, wire, data[offset : offset + length]
            offset += length
        elif wire == 0:
            value, offset = _read_varint(data, offset)
            yield number, wire, value
        else:
            raise AssertionError(f"unexpected wire type {wire}")


def _read_varint(data, offset):
    shift = result = 0
    while True:
        byte = data[offset]
        offset += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, offset


def label_floats(payload):
    """A Record's `label` map as {key: [float32 values]}."""
    labels = {}
    for number, _, entry in _fields(payload):
        assert number == 2, f"only label entries expected, got field {number}"
        parts = {n: v for n, _, v in _fields(entry)}
        value = {n: v for n, _, v in _fields(parts[2])}
        assert list(value) == [2], "a float32_tensor"
        tensor_fields = {n: v for n, _, v in _fields(value[2])}
        packed = tensor_fields.get(1, b"")
        labels[parts[1].decode()] = list(struct.unpack(f"<{len(packed) // 4}f", packed))
    return labels
