"""Routes: SageMaker's container API on top of the handlers and the registry.

Every route is one row of `ROUTES`: (method, path pattern, App method).
`App.handle(method, target, headers, body)` returns a `results.Response`, or a
`results.Pending` prediction for the worker to batch, and never raises: every
failure becomes a JSON error response.
"""

import json
import logging
import re
import urllib.parse

from .errors import BadRequest, HttpError, InternalError, MethodNotAllowed, NotFound, ServiceUnavailable, error_body
from .handler import ModelLoadError, load_handler
from .results import Response

log = logging.getLogger("modelapi.app")

JSON = "application/json"
PING_OK = b'{"status":"healthy"}'
MULTI_MODEL = "multi-model"

# (method, path pattern, App method, scope); `MULTI_MODEL` routes exist only in multi-model mode
ROUTES = (
    ("POST", r"/invocations", "invoke_single", None),
    ("GET", r"/ping", "ping", None),
    ("HEAD", r"/ping", "ping", None),
    ("GET", r"/execution-parameters", "execution_parameters", None),
    ("GET", r"/models/?", "list_models", MULTI_MODEL),
    ("POST", r"/models/?", "load_model_route", MULTI_MODEL),
    ("GET", r"/models/(?P<name>[^/]+)", "describe_model", MULTI_MODEL),
    ("DELETE", r"/models/(?P<name>[^/]+)", "unload_model", MULTI_MODEL),
    ("POST", r"/models/(?P<name>[^/]+)/invoke", "invoke_model", MULTI_MODEL),
)
_COMPILED = tuple((method, re.compile(pattern), action, scope) for method, pattern, action, scope in ROUTES)


def _json(data, status=200):
    return Response(status, JSON, json.dumps(data).encode())


def content_type_of(headers) -> str:
    """The request's content type; `ContentType` is an alias, as in AWS's inference toolkit."""
    return headers.get("content-type") or headers.get("contenttype") or ""


class App:
    def __init__(self, config, registry=None):
        self.config = config
        self.registry = registry
        self.handler = None
        self.load_error = None

    def load_model(self):
        """Single-model mode: load the model now; a failure is kept for /ping."""
        try:
            self.handler = load_handler(self.config.model_dir, self.config.default_accept)
            log.info("model loaded from %s", self.config.model_dir)
        except ModelLoadError as exc:
            self.load_error = str(exc)
            log.error("model failed to load from %s: %s", self.config.model_dir, exc, exc_info=not exc.client_fault)
        except BaseException as exc:  # noqa: B902 - MemoryError, SystemExit from user code...
            if isinstance(exc, KeyboardInterrupt):
                raise
            self.load_error = f"{type(exc).__name__}: {exc}"
            log.exception("model failed to load from %s", self.config.model_dir)

    def handle(self, method, target, headers, body, defer=False):
        """Answer one request: a `Response`, or with `defer` possibly a `Pending`."""
        try:
            return self._route(method, target, headers, body, defer)
        except HttpError as exc:
            if exc.status >= 500:
                log.error("%s %s -> %d %s", method, target, exc.status, exc.message)
            else:
                log.debug("%s %s -> %d %s", method, target, exc.status, exc.message)
            return Response(exc.status, JSON, error_body(exc.status, exc.message))
        except Exception:
            log.exception("unhandled error in %s %s", method, target)
            return Response(500, JSON, error_body(500, "internal server error; the server log has the details"))

    def _route(self, method, target, headers, body, defer=False):
        path, _, query = target.partition("?")
        allowed = []
        for route_method, pattern, action, scope in _COMPILED:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if scope == MULTI_MODEL and self.registry is None:
                raise NotFound("multi-model routes are off; start the server with SAGEMAKER_MULTI_MODEL=true")
            if route_method != method:
                allowed.append(route_method)
                continue
            args = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
            return getattr(self, action)(query=query, headers=headers, body=body, defer=defer, **args)
        if allowed:
            raise MethodNotAllowed(f"use {' or '.join(allowed)}")
        raise NotFound(f"no route for {path}")

    # -- single model ---------------------------------------------------------

    def ping(self, **_):
        if self.registry is not None or self.handler is not None:
            return Response(200, JSON, PING_OK)
        if self.load_error is not None:
            return Response(500, JSON, error_body(500, f"model failed to load: {self.load_error}"))
        return Response(503, JSON, error_body(503, "model is loading"))

    def execution_parameters(self, **_):
        if self.handler is not None:
            custom = self.handler.execution_parameters()
            if custom is not None:
                return custom
        return _json(
            {
                "MaxConcurrentTransforms": self.config.workers,
                "BatchStrategy": "MULTI_RECORD",
                "MaxPayloadInMB": max(1, self.config.max_body_bytes // (1024 * 1024)),
            }
        )

    def invoke_single(self, headers, body, defer, **_):
        if self.registry is not None:
            raise BadRequest("this server runs in multi-model mode; use POST /models/{name}/invoke")
        if self.handler is None:
            if self.load_error is not None:
                raise InternalError("the model failed to load; the server log has the details")
            raise ServiceUnavailable("model is loading")
        return self.handler.invoke(body, content_type_of(headers), headers.get("accept", ""), defer, headers)

    # -- multi-model ----------------------------------------------------------

    def list_models(self, query, **_):
        params = urllib.parse.parse_qs(query)
        max_results = None
        if "max_results" in params:
            try:
                max_results = max(1, int(params["max_results"][0]))
            except ValueError:
                raise BadRequest("max_results must be an integer") from None
        token = params.get("next_page_token", [None])[0]
        return _json(self.registry.list(max_results, token))

    def load_model_route(self, body, **_):
        try:
            doc = json.loads(body or b"null")
        except (ValueError, RecursionError):
            raise BadRequest('malformed JSON; expected {"model_name": "...", "url": "/path/to/model"}') from None
        if not isinstance(doc, dict):
            raise BadRequest('expected {"model_name": "...", "url": "/path/to/model"}')
        result = self.registry.load(doc.get("model_name"), doc.get("url"))
        return _json({"status": f"Model {result['modelName']!r} loaded", **result})

    def describe_model(self, name, **_):
        return _json(self.registry.describe(name))

    def unload_model(self, name, **_):
        self.registry.unload(name)
        return _json({"status": f"Model {name!r} unloaded"})

    def invoke_model(self, name, headers, body, defer, **_):
        handler = self.registry.get(name)
        return handler.invoke(body, content_type_of(headers), headers.get("accept", ""), defer, headers)
