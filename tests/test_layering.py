"""The import contracts in pyproject.toml ([tool.importlinter], checked by `lint-imports` in `make test`) only
bind the modules they name. These tests make sure no module escapes them: every module of refugio sits in
exactly one layer, and the pure algorithms are the lowest layer."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "refugio"


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def _layers() -> list[list[str]]:
    return [[name.strip() for name in layer.split(":")] for layer in _contracts()["layers"]["layers"]]


def _modules() -> list[str]:
    """Every module and package of refugio (data directories such as templates hold no Python)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append(".".join(parts))
    return sorted(found)


def _layer_of(module: str, layers: list[list[str]]) -> list[int]:
    return [i for i, layer in enumerate(layers) for name in layer if module == name or module.startswith(name + ".")]


def uncovered(modules: list[str], layers: list[list[str]]) -> list[str]:
    """Modules in no layer; a package whose modules are all placed (refugio.people) needs no layer itself."""
    placed = {m for m in modules if _layer_of(m, layers)}
    return [m for m in modules if m not in placed and not any(p.startswith(m + ".") for p in placed)]


def test_every_module_is_in_a_layer() -> None:
    assert uncovered(_modules(), _layers()) == []


def test_no_module_is_in_two_layers() -> None:
    layers = _layers()
    assert [m for m in _modules() if len(_layer_of(m, layers)) > 1] == []


def test_every_layer_name_is_a_module() -> None:
    modules = set(_modules())
    assert [name for layer in _layers() for name in layer if name not in modules] == []


def test_the_pure_modules_are_the_lowest_layer() -> None:
    assert sorted(_layers()[-1]) == sorted(_contracts()["pure"]["source_modules"])


def test_a_new_module_must_be_placed() -> None:
    assert uncovered([*_modules(), "refugio.people.newcomer"], _layers()) == ["refugio.people.newcomer"]
