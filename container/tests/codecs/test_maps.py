"""The decoder and encoder maps: built from the codec modules, bound to the contract's
content types by name, and a contract type without a codec is refused, never fatal."""

import json
import shutil

import pytest

from conftest import CONTAINER, Server, body_json, fit_logistic
from modelapi_serving import codecs, contract
from modelapi_serving.errors import NotAcceptable, UnsupportedMediaType


def test_decode_unknown_type():
    with pytest.raises(UnsupportedMediaType):
        codecs.decode(b"x", "application/xml")


def test_the_codecs_read_and_write_the_contracts_content_types():
    assert set(contract.REQUEST_CONTENT_TYPES) <= set(codecs.DECODERS)
    assert codecs.RESPONSE_TYPES == contract.RESPONSE_CONTENT_TYPES


def test_the_codecs_bind_the_contracts_types_by_name_not_by_position():
    assert (codecs.JSON, codecs.CSV, codecs.NPY) == ("application/json", "text/csv", "application/x-npy")
    assert contract.media_type_of("csv") == "text/csv"
    for codec in codecs.CODECS:
        if codec.name in contract.CONTENT_TYPES:
            assert codec.media_type == contract.media_type_of(codec.name), codec.name


def test_the_maps_are_keyed_by_each_codecs_media_type():
    assert codecs.DECODERS[codecs.CSV] is codecs.csv.decode
    assert codecs.ENCODERS[codecs.NPY] is codecs.npy.encode
    assert list(codecs.DECODERS) == [codecs.JSON, codecs.CSV, codecs.NPY, codecs.LIBSVM, codecs.RECORDIO]
    assert codecs.ARCHIVE_DECODERS == {codecs.NPZ: codecs.npz.decode}
    assert codecs.ALIASES["text/x-libsvm"] == codecs.LIBSVM and codecs.ALIASES["csv"] == codecs.CSV
    assert codecs.ALIASES["recordio-protobuf"] == codecs.RECORDIO
    assert codecs.TEXT_TYPES == (codecs.JSON, codecs.CSV)


def test_only_the_contracts_response_types_are_encoded():
    with pytest.raises(NotAcceptable, match="supported: application/json, text/csv, application/x-npy"):
        codecs.encode([1], codecs.JSONLINES)


# -- a contract row that no codec module serves -------------------------------------

PARQUET = "application/x-parquet"


@pytest.fixture
def server_with_an_extra_contract_type(tmp_path):
    """The server package copied aside, its contract.json given a fourth content type that no codec serves."""
    copy = tmp_path / "container"
    shutil.copytree(
        CONTAINER + "/modelapi_serving", copy / "modelapi_serving", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(CONTAINER + "/serve", copy / "serve")
    contract_path = copy / "modelapi_serving" / "contract.json"
    doc = json.loads(contract_path.read_text())
    doc["contentTypes"]["parquet"] = {"mediaType": PARQUET, "request": True, "response": True, "binary": True}
    contract_path.write_text(json.dumps(doc))
    model = fit_logistic(str(tmp_path / "model"))
    server = Server(str(tmp_path), str(tmp_path / "model"), serve=str(copy / "serve")).wait_ready()
    server.model = model
    yield server
    server.stop()


def test_a_contract_type_without_a_codec_is_415_and_406_and_the_others_still_work(server_with_an_extra_contract_type):
    server = server_with_an_extra_contract_type
    status, _, body = server.post("/invocations", b"PAR1", content_type=PARQUET)
    assert status == 415
    assert body_json(body)["message"] == (
        f"unsupported content type {PARQUET!r}; send one of application/json, text/csv, application/x-npy, "
        "text/libsvm, application/x-recordio-protobuf, application/x-npz"
    )
    status, _, body = server.post("/invocations", [[5.1, 3.5, 1.4, 0.2]], accept=PARQUET)
    assert status == 406
    assert body_json(body)["message"] == (
        f"cannot produce {PARQUET!r}; supported: application/json, text/csv, application/x-npy"
    )
    status, _, body = server.post("/invocations", [[5.1, 3.5, 1.4, 0.2]])
    assert (status, body_json(body)) == (200, [0])
    status, headers, body = server.post("/invocations", "6.2,2.9,4.3,1.3\n", content_type="text/csv", accept="text/csv")
    assert (status, headers["content-type"], body) == (200, "text/csv", b"1\n")
    assert "Traceback" not in server.read_log()
