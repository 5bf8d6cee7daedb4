"""What a handler function's trailing `context` argument holds, how the model's code
sets custom attributes through it, and how a handler is called with or without it.
"""

import inspect
import re
from typing import Any, Callable, Dict, Optional

from ..contract import CUSTOM_ATTRIBUTES_HEADER, CUSTOM_ATTRIBUTES_MAX_LENGTH
from ..errors import InternalError
from ..http.messages import Response
from .loading import ModelLoadError


class Context:
    """What AWS's inference toolkit passes as a handler function's trailing `context`
    argument, as far as a model outside Multi Model Server can have it: request headers
    to read and response headers to set, with Multi Model Server's method names
    (awslabs/multi-model-server, mms/context.py, `set_response_header` and friends).
    One request per context, always index 0.

    Of the response headers set, the server answers only
    `X-Amzn-SageMaker-Custom-Attributes`, which SageMaker returns to the caller as
    InvokeEndpoint's `CustomAttributes`: "The code in your model is responsible for
    setting or updating any custom attributes in the response" (SageMaker Runtime
    API reference, InvokeEndpoint).
    """

    def __init__(self, model_dir: str, model_name: Optional[str] = None, headers: Optional[Dict[str, str]] = None):
        self.model_name = model_name
        self.system_properties = {"model_dir": model_dir, "gpu_id": None}
        self.request_processor = [_RequestProcessor(headers or {})]

    def get_request_header(self, idx: int, key: str) -> Optional[str]:
        return self.request_processor[idx].get_request_header(key)

    def get_all_request_header(self, idx: int) -> Dict[str, str]:
        return self.request_processor[idx].get_request_properties()

    def set_response_header(self, idx: int, key: str, value: str) -> None:
        self.request_processor[idx].add_response_property(key, value)

    def get_response_headers(self, idx: int) -> Dict[str, str]:
        return self.request_processor[idx].get_response_headers()


class _RequestProcessor:
    def __init__(self, headers: Dict[str, str]):
        self._headers = headers
        self._response_headers: Dict[str, str] = {}

    def get_request_properties(self) -> Dict[str, str]:
        return dict(self._headers)

    def get_request_header(self, key: str) -> Optional[str]:
        return self._headers.get(key.lower())

    def add_response_property(self, key: str, value: str) -> None:
        self._response_headers[key] = value

    def get_response_headers(self) -> Dict[str, str]:
        return dict(self._response_headers)


_CUSTOM_ATTRIBUTES_CHARS = re.compile(r"[\x20-\x7e\t]*")


def with_custom_attributes(response: Response, context: Context) -> Response:
    """`response` with the custom attributes the model's code set on `context`, if any.

    Raises:
        InternalError: the value breaks InvokeEndpoint's rule for CustomAttributes (at
            most 1024 visible US-ASCII characters, spaces and tabs between them), so it
            could not reach the caller; the log says which rule, never the value.
    """
    for key, value in context.get_response_headers(0).items():
        if key.lower() != CUSTOM_ATTRIBUTES_HEADER:
            continue
        if not isinstance(value, str) or len(value) > CUSTOM_ATTRIBUTES_MAX_LENGTH:
            rule = f"a string of at most {CUSTOM_ATTRIBUTES_MAX_LENGTH} characters"
        elif not _CUSTOM_ATTRIBUTES_CHARS.fullmatch(value):
            rule = "visible US-ASCII characters, spaces and tabs only"
        else:
            return response._replace(headers=response.headers + ((CUSTOM_ATTRIBUTES_HEADER, value),))
        raise InternalError(f"the model's code set {CUSTOM_ATTRIBUTES_HEADER}, which must be {rule}")
    return response


def arity_caller(fn: Callable[..., Any], n_args: int) -> Callable[..., Any]:
    """A caller `(context, *args)` for `fn`, which takes `n_args` arguments or, as
    AWS's inference toolkit allows, those plus a trailing `context`.

    Raises:
        ModelLoadError: `fn` takes neither (checked at load time, so /ping says so).
    """
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return lambda context, *args: fn(*args)
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return lambda context, *args: fn(*args)
    count = len([p for p in params if p.kind != p.VAR_KEYWORD])  # the toolkit counts parameters the same way
    if count == n_args:
        return lambda context, *args: fn(*args)
    if count == n_args + 1:
        return lambda context, *args: fn(*args, context)
    raise ModelLoadError(
        f"{fn.__name__} takes {count} arguments; it must take {n_args}, or {n_args + 1} with a trailing context"
    )
