"""The layers hold their written order (docs/architecture.md): an import walk over every module.

Each module of `backcast` belongs to one layer and imports only from its own layer and those below.
`web`, `api` and `cli` stand side by side and never import each other; routes in `web` and `api`
neither commit, publish nor write to a database session: every change goes through a service.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "backcast"

# Bottom to top. A module may import from its own layer and every layer listed before it. A new
# top-level module or package must be placed here (and in docs/architecture.md).
LAYERS: list[tuple[str, set[str]]] = [
    (
        "foundation",
        {
            "backcast",
            "paths",
            "enums",
            "i18n",
            "settings",
            "defaults",
            "credentials",
            "events",
            "models",
            "db",
            "migrate",
            "network",
            "serving",
        },
    ),
    ("services", {"services", "workshop_templates", "ratelimit"}),
    ("reading", {"analysis", "queries", "export"}),
    ("live", {"live", "demo"}),
    ("http", {"http"}),
    ("front ends", {"web", "api", "cli", "docsgen"}),
    ("application", {"app"}),
]
LAYER_OF: dict[str, int] = {unit: rank for rank, (_, units) in enumerate(LAYERS) for unit in units}
FRONT_ENDS = {"web", "api", "cli"}
# The core: the domain, which knows nothing of HTTP, templates or live delivery.
CORE = LAYERS[0][1] | LAYERS[1][1] | LAYERS[2][1]
NOT_IN_CORE = {"web", "api", "live", "http", "app", "cli", "fastapi", "starlette", "jinja2"}
# Calls that change the database or tell listeners: only services (and db, live) make them.
WRITES = {"commit", "flush", "publish", "will_publish", "write", "write_together", "add_all", "merge"}
SESSION_WRITES = {"add", "delete", "execute"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    line: int
    target: str  # the imported module (or module.name), dotted

    @property
    def where(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return found


def imports_of(name: str, tree: ast.Module) -> list[Import]:
    """Every import in the module, at any depth (an import inside a function counts too)."""
    package = name if name in _PACKAGES else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(name, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package upwards
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found += [Import(name, node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


_PACKAGES = {".".join(path.relative_to(PACKAGE.parent).parts[:-1]) for path in PACKAGE.rglob("__init__.py")}


def unit(dotted: str) -> str:
    """The layer unit a dotted name belongs to: `backcast.web.deps` → `web`, `fastapi.x` → `fastapi`."""
    parts = dotted.split(".")
    if parts[0] != "backcast":
        return parts[0]
    return parts[1] if len(parts) > 1 and parts[1] != "__version__" else "backcast"


ALL = modules()
EDGES = [edge for name, tree in ALL.items() for edge in imports_of(name, tree)]


def test_every_module_has_a_layer() -> None:
    missing = sorted({unit(name) for name in ALL} - set(LAYER_OF))
    assert not missing, f"place these in LAYERS here and in docs/architecture.md: {missing}"


def test_no_module_imports_from_a_layer_above_it() -> None:
    upward = [
        edge.where
        for edge in EDGES
        if edge.target.startswith("backcast")
        and LAYER_OF.get(unit(edge.target), 0) > LAYER_OF.get(unit(edge.module), 0)
    ]
    assert not upward, "\n".join(upward)


def test_the_core_knows_nothing_of_http_templates_or_live_delivery() -> None:
    leaks = [
        edge.where
        for edge in EDGES
        if unit(edge.module) in CORE
        and (unit(edge.target) if edge.target.startswith("backcast") else edge.target.split(".")[0])
        in NOT_IN_CORE
    ]
    assert not leaks, "\n".join(leaks)


def test_front_ends_never_import_each_other() -> None:
    crossing = [
        edge.where
        for edge in EDGES
        if unit(edge.module) in FRONT_ENDS
        and unit(edge.target) in FRONT_ENDS
        and unit(edge.target) != unit(edge.module)
        and edge.target.startswith("backcast")
    ]
    assert not crossing, "\n".join(crossing)


def _route_modules() -> set[str]:
    """Web modules that define a `router`: pages, which share helpers through `web.deps` and
    friends but never import one another (the application puts them together)."""
    routes = set()
    for name, tree in ALL.items():
        if unit(name) != "web":
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(target, ast.Name) and target.id == "router" for target in targets):
                routes.add(name)
    return routes


def test_web_route_modules_do_not_import_each_other() -> None:
    routes = _route_modules()
    assert "backcast.web.console" in routes and "backcast.web.phone" in routes  # the walk sees them
    crossing = [
        edge.where
        for edge in EDGES
        if edge.module in routes
        and any(
            edge.target == route or edge.target.startswith(route + ".") for route in routes - {edge.module}
        )
    ]
    assert not crossing, "\n".join(crossing)


def _receiver(call: ast.Call) -> str:
    """The dotted text of what a method is called on: `tx.session` for `tx.session.add(x)`."""
    assert isinstance(call.func, ast.Attribute)
    return ast.unparse(call.func.value)


@pytest.mark.parametrize("front_end", ["web", "api"])
def test_routes_neither_commit_publish_nor_write_a_session(front_end: str) -> None:
    found = []
    for name, tree in ALL.items():
        if unit(name) != front_end:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method, receiver = node.func.attr, _receiver(node)
            session = receiver == "session" or receiver.endswith(".session") or receiver == "tx"
            # `request.session` is the signed cookie, not the database.
            if receiver.endswith("request.session") or receiver == "request.session":
                continue
            if method in WRITES or (method in SESSION_WRITES and session):
                found.append(f"{name}:{node.lineno} calls {receiver}.{method}()")
    assert not found, "\n".join(found)
