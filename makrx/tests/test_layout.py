"""The layout of DESIGN.md §2, checked: packages by domain, small modules, one-way dependencies."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("makrx", "makerspace", "store", "bridge")
LAYERS = ("views", "serializers", "urls", "admin", "selectors", "services", "models", "tasks", "filters")
MAX_LINES = 700
LITERAL_MAX_LINES = 60


def _source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts:
                continue
            yield path


def test_no_layer_domain_files_beside_a_layer():
    pattern = re.compile(rf"^({'|'.join(LAYERS)})_[a-z_]+\.py$")
    offenders = [str(p.relative_to(ROOT)) for p in _source_files() if pattern.match(p.name)]
    assert offenders == [], f"make the layer a package with one module per domain: {offenders}"


def test_no_module_over_the_size_limit():
    too_long = {}
    for path in _source_files():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}, f"split by domain (limit {MAX_LINES} lines): {too_long}"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(("app", "forbidden"), [("store", "makerspace"), ("makerspace", "store")])
def test_store_and_makerspace_never_import_each_other(app, forbidden):
    offenders = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for module in _imported_modules(path):
            if module == forbidden or module.startswith(forbidden + "."):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_platform_core_imports_no_app():
    """makrx is the platform every app builds on: it never imports an app (settings and URLs name them as strings)."""
    offenders = []
    for path in _source_files():
        if path.relative_to(ROOT).parts[0] != "makrx":
            continue
        for module in _imported_modules(path):
            if module.split(".")[0] in ("makerspace", "store"):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def _is_literal(node) -> bool:
    if isinstance(node, ast.Constant | ast.Load):
        return True
    if isinstance(node, ast.List | ast.Tuple | ast.Dict | ast.Set | ast.UnaryOp):
        return all(_is_literal(child) for child in ast.iter_child_nodes(node) if child is not None)
    return isinstance(node, ast.unaryop)


def test_seed_catalogues_are_data_files():
    """Large literal catalogues live in data files, not Python modules (DESIGN.md §2)."""
    offenders = []
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.List | ast.Tuple | ast.Dict | ast.Set):
                span = node.end_lineno - node.lineno
                if span > LITERAL_MAX_LINES and all(_is_literal(child) for child in ast.iter_child_nodes(node)):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} ({span} lines of literal data)")
    assert offenders == []


# Modules in a layer that are shared helpers of that layer, not domains.
LAYER_HELPERS = {"__init__", "base", "common", "scope", "scoping", "access", "product_json", "schema", "filters"}


@pytest.mark.parametrize("app", ["makerspace", "store", "bridge"])
def test_layers_are_packages_named_by_the_same_domains(app):
    """A reader finds a thing by its name: the same domain module in every layer (DESIGN.md §2)."""
    base = ROOT / app
    layers = ("models", "services", "selectors", "admin", "api/views", "api/serializers")
    modules = {}
    for layer in layers:
        package = base / layer
        assert (package / "__init__.py").is_file(), f"{app}/{layer} is not a package"
        assert not (base / f"{layer}.py").exists(), f"{app}/{layer}.py beside the {layer}/ package"
        modules[layer] = {p.stem for p in package.glob("*.py")} - LAYER_HELPERS
    domains = modules["models"] | modules["services"]
    for layer in ("selectors", "admin", "api/views", "api/serializers"):
        assert modules[layer] <= domains, f"{app}/{layer} has modules named after no domain: {modules[layer] - domains}"
    assert modules["api/views"] == modules["api/serializers"]


def _adapter_packages(app: str):
    """Sub-packages of ``<app>/api/`` other than its own layers: adapters for an earlier client's paths and
    shapes (``store/api/legacy/``), beside the v1 API."""
    api = ROOT / app / "api"
    for path in sorted(api.iterdir()):
        if path.is_dir() and (path / "__init__.py").is_file() and path.name not in ("views", "serializers"):
            yield path


@pytest.mark.parametrize("app", ["makerspace", "store"])
def test_api_adapters_are_laid_out_by_the_apps_domains(app):
    """An adapter is the one allowed package inside ``api/``; it follows the same rule as the app's layers: its
    ``views/`` and ``serializers/`` are packages with one module per domain of the app, the same names in both."""
    base = ROOT / app
    domains = {p.stem for layer in ("models", "services") for p in (base / layer).glob("*.py")} - LAYER_HELPERS
    for adapter in _adapter_packages(app):
        name = adapter.relative_to(ROOT)
        modules = {}
        for layer in ("views", "serializers"):
            assert (adapter / layer / "__init__.py").is_file(), f"{name}/{layer} is not a package"
            modules[layer] = {p.stem for p in (adapter / layer).glob("*.py")} - LAYER_HELPERS
            assert modules[layer] <= domains, f"{name}/{layer} has modules named after no domain"
        assert modules["views"] == modules["serializers"], f"{name}: views and serializers name different domains"
        assert (adapter / "urls.py").is_file(), f"{name} has no urls.py"
