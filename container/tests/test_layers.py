"""The package's layers hold: each imports only from the layers below it, and each module stays small enough
to hold one concern (container/README.md, "Layout")."""

import ast
import glob
import os

import pytest

from conftest import CONTAINER

PACKAGE = os.path.join(CONTAINER, "modelapi_serving")
MAX_MODULE_LINES = 300

# what each part of the package may import from the package itself
ALLOWED = {
    "http": {"http", "errors"},
    "codecs": {"codecs", "http", "contract", "errors"},
    "models": {"models", "codecs", "http", "contract", "errors"},
    "app": {"app", "models", "codecs", "http", "config", "contract", "errors"},
}


def package_imports(path, root=PACKAGE):
    """The top-level parts of the package that the module at `path` imports (relative imports resolved)."""
    part_of = os.path.relpath(path, root).split(os.sep)
    here = part_of[:-1]  # the module's package, relative to the server package
    found = set()
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
            target = base + (node.module.split(".") if node.module else [])
            if target:
                found.add(target[0])
            else:  # `from . import x` at the top of the package
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("modelapi_serving"):
            found.add(node.module.split(".")[1])
    return {name.removesuffix(".py") for name in found}


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(part):
    paths = glob.glob(os.path.join(PACKAGE, part, "*.py")) or [os.path.join(PACKAGE, part + ".py")]
    assert paths and all(os.path.exists(p) for p in paths)
    for path in paths:
        extra = package_imports(path) - ALLOWED[part]
        assert not extra, f"{os.path.relpath(path, CONTAINER)} imports {sorted(extra)}"


def test_the_check_sees_a_forbidden_import(tmp_path):
    layer = tmp_path / "http"
    layer.mkdir()
    (layer / "bad.py").write_text("from ..codecs import decode\nfrom . import parser\n")
    assert package_imports(str(layer / "bad.py"), root=str(tmp_path)) == {"codecs", "http"}


def modules_over(limit, root=PACKAGE):
    """`path: lines` for each Python module under `root` longer than `limit` lines."""
    over = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*.py"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            lines = sum(1 for _ in f)
        if lines > limit:
            over.append(f"{os.path.relpath(path, CONTAINER)}: {lines}")
    return over


def test_no_server_module_is_over_300_lines():
    assert glob.glob(os.path.join(PACKAGE, "**", "*.py"), recursive=True)
    over = modules_over(MAX_MODULE_LINES)
    assert not over, f"split these by concern: {', '.join(over)}"


def test_the_size_check_names_a_long_module(tmp_path):
    (tmp_path / "http").mkdir()
    (tmp_path / "http" / "long.py").write_text("x = 1\n" * 301)
    (tmp_path / "short.py").write_text("x = 1\n" * 300)
    assert [entry.split(os.sep)[-2:] for entry in modules_over(300, root=str(tmp_path))] == [["http", "long.py: 301"]]
