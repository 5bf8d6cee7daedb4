"""SageMaker's `Record` protobuf built at run time: the field numbers and types of the
`aialgs.data` schema AWS's algorithms use, checked against bytes assembled by hand."""

import struct

from modelapi_serving.codecs.protobuf_record import record_class
from recordio_wire import delimited, record, tensor


def test_every_field_of_the_schema_reads_from_its_wire_number():
    payload = record(
        {"values": tensor([1.5, 2.5]), "ids": tensor([7], "int32", keys=[3], shape=[9])},
        label={"values": tensor([0.25], "float64")},
    )
    payload += delimited(3, b"row-1") + delimited(4, b"meta") + delimited(5, b"conf")
    message = record_class()()
    message.ParseFromString(payload)
    assert list(message.features["values"].float32_tensor.values) == [1.5, 2.5]
    ids = message.features["ids"].int32_tensor
    assert (list(ids.values), list(ids.keys), list(ids.shape)) == ([7], [3], [9])
    assert list(message.label["values"].float64_tensor.values) == [0.25]
    assert (message.uid, message.metadata, message.configuration) == ("row-1", "meta", "conf")


def test_a_bytes_value_and_an_unknown_field_are_read_as_proto2_reads_them():
    raw = delimited(1, b"\x00\x01") + delimited(2, b"application/octet-stream")
    payload = record({"blob": delimited(9, raw)}) + delimited(15, b"from a newer writer")
    message = record_class()()
    message.ParseFromString(payload)
    value = message.features["blob"]
    assert value.WhichOneof("value") == "bytes"
    assert list(value.bytes.value) == [b"\x00\x01"] and value.bytes.content_type == "application/octet-stream"


def test_tensors_are_written_packed_as_aws_writes_them():
    message = record_class()()
    message.label["score"].float32_tensor.values.extend([0.5, 0.25])
    packed = struct.pack("<2f", 0.5, 0.25)
    assert message.SerializeToString() == record(label={"score": tensor([0.5, 0.25])})
    assert delimited(1, packed) in message.SerializeToString()


def test_the_schema_lives_in_a_pool_of_its_own():
    # user code importing AWS's generated record_pb2 (the same names) must not clash with it
    from google.protobuf import descriptor_pool

    assert record_class() is record_class()
    assert record_class().DESCRIPTOR.file.pool is not descriptor_pool.Default()
