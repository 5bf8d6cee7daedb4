"""Multi-model registry shared by all worker processes.

The source of truth is a directory with one small JSON file per loaded model
(`{"modelName": ..., "modelUrl": ...}`). A load creates the file atomically with
`link()` (so two concurrent loads of one name give one 200 and one 409), an
unload removes it. Each worker keeps its own in-memory copies of the models it
has served and checks the file before each use: a model loaded through one
worker is loaded lazily by any other on first use, a model unloaded through one
worker is dropped by all, and a name re-loaded from another url is reloaded.
"""

import json
import logging
import os
import tempfile
import urllib.parse
from typing import Any, Dict, Optional, Tuple

from ..errors import BadRequest, Conflict, InsufficientStorage, InternalError, NotFound
from .handler import Handler, ModelLoadError, load_handler

log = logging.getLogger("modelapi.registry")

MAX_NAME = 200
LOAD_FACTOR = 2  # bytes of memory per byte on disk while unpickling, roughly


def _available_memory() -> int:
    """Bytes this container may still allocate: the lower of the host's
    MemAvailable and the cgroup's limit minus usage."""
    available = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ):
        try:
            with open(limit_file) as f:
                raw = f.read().strip()
            if raw == "max":
                continue
            with open(usage_file) as f:
                usage = int(f.read().strip())
            room = int(raw) - usage
            available = room if available is None else min(available, room)
        except (OSError, ValueError):
            continue
    return available if available is not None else 1 << 62


