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

import hashlib
import importlib.util
import logging
import os
import re
import sys
import tarfile
import tempfile
import urllib.parse
from types import ModuleType
from typing import List, Mapping, Optional

from .file_lock import locked
from .loading import ModelLoadError
from .requirements import install_requirements

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
    with locked(target + ".lock"):
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
