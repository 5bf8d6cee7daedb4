"""Routes: SageMaker's container API on top of the handlers and the registry.

Every route is one row of `ROUTES`: method, path pattern, handler, and whether
it exists only in multi-model mode. `App.handle(request, defer)` returns a
`Response`, or a `Pending` prediction for the worker to batch, and never
raises: every failure becomes a JSON error response.
"""

import json
import logging
import re
import urllib.parse
from typing import Any, Callable, Dict, NamedTuple, Optional, Pattern, Tuple, Union

from .config import Config
from .errors import BadRequest, HttpError, InternalError, MethodNotAllowed, NotFound, ServiceUnavailable, error_body
from .models.handler import Handler, ModelLoadError, load_handler
from .http.messages import BodyFile, Request, Response
from .models import streaming
from .models.pipeline import Pending
from .models.registry import Registry

log = logging.getLogger("modelapi.app")

JSON = "application/json"
PING_OK = b'{"status":"healthy"}'
MULTI_MODEL_OFF = "multi-model routes are off; start the server with SAGEMAKER_MULTI_MODEL=true"

Result = Union[Response, Pending]


def _json(data: Any, status: int = 200) -> Response:
    return Response(status, JSON, json.dumps(data).encode())


def content_type_of(headers: Dict[str, str]) -> str:
    """The request's content type; `ContentType` is an alias, as in AWS's inference toolkit."""
    return headers.get("content-type") or headers.get("contenttype") or ""


class App:
    """The routes of one worker, over its model (single-model mode) or its registry (multi-model)."""

    def __init__(self, config: Config, registry: Optional[Registry] = None):
        self.config = config
        self.registry = registry
        self.handler: Optional[Handler] = None
        self.load_error: Optional[str] = None

    def load_model(self) -> None:
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

    def handle(self, request: Request, defer: bool = False) -> Result:
        """Answer one request: a `Response`, or with `defer` possibly a `Pending`."""
        try:
            return self._route(request, defer)
        except HttpError as exc:
            if exc.status >= 500:
                log.error("%s %s -> %d %s", request.method, request.target, exc.status, exc.message)
            else:
                log.debug("%s %s -> %d %s", request.method, request.target, exc.status, exc.message)
            return Response(exc.status, JSON, error_body(exc.status, exc.message))
        except Exception:
            log.exception("unhandled error in %s %s", request.method, request.target)
            return Response(500, JSON, error_body(500, "internal server error; the server log has the details"))

    def _route(self, request: Request, defer: bool) -> Result:
        path = request.target.partition("?")[0]
        allowed = []
        for method, pattern, handler, multi_model in ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if multi_model and self.registry is None:
                raise NotFound(MULTI_MODEL_OFF)
            if method != request.method:
                allowed.append(method)
                continue
            params = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
            return handler(self, request, defer, **params)
        if allowed:
            raise MethodNotAllowed(f"use {' or '.join(allowed)}")
        raise NotFound(f"no route for {path}")

    # -- single model ---------------------------------------------------------

    def ping(self, request: Request, defer: bool) -> Result:
        if self.registry is not None or self.handler is not None:
            return Response(200, JSON, PING_OK)
        if self.load_error is not None:
            return Response(500, JSON, error_body(500, f"model failed to load: {self.load_error}"))
        return Response(503, JSON, error_body(503, "model is loading"))

    def execution_parameters(self, request: Request, defer: bool) -> Result:
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

    def invoke_single(self, request: Request, defer: bool) -> Result:
        if self.registry is not None:
            raise BadRequest("this server runs in multi-model mode; use POST /models/{name}/invoke")
        if self.handler is None:
            if self.load_error is not None:
                raise InternalError("the model failed to load; the server log has the details")
            raise ServiceUnavailable("model is loading")
        return self._invoke(self.handler, request, defer)

    def _invoke(self, handler: Handler, request: Request, defer: bool) -> Result:
        """The handler's answer; a spooled CSV body is answered part by part where the pipeline allows."""
        content_type, accept = content_type_of(request.headers), request.headers.get("accept", "")
        if request.spool is not None:
            answer = streaming.answer_in_parts(
                handler, request.spool, content_type, accept, self.config.stream_chunk_bytes, self._spool
            )
            if answer is not None:
                return answer
        return handler.invoke(request.body, content_type, accept, defer, request.headers, self.config.max_body_bytes)

    def _spool(self) -> BodyFile:
        return BodyFile.temporary(self.config.spool_dir)

    # -- multi-model ----------------------------------------------------------

    @property
    def models(self) -> Registry:
        """The registry; only multi-model routes use it, and they exist only where it does."""
        if self.registry is None:
            raise NotFound(MULTI_MODEL_OFF)
        return self.registry

    def list_models(self, request: Request, defer: bool) -> Result:
        params = urllib.parse.parse_qs(request.target.partition("?")[2])
        max_results: Optional[int] = None
        if "max_results" in params:
            try:
                max_results = max(1, int(params["max_results"][0]))
            except ValueError:
                raise BadRequest("max_results must be an integer") from None
        token = params["next_page_token"][0] if "next_page_token" in params else None
        return _json(self.models.list(max_results, token))

    def load_model_route(self, request: Request, defer: bool) -> Result:
        try:
            doc = json.loads(request.body or b"null")
        except (ValueError, RecursionError):
            raise BadRequest('malformed JSON; expected {"model_name": "...", "url": "/path/to/model"}') from None
        if not isinstance(doc, dict):
            raise BadRequest('expected {"model_name": "...", "url": "/path/to/model"}')
        self.models.load(doc.get("model_name"), doc.get("url"))
        return _json({"status": "Workers scaled"})  # Multi Model Server's answer, which clients of AWS's images read

    def describe_model(self, request: Request, defer: bool, name: str) -> Result:
        return _json(self.models.describe(name))

    def unload_model(self, request: Request, defer: bool, name: str) -> Result:
        self.models.unload(name)
        return _json({"status": f'Model "{name}" unregistered'})  # Multi Model Server's answer

    def invoke_model(self, request: Request, defer: bool, name: str) -> Result:
        return self._invoke(self.models.get(name), request, defer)


class Route(NamedTuple):
    """One route: a request with this method whose path matches the pattern goes to the handler."""

    method: str
    pattern: Pattern[str]
    handler: Callable[..., Result]  # App method: (app, request, defer, **path parameters)
    multi_model: bool = False  # exists only in multi-model mode (SAGEMAKER_MULTI_MODEL=true)


def route(method: str, pattern: str, handler: Callable[..., Result], multi_model: bool = False) -> Route:
    return Route(method, re.compile(pattern), handler, multi_model)


ROUTES: Tuple[Route, ...] = (
    route("POST", r"/invocations", App.invoke_single),
    route("GET", r"/ping", App.ping),
    route("HEAD", r"/ping", App.ping),
    route("GET", r"/execution-parameters", App.execution_parameters),
    route("GET", r"/models/?", App.list_models, multi_model=True),
    route("POST", r"/models/?", App.load_model_route, multi_model=True),
    route("GET", r"/models/(?P<name>[^/]+)", App.describe_model, multi_model=True),
    route("DELETE", r"/models/(?P<name>[^/]+)", App.unload_model, multi_model=True),
    route("POST", r"/models/(?P<name>[^/]+)/invoke", App.invoke_model, multi_model=True),
)