def _dir_size(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


# The answers clients of AWS's multi-model images match on are Multi Model Server's (awslabs/multi-model-server
# v1.1.2, `ManagementRequestHandler.java`, `ModelManager.java`), as the public tests of
# aws/sagemaker-scikit-learn-container and aws/sagemaker-xgboost-container read them
# (`test_multiple_model_endpoint.py`).
def not_found(name: str) -> NotFound:
    return NotFound(f"Model not found: {name}")


def validate_name(name: Any) -> str:
    if name is None or name == "":
        raise BadRequest("Model name is not defined.")
    if not isinstance(name, str):
        raise BadRequest('"model_name" must be a string')
    if len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise BadRequest(f'"model_name" must be at most {MAX_NAME} printable characters')
    return name


class Registry:
    def __init__(
        self,
        root: str,
        workers: int = 1,
        headroom: int = 0,
        default_accept: Optional[str] = None,
        container_code: Optional[str] = None,
    ):
        """The registry in directory `root`; `container_code` is the container-level code
        (`entrypoint.resolve_container_code`), resolved once at start for every worker."""
        self.root = root
        self.workers = max(1, workers)
        self.headroom = headroom
        self.default_accept = default_accept
        self.container_code = container_code
        self._cache: Dict[str, Tuple[Tuple[int, int, int], str, Handler]] = {}  # name -> (file identity, url, handler)

    def _path(self, name: str) -> str:
        return os.path.join(self.root, urllib.parse.quote(name, safe="") + ".json")

    @staticmethod
    def _identity(st: os.stat_result) -> Tuple[int, int, int]:
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _read(self, path: str) -> Dict[str, Any]:
        with open(path) as f:
            return json.load(f)

    # -- routes -----------------------------------------------------------

    def load(self, name: Any, url: Any) -> Dict[str, str]:
        """POST /models."""
        name = validate_name(name)
        if url is None or url == "":
            raise BadRequest("Parameter url is required.")
        if not isinstance(url, str):
            raise BadRequest('"url" must be the path of the unpacked model directory')
        if not os.path.exists(url):
            raise NotFound(f"Model not found in model store: {url}")
        if not os.path.isdir(url):
            raise BadRequest(f"model url {url} is not a directory")
        path = self._path(name)
        if os.path.exists(path):
            raise Conflict(f"Model {name} is already registered.")
        needed = _dir_size(url) * LOAD_FACTOR * self.workers
        available = _available_memory()
        if available - needed < self.headroom:
            raise InsufficientStorage(
                f"not enough memory to load model {name!r}: it needs about {needed >> 20} MiB, "
                f"{max(0, available - self.headroom) >> 20} MiB are free; unload a model first"
            )
        try:
            handler = self._load_handler(url)
        except MemoryError:
            raise InsufficientStorage(f"not enough memory to load model {name!r}") from None
        except ModelLoadError as exc:
            if exc.client_fault:
                raise BadRequest(f"cannot load model {name!r}: {exc}") from None
            log.exception("model %r from %s failed to load", name, url)
            raise InternalError(f"model {name!r} failed to load; the server log has the details") from None
        # publish atomically: write a temp file, then link it under the final name
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".load-")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump({"modelName": name, "modelUrl": url}, f)
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise Conflict(f"Model {name} is already registered.") from None
        finally:
            os.unlink(tmp)
        self._cache[name] = (self._identity(os.stat(path)), url, handler)
        log.info("loaded model %r from %s", name, url)
        return {"modelName": name, "modelUrl": url}

    def list(self, max_results: Optional[int] = None, token: Optional[str] = None) -> Dict[str, Any]:
        """GET /models."""
        entries = []
        for filename in sorted(os.listdir(self.root)):
            if not filename.endswith(".json") or filename.startswith("."):
                continue
            try:
                doc = self._read(os.path.join(self.root, filename))
            except (OSError, ValueError):
                continue  # unloaded while listing
            entries.append({"modelName": doc["modelName"], "modelUrl": doc["modelUrl"]})
        entries.sort(key=lambda e: e["modelName"])
        start = 0
        if token:
            try:
                start = int(token)
            except ValueError:
                raise BadRequest("invalid next_page_token") from None
        if max_results is not None:
            page = entries[start : start + max_results]
            result: Dict[str, Any] = {"models": page}
            if start + max_results < len(entries):
                result["nextPageToken"] = str(start + max_results)
            return result
        return {"models": entries[start:]}

    def describe(self, name: str) -> Dict[str, str]:
        """GET /models/{name}."""
        try:
            doc = self._read(self._path(name))
        except FileNotFoundError:
            raise not_found(name) from None
        return {"modelName": doc["modelName"], "modelUrl": doc["modelUrl"]}

    def unload(self, name: str) -> None:
        """DELETE /models/{name}."""
        try:
            os.unlink(self._path(name))
        except FileNotFoundError:
            raise not_found(name) from None
        self._cache.pop(name, None)
        log.info("unloaded model %r", name)

    def get(self, name: str) -> Handler:
        """The handler for POST /models/{name}/invoke, loading it here if needed."""
        path = self._path(name)
        try:
            identity = self._identity(os.stat(path))
        except FileNotFoundError:
            self._cache.pop(name, None)
            raise not_found(name) from None
        cached = self._cache.get(name)
        if cached is not None and cached[0] == identity:
            return cached[2]
        self._cache.pop(name, None)
        try:
            url = self._read(path)["modelUrl"]
        except FileNotFoundError:
            raise not_found(name) from None
        try:
            handler = self._load_handler(url)
        except MemoryError:
            raise InsufficientStorage(f"not enough memory to load model {name!r}") from None
        except Exception:
            log.exception("model %r from %s failed to load in this worker", name, url)
            raise InternalError(f"model {name!r} failed to load; the server log has the details") from None
        self._cache[name] = (identity, url, handler)
        return handler

    def _load_handler(self, url: str) -> Handler:
        return load_handler(url, self.default_accept, multi_model=True, container_code=self.container_code)

    def sweep(self) -> None:
        """Drop in-memory models whose registry entry is gone or changed."""
        for name, (identity, _url, _handler) in list(self._cache.items()):
            try:
                current = self._identity(os.stat(self._path(name)))
            except FileNotFoundError:
                current = None
            if current != identity:
                self._cache.pop(name, None)
