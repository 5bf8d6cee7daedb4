"""SageMaker's `Record` protobuf, the payload of `application/x-recordio-protobuf`, built at
run time from descriptors: no `protoc` step, and no generated module tied to one protobuf release.

The schema is the one AWS's algorithms read and write (AWS doc "Common Data Formats for
Training", the `aialgs.data` protobuf; aws/sagemaker-containers `record_pb2.py`, proto2):

    Float32Tensor { repeated float  values = 1 [packed]; repeated uint64 keys = 2 [packed];
                    repeated uint64 shape = 3 [packed]; }
    Float64Tensor, Int32Tensor: the same with double / int32 values
    Bytes  { repeated bytes value = 1; optional string content_type = 2; }
    Value  { oneof value { Float32Tensor float32_tensor = 2; Float64Tensor float64_tensor = 3;
                           Int32Tensor int32_tensor = 7; Bytes bytes = 9; } }
    Record { map<string, Value> features = 1; map<string, Value> label = 2;
             optional string uid = 3; optional string metadata = 4; optional string configuration = 5; }

Debian's `python3-protobuf` provides the runtime; it is imported on the first RecordIO
request, so it costs nothing at start.
"""

import functools
from typing import Any

PACKAGE = "aialgs.data"


@functools.lru_cache(maxsize=None)
def record_class() -> Any:
    """The message class of `aialgs.data.Record`."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field = descriptor_pb2.FieldDescriptorProto
    schema = descriptor_pb2.FileDescriptorProto(name="modelapi/aialgs_record.proto", package=PACKAGE, syntax="proto2")

    def message(name: str) -> Any:
        return schema.message_type.add(name=name)

    def add(msg: Any, number: int, name: str, kind: int, repeated: bool = False, type_name: str = "") -> Any:
        label = field.LABEL_REPEATED if repeated else field.LABEL_OPTIONAL
        added = msg.field.add(name=name, number=number, label=label, type=kind)
        if type_name:
            added.type_name = f".{PACKAGE}.{type_name}"
        return added

    for name, value_type in (
        ("Float32Tensor", field.TYPE_FLOAT),
        ("Float64Tensor", field.TYPE_DOUBLE),
        ("Int32Tensor", field.TYPE_INT32),
    ):
        tensor = message(name)
        for number, part, kind in (
            (1, "values", value_type),
            (2, "keys", field.TYPE_UINT64),
            (3, "shape", field.TYPE_UINT64),
        ):
            add(tensor, number, part, kind, repeated=True).options.packed = True
    raw = message("Bytes")
    add(raw, 1, "value", field.TYPE_BYTES, repeated=True)
    add(raw, 2, "content_type", field.TYPE_STRING)
    value = message("Value")
    value.oneof_decl.add(name="value")
    for number, name, type_name in (
        (2, "float32_tensor", "Float32Tensor"),
        (3, "float64_tensor", "Float64Tensor"),
        (7, "int32_tensor", "Int32Tensor"),
        (9, "bytes", "Bytes"),
    ):
        add(value, number, name, field.TYPE_MESSAGE, type_name=type_name).oneof_index = 0
    record = message("Record")
    for number, name, entry in ((1, "features", "FeaturesEntry"), (2, "label", "LabelEntry")):
        # a map field is a repeated message of a nested key/value type marked map_entry
        nested = record.nested_type.add(name=entry)
        nested.options.map_entry = True
        add(nested, 1, "key", field.TYPE_STRING)
        add(nested, 2, "value", field.TYPE_MESSAGE, type_name="Value")
        add(record, number, name, field.TYPE_MESSAGE, repeated=True, type_name=f"Record.{entry}")
    for number, name in ((3, "uid"), (4, "metadata"), (5, "configuration")):
        add(record, number, name, field.TYPE_STRING)

    # a pool of our own: user code that imports AWS's generated record_pb2 into the default pool
    # must not clash with these names
    pool = descriptor_pool.DescriptorPool()
    pool.Add(schema)
    descriptor = pool.FindMessageTypeByName(f"{PACKAGE}.Record")
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22 (GetPrototype is gone in 5.x)
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)
