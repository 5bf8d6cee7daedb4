"""User code as the SageMaker SDK ships it: which script to import, from where,
and how to call its functions.

The SDK names the script in `SAGEMAKER_PROGRAM` (`entry_point="script.py"`)
and its directory in `SAGEMAKER_SUBMIT_DIRECTORY`: a directory (after the SDK
repacks the code into `model.tar.gz`, `/opt/ml/model/code`) or a
`sourcedir.tar.gz`. Without them the script is `code/inference.py` in the model
directory, as in AWS's inference toolkit. Code that is named but cannot be
found or imported is an error, never silently replaced by the defaults.

In multi-model mode a container-level `SAGEMAKER_SUBMIT_DIRECTORY` is resolved
once at start (`resolve_container_code`) and its script serves every model, as
in AWS's scikit-learn and XGBoost images (`serving_mms.py` imports the module
before Multi Model Server starts); without it each model brings its own `code/`.
"""

import fcntl
import hashlib
import importlib.util
import inspect
import logging
import os
import re
import socket
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
from types import ModuleType
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Tuple

from ..contract import CUSTOM_ATTRIBUTES_HEADER, CUSTOM_ATTRIBUTES_MAX_LENGTH
from ..errors import InternalError
from ..http.messages import Response
from .loading import ModelLoadError

log = logging.getLogger("modelapi.entrypoint")

DEFAULT_PROGRAM = "inference.py"
SAGEMAKER_MODEL_DIR = "/opt/ml/model"
HANDLER_FUNCTIONS = (
    "model_fn",
    "input_fn",
    "predict_fn",
    "output_fn",
    "transform_fn",
    "execution_parameters_fn",
    "pre_model_fn",
    "model_warmup_fn",
)
DEFAULT_INDEX = "https://pypi.org/simple"
INDEX_PROBE_SECONDS = 3


def _strip_file_scheme(raw: str) -> str:
    return raw[len("file://") :] if raw.startswith("file://") else raw


def _is_remote(raw: str) -> bool:
    """An `s3://` (or other URL) location, which this server does not download."""
    return bool(urllib.parse.urlparse(raw).scheme)


def _submit_directory(raw: str, model_dir: str) -> str:
    """The local code directory `SAGEMAKER_SUBMIT_DIRECTORY` points to."""
    raw = _strip_file_scheme(raw)
    if _is_remote(raw):
        local = os.path.join(model_dir, "code")
        if os.path.isdir(local):
            log.info("SAGEMAKER_SUBMIT_DIRECTORY is %s; using the code packed in the model at %s", raw, local)
            return local
        raise ModelLoadError(
            f"SAGEMAKER_SUBMIT_DIRECTORY is {raw}, which this server does not download; "
            "pack the code into model.tar.gz under code/ (as the SageMaker SDK does when it repacks a model)"
        )
    # the SDK's repacked models say /opt/ml/model/code; the model may be unpacked elsewhere here
    if model_dir != SAGEMAKER_MODEL_DIR and (raw == SAGEMAKER_MODEL_DIR or raw.startswith(SAGEMAKER_MODEL_DIR + "/")):
        raw = model_dir + raw[len(SAGEMAKER_MODEL_DIR) :]
    if os.path.isdir(raw):
        return raw
    if os.path.isfile(raw) and raw.endswith((".tar.gz", ".tgz", ".tar")):
        return _unpack_sourcedir(raw)
    raise ModelLoadError(f"SAGEMAKER_SUBMIT_DIRECTORY {raw} is neither a directory nor a sourcedir.tar.gz")


