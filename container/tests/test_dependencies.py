"""Every third-party module the server or its tests import comes from a Debian
package the project installs (container/apt-packages*.txt), so a fresh machine
runs the suite without anything installed by hand."""

import ast
import glob
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from conftest import CONTAINER


def declared(name):
    with open(os.path.join(CONTAINER, name)) as f:
        return {word for line in f for word in line.split("#", 1)[0].split()}


def imported_modules(paths):
    names = set()
    for path in paths:
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(distribution_module(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(distribution_module(node.module))
    return {name for name in names if name.split(".")[0] not in sys.stdlib_module_names}


def distribution_module(dotted):
    """The module a package ships: the top level, or one below for a namespace package such as
    `google` (several Debian packages share it; `google.protobuf` is python3-protobuf's)."""
    parts = dotted.split(".")
    if parts[0] in sys.stdlib_module_names or len(parts) == 1:
        return parts[0]
    spec = importlib.util.find_spec(parts[0])
    namespace = spec is not None and spec.origin is None and spec.submodule_search_locations is not None
    return ".".join(parts[:2]) if namespace else parts[0]


def owning_package(module):
    """The Debian package `module` comes from; None for the project's own modules."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, f"{module} is imported but not installed"
    if os.path.abspath(spec.origin).startswith(CONTAINER + os.sep):
        return None
    out = subprocess.run(["dpkg-query", "-S", spec.origin], capture_output=True, text=True)
    assert out.returncode == 0, f"{module} ({spec.origin}) comes from no Debian package: {out.stderr.strip()}"
    return out.stdout.split(":", 1)[0]


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="NOT CHECKED: needs Debian's dpkg-query")
@pytest.mark.parametrize(
    "sources, lists",
    [
        ("modelapi_serving/**/*.py", ("apt-packages.txt",)),
        ("tests/**/*.py", ("apt-packages.txt", "apt-packages-test.txt")),
    ],
)
def test_every_imported_package_is_declared(sources, lists):
    want = set().union(*(declared(name) for name in lists))
    paths = glob.glob(os.path.join(CONTAINER, sources), recursive=True)
    assert any(os.sep + "codecs" + os.sep in path for path in paths)  # the scan reaches the subpackages
    modules = imported_modules(paths)
    assert "numpy" in modules  # the scan found the imports
    missing = {m: p for m in sorted(modules) if (p := owning_package(m)) not in want and p is not None}
    assert not missing, f"imported but not in {' or '.join(lists)}: {missing}"
