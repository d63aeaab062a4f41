"""The store's layout (DESIGN.md §2): layers are packages by domain, no `<layer>_<domain>.py` beside a layer,
no module over 700 lines, and the same module names in every layer that holds a domain."""

from __future__ import annotations

from pathlib import Path

STORE = Path(__file__).resolve().parent.parent
LAYERS = ("models", "services", "selectors", "admin", "api/views", "api/serializers", "api/urls", "tasks", "views")
MAX_LINES = 700
DOMAINS = {"catalog", "stock", "cart", "checkout", "orders", "payments"}


def _modules() -> list[Path]:
    return [p for p in STORE.rglob("*.py") if "migrations" not in p.parts and "tests" not in p.parts]


def test_no_layer_domain_file_beside_a_layer():
    offenders = []
    for path in _modules():
        relative = path.relative_to(STORE).with_suffix("").as_posix()
        for layer in LAYERS:
            head, _, name = layer.rpartition("/")
            folder = path.parent.relative_to(STORE).as_posix()
            if folder == (head or ".") and path.stem.startswith(f"{name}_"):
                offenders.append(relative)
    assert offenders == []


def test_no_store_module_exceeds_700_lines():
    too_long = {
        path.relative_to(STORE).as_posix(): lines
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_layers_are_packages_named_by_the_same_domains():
    for layer in ("models", "services", "selectors", "admin", "api/views", "api/serializers"):
        package = STORE / layer
        assert (package / "__init__.py").is_file(), layer
        assert not (STORE / f"{layer}.py").exists(), f"{layer}.py beside the {layer}/ package"
        domains = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
        assert domains, layer
        # Every module of a layer is a domain, or (services/selectors) a named helper of one.
        assert domains & DOMAINS, (layer, domains)
    views = {p.stem for p in (STORE / "api/views").glob("*.py")} - {"__init__"}
    serializers = {p.stem for p in (STORE / "api/serializers").glob("*.py")} - {"__init__"}
    assert views == serializers


def test_seed_catalogue_is_a_data_file():
    assert not (STORE / "seed_catalog.py").exists()
    assert (STORE / "seed_data" / "catalog.json").is_file()
