"""Choosing the response type from `Accept`: q-values, wildcards, aliases, and the order of equals."""

import pytest

from modelapi_serving import codecs
from modelapi_serving.errors import NotAcceptable
from modelapi_serving.http.negotiation import choose_accept, media_type

SUPPORTED = ("application/json", "text/csv", "application/x-npy")


def choose(header, default="application/json"):
    return choose_accept(header, default, SUPPORTED, codecs.ALIASES)


@pytest.mark.parametrize(
    "header, want",
    [
        ("", "application/json"),
        ("*/*", "application/json"),
        ("text/csv", "text/csv"),
        ("TEXT/CSV; charset=utf-8", "text/csv"),
        ("application/xml, text/csv;q=0.2", "text/csv"),
        ("text/*", "text/csv"),
        ("application/x-npy;q=0.1, application/json;q=0.8", "application/json"),
        ("text/csv;q=0, */*;q=0.1", "application/json"),
    ],
)
def test_choose_accept(header, want):
    assert choose(header) == want


@pytest.mark.parametrize(
    "header, want",
    [
        ("text/csv, application/json", "text/csv"),
        ("application/json, text/csv", "application/json"),
        ("application/x-npy;q=0.5, text/csv;q=0.5", "application/x-npy"),
        ("text/csv;q=0.5, application/x-npy;q=0.5, application/json;q=0.4", "text/csv"),
    ],
)
def test_of_types_with_equal_quality_the_first_listed_wins(header, want):
    assert choose(header) == want


def test_choose_accept_refuses_what_it_cannot_produce():
    with pytest.raises(NotAcceptable):
        choose("application/xml")
    with pytest.raises(NotAcceptable):
        choose("text/csv;q=0")


def test_default_accept_can_be_csv():
    assert choose("*/*", "text/csv") == "text/csv"


def test_a_refusal_names_the_header_and_what_is_supported():
    with pytest.raises(NotAcceptable) as caught:
        choose(" application/xml ")
    assert (
        caught.value.message
        == "cannot produce 'application/xml'; supported: application/json, text/csv, application/x-npy"
    )


def test_media_types_lose_their_parameters_and_case_and_aliases_resolve():
    assert media_type("Application/JSON; charset=utf-8") == "application/json"
    assert media_type("csv") == "csv"
    assert media_type("csv", codecs.ALIASES) == "text/csv"
    assert choose("csv") == "text/csv"