def _unpack_sourcedir(archive: str) -> str:
    """Unpack a sourcedir.tar.gz once (workers share it) into a directory named by its content."""
    with open(archive, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    target = os.path.join(tempfile.gettempdir(), f"modelapi-sourcedir-{digest}")
    with _locked(target + ".lock"):
        if os.path.isdir(target):
            return target
        staging = tempfile.mkdtemp(prefix=".sourcedir-", dir=tempfile.gettempdir())
        try:
            with tarfile.open(archive) as tar:
                members = tar.getmembers()
                for member in members:
                    parts = member.name.split("/")
                    if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
                        raise ModelLoadError(
                            f"{archive} holds {member.name!r}: only plain files and directories inside it are unpacked"
                        )
                tar.extractall(staging, members=members)
        except (tarfile.TarError, OSError) as exc:
            raise ModelLoadError(f"cannot unpack {archive}: {exc}") from None
        os.rename(staging, target)
    return target


class _locked:
    def __init__(self, path: str):
        self.path = path

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def find_entry_point(
    model_dir: str,
    env: Optional[Mapping[str, str]] = None,
    multi_model: bool = False,
    container_code: Optional[str] = None,
) -> Optional[str]:
    """The path of the user script to import, or None when the model ships no code.

    Args:
        multi_model: the model is one of a multi-model endpoint's: `SAGEMAKER_SUBMIT_DIRECTORY`
            was resolved at start into `container_code`, and a model without `code/` ships none.
        container_code: multi-model only: what `resolve_container_code` returned.

    Raises:
        ModelLoadError: the script is named but missing, or code exists that nothing names.
    """
    env = os.environ if env is None else env
    program = env.get("SAGEMAKER_PROGRAM", "").strip()
    if not multi_model:
        raw_dir = env.get("SAGEMAKER_SUBMIT_DIRECTORY", "").strip()
        code_dir = _submit_directory(raw_dir, model_dir) if raw_dir else os.path.join(model_dir, "code")
        return _script_in(code_dir, program)
    if container_code is not None and not _is_remote(container_code):
        script = _script_in(container_code, program)
        if script is not None:
            _warn_if_the_model_ships_its_own(model_dir, script)
        return script
    if container_code is not None:
        code_dir = _submit_directory(container_code, model_dir)  # s3://: the model's own code/, else an error
    else:
        code_dir = os.path.join(model_dir, "code")
        if not os.path.isdir(code_dir):
            return None  # SAGEMAKER_PROGRAM is container-wide, and this model ships no code
    return _script_in(code_dir, program)


def _script_in(code_dir: str, program: str) -> Optional[str]:
    """The entry script in `code_dir`: `program` (SAGEMAKER_PROGRAM), else inference.py, else None."""
    if program:
        name = program if program.endswith(".py") else program + ".py"
        path = os.path.join(code_dir, name)
        if not os.path.isfile(path):
            raise ModelLoadError(f"SAGEMAKER_PROGRAM is {program} but {path} does not exist")
        return path
    path = os.path.join(code_dir, DEFAULT_PROGRAM)
    if os.path.isfile(path):
        return path
    unnamed = _scripts_with_handlers(code_dir)
    if unnamed:
        # a script written for AWS's images that nothing names: serving the defaults would answer wrongly
        raise ModelLoadError(
            f"{unnamed[0]} defines inference functions but is not the entry point; name it with "
            f"SAGEMAKER_PROGRAM={os.path.basename(unnamed[0])} (what the SageMaker SDK sets for entry_point) "
            f"or rename it {DEFAULT_PROGRAM}"
        )
    return None


def _warn_if_the_model_ships_its_own(model_dir: str, container_script: str) -> None:
    """A model's own entry script is not what serves it when the container names one: say so."""
    for name in dict.fromkeys((os.path.basename(container_script), DEFAULT_PROGRAM)):
        own = os.path.join(model_dir, "code", name)
        if os.path.isfile(own):
            log.warning(
                "model %s ships %s, which is NOT used: the container-level script %s "
                "(SAGEMAKER_PROGRAM in SAGEMAKER_SUBMIT_DIRECTORY) serves every model, as in AWS's images",
                model_dir,
                own,
                container_script,
            )
            return


def resolve_container_code(env: Mapping[str, str], model_dir: str = SAGEMAKER_MODEL_DIR) -> Optional[str]:
    """Multi-model mode: the container-level code directory `SAGEMAKER_SUBMIT_DIRECTORY` names,
    resolved once at start (a sourcedir.tar.gz unpacked, its requirements.txt installed where an
    index is reachable) so that every worker's loads find the same script.

    Returns:
        The directory; an `s3://` value as given (each model's own `code/` must then hold the
        script, since nothing is downloaded); None when the variable is unset.

    Raises:
        ModelLoadError: a local value that is not a directory or sourcedir.tar.gz, or holds no script.
    """
    raw = _strip_file_scheme(env.get("SAGEMAKER_SUBMIT_DIRECTORY", "").strip())
    if not raw or _is_remote(raw):
        return raw or None
    code_dir = _submit_directory(raw, model_dir)
    if _script_in(code_dir, env.get("SAGEMAKER_PROGRAM", "").strip()) is None:
        raise ModelLoadError(
            f"SAGEMAKER_SUBMIT_DIRECTORY {raw} holds no {DEFAULT_PROGRAM}; name its entry script with SAGEMAKER_PROGRAM"
        )
    install_requirements(code_dir)
    return code_dir


def _scripts_with_handlers(code_dir: str) -> List[str]:
    pattern = re.compile(r"^def\s+(%s)\s*\(" % "|".join(HANDLER_FUNCTIONS), re.MULTILINE)
    found: List[str] = []
    try:
        names = sorted(os.listdir(code_dir))
    except OSError:
        return found
    for name in names:
        path = os.path.join(code_dir, name)
        if name.endswith(".py") and os.path.isfile(path):
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    if pattern.search(f.read()):
                        found.append(path)
            except OSError:
                continue
    return found


def import_script(path: str) -> ModuleType:
    """Import the user script; modules beside it import as they do in AWS's containers."""
    code_dir = os.path.dirname(path)
    install_requirements(code_dir)
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    # a unique module name per script: multi-model mode may hold several
    name = "modelapi_user_" + hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ModelLoadError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ModelLoadError(f"{path} failed to import: {type(exc).__name__}: {exc}", client_fault=False) from exc
    return module


def _index_reachable(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    if not parsed.hostname:
        return False
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=INDEX_PROBE_SECONDS):
            return True
    except OSError:
        return False


def install_requirements(code_dir: str) -> None:
    """Install `code_dir/requirements.txt` as AWS's toolkit does, where a package index is reachable.

    SageMaker endpoints often run without network access (network isolation is
    on by default here), so an unreachable index is logged, not fatal: the
    import that needs the package then fails /ping with its own message.
    """
    requirements = os.path.join(code_dir, "requirements.txt")
    if not os.path.isfile(requirements):
        return
    with open(requirements, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    if (requirements, digest) in _REQUIREMENTS_HANDLED:
        return  # installed (or logged as not installed) once: by this process, or before the worker forked
    _install(requirements, digest)
    _REQUIREMENTS_HANDLED.add((requirements, digest))


_REQUIREMENTS_HANDLED: Set[Tuple[str, str]] = set()


def _install(requirements: str, digest: str) -> None:
    index = os.environ.get("PIP_INDEX_URL", "").strip() or DEFAULT_INDEX
    bake = "bake the packages into the image (container/apt-packages.txt or container/requirements.txt)"
    if not _index_reachable(index):
        log.warning(
            "%s was NOT installed: no package index reachable at %s; %s or set PIP_INDEX_URL", requirements, index, bake
        )
        return
    if importlib.util.find_spec("pip") is None:
        log.warning("%s was NOT installed: pip is not available to this Python; %s", requirements, bake)
        return
    target = os.path.join(tempfile.gettempdir(), f"modelapi-requirements-{digest}")
    with _locked(target + ".lock"):
        if not os.path.isdir(target):
            log.info("installing %s from %s", requirements, index)
            staging = tempfile.mkdtemp(prefix=".requirements-", dir=tempfile.gettempdir())
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--target",
                    staging,
                    "-r",
                    requirements,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            if result.returncode != 0:
                raise ModelLoadError(f"installing {requirements} failed: {result.stdout.strip()[-500:]}")
            os.rename(staging, target)
    if target not in sys.path:
        sys.path.insert(0, target)


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
