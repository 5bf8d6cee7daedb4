"""Routes: SageMaker's container API on top of the handler and the registry.

`App.handle(method, path, headers, body)` returns `(status, content_type, body)`
and never raises: every failure becomes a JSON error response.
"""

import json
import logging
import urllib.parse

from .errors import (BadRequest, HttpError, InternalError, MethodNotAllowed, NotFound,
                     ServiceUnavailable, error_body)
from .handler import ModelHandler, ModelLoadError

log = logging.getLogger("modelapi.app")

JSON = "application/json"
PING_OK = b'{"status":"healthy"}'


def _json(data, status=200):
    return status, JSON, json.dumps(data).encode()


class App:
    def __init__(self, config, registry=None):
        self.config = config
        self.registry = registry
        self.handler = None
        self.load_error = None

    def load_model(self):
        """Single-model mode: load the model now; a failure is kept for /ping."""
        try:
            self.handler = ModelHandler(self.config.model_dir, self.config.default_accept)
            log.info("model loaded from %s", self.config.model_dir)
        except ModelLoadError as exc:
            self.load_error = str(exc)
            log.error("model failed to load from %s: %s", self.config.model_dir, exc,
                      exc_info=not exc.client_fault)
        except BaseException as exc:  # noqa: B902 - MemoryError, SystemExit from user code...
            if isinstance(exc, KeyboardInterrupt):
                raise
            self.load_error = f"{type(exc).__name__}: {exc}"
            log.exception("model failed to load from %s", self.config.model_dir)

    def handle(self, method, target, headers, body, defer=False):
        """Answer one request: `(status, content_type, body)`, or with `defer`
        possibly a `Prepared` prediction for the worker to batch."""
        try:
            return self._route(method, target, headers, body, defer)
        except HttpError as exc:
            if exc.status >= 500:
                log.error("%s %s -> %d %s", method, target, exc.status, exc.message)
            else:
                log.debug("%s %s -> %d %s", method, target, exc.status, exc.message)
            return exc.status, JSON, error_body(exc.status, exc.message)
        except Exception:
            log.exception("unhandled error in %s %s", method, target)
            return 500, JSON, error_body(500, "internal server error; the server log has the details")

    def _route(self, method, target, headers, body, defer=False):
        path, _, query = target.partition("?")
        if path == "/invocations":
            self._allow(method, "POST")
            return self._invoke_single(headers, body, defer)
        if path == "/ping":
            self._allow(method, "GET", "HEAD")
            return self._ping()
        if path == "/execution-parameters":
            self._allow(method, "GET")
            return _json({"MaxConcurrentTransforms": self.config.workers, "BatchStrategy": "MULTI_RECORD",
                          "MaxPayloadInMB": max(1, self.config.max_body_bytes // (1024 * 1024))})
        if path == "/models" or path.startswith("/models/"):
            if self.registry is None:
                raise NotFound("multi-model routes are off; start the server with SAGEMAKER_MULTI_MODEL=true")
            return self._models(method, path, query, headers, body, defer)
        raise NotFound(f"no route for {path}")

    @staticmethod
    def _allow(method, *allowed):
        if method not in allowed:
            raise MethodNotAllowed(f"use {' or '.join(allowed)}")

    def _ping(self):
        if self.registry is not None:
            return 200, JSON, PING_OK
        if self.handler is not None:
            return 200, JSON, PING_OK
        if self.load_error is not None:
            return 500, JSON, error_body(500, f"model failed to load: {self.load_error}")
        return 503, JSON, error_body(503, "model is loading")

    def _invoke_single(self, headers, body, defer=False):
        if self.registry is not None:
            raise BadRequest("this server runs in multi-model mode; use POST /models/{name}/invoke")
        if self.handler is None:
            if self.load_error is not None:
                raise InternalError("the model failed to load; the server log has the details")
            raise ServiceUnavailable("model is loading")
        result = self.handler.invoke(body, headers.get("content-type", ""), headers.get("accept", ""), defer)
        if type(result) is not tuple:
            return result
        return 200, result[1], result[0]

    def _models(self, method, path, query, headers, body, defer=False):
        reg = self.registry
        parts = path.split("/")  # ['', 'models', name?, 'invoke'?]
        if len(parts) == 2 or (len(parts) == 3 and parts[2] == ""):
            if method == "GET":
                params = urllib.parse.parse_qs(query)
                max_results = None
                if "max_results" in params:
                    try:
                        max_results = max(1, int(params["max_results"][0]))
                    except ValueError:
                        raise BadRequest("max_results must be an integer") from None
                token = params.get("next_page_token", [None])[0]
                return _json(reg.list(max_results, token))
            if method == "POST":
                try:
                    doc = json.loads(body or b"null")
                except (ValueError, RecursionError):
                    raise BadRequest('malformed JSON; expected {"model_name": "...", "url": "/path/to/model"}') from None
                if not isinstance(doc, dict):
                    raise BadRequest('expected {"model_name": "...", "url": "/path/to/model"}')
                result = reg.load(doc.get("model_name"), doc.get("url"))
                return _json({"status": f"Model {result['modelName']!r} loaded", **result})
            raise MethodNotAllowed("use GET or POST")
        name = urllib.parse.unquote(parts[2])
        if len(parts) == 3:
            if method == "GET":
                return _json(reg.describe(name))
            if method == "DELETE":
                reg.unload(name)
                return _json({"status": f"Model {name!r} unloaded"})
            raise MethodNotAllowed("use GET or DELETE")
        if len(parts) == 4 and parts[3] == "invoke":
            self._allow(method, "POST")
            handler = reg.get(name)
            result = handler.invoke(body, headers.get("content-type", ""), headers.get("accept", ""), defer)
            if type(result) is not tuple:
                return result
            return 200, result[1], result[0]
        raise NotFound(f"no route for {path}")
