"""A user script's `requirements.txt`, installed as AWS's inference toolkit does where a package
index is reachable, and logged as not installed where none is.
"""

import hashlib
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import tempfile
import urllib.parse
from typing import Set, Tuple

from .file_lock import locked
from .loading import ModelLoadError

# the entry script's logger: installing its requirements is part of loading it
log = logging.getLogger("modelapi.entrypoint")

DEFAULT_INDEX = "https://pypi.org/simple"
INDEX_PROBE_SECONDS = 3


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
    with locked(target + ".lock"):
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
