"""The invariants of docs/architecture.md, checked on the import graph of ``server/texgrad``.

The graph is read with ``ast``, so every import counts: those inside functions (which hide a
circle from Python's own import order) and those under ``if TYPE_CHECKING:`` alike.

- no circles: no strongly connected component of more than one module;
- imports run only downward between layers (``LAYERS``; a module may import its own layer);
- only ``protocol/`` imports the LSP libraries (pygls, lsprotocol).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "server"
PACKAGE = SOURCE / "texgrad"

# Bottom to top: each layer may import the layers before it, never those after. A module is in
# the layer of the longest prefix listed here (``texgrad.syntax.tree`` in ``texgrad.syntax``).
LAYERS: list[tuple[str, ...]] = [
    # Shared by every layer, importing nothing of texgrad: the version and the settings schema
    # (read by the fronts; analysis gets plain values), the server's stop points, where the
    # caches live, case-folded search, the bytecode of dataclasses' methods,
    # imports without the cyclic collector.
    (
        "texgrad",
        "texgrad.dataclass_code",
        "texgrad.regex_code",
        "texgrad.collector",
        "texgrad.settings",
        "texgrad.stop_points",
        "texgrad.cache_folder",
        "texgrad.casefold",
    ),
    ("texgrad.reading",),  # files -> math regions with offsets
    ("texgrad.syntax",),  # one row -> a typed tree
    ("texgrad.shapes",),  # trees -> declarations, shapes, diagnostics
    ("texgrad.calculus",),  # trees -> derivatives
    # The fronts, in the order they build on each other: the server's analysis state, the
    # language server on top of it, the command line that can start it.
    ("texgrad.workspace",),
    ("texgrad.protocol",),
    (
        "texgrad.cli",
        "texgrad.cli_errors",
        "texgrad.cli_check_cache",
        "texgrad.cli_parallel",
        "texgrad.report_formats",
        "texgrad.__main__",
    ),
]

LSP_LIBRARIES = ("pygls", "lsprotocol")
LSP_PACKAGE = "texgrad.protocol"


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (of texgrad), or the top-level name of another package
    where: str  # path:line

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.target}"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        mods[".".join(parts)] = path
    return mods


def _imports(mods: dict[str, Path]) -> list[Import]:
    """Every import statement of the package, anywhere in a module, as edges: to the texgrad
    module it names (``from texgrad.syntax import tree`` is ``texgrad.syntax.tree``), or to the
    top-level name of another package."""

    def known(name: str) -> str:
        while name not in mods:  # a name inside a module: the module
            name = name.rpartition(".")[0]
        return name

    found: list[Import] = []
    for module, path in mods.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        where = path.relative_to(REPO).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolved against the importing package
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in mods else base
                    for alias in node.names
                ]
            for target in targets:
                top = target.split(".")[0]
                target = known(target) if top == "texgrad" else top
                if target != module:
                    found.append(Import(module, target, f"{where}:{node.lineno}"))
    return list(dict.fromkeys(found))  # one edge per statement and target


MODULES = _modules()
IMPORTS = _imports(MODULES)
INTERNAL = [i for i in IMPORTS if i.target in MODULES]


def layer(module: str) -> int:
    """The index in ``LAYERS`` of the longest prefix that holds ``module`` (-1: none does);
    the root package holds only itself, so a new top-level module must be placed."""
    held = [
        (len(prefix), i)
        for i, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or (prefix != "texgrad" and module.startswith(prefix + "."))
    ]
    return max(held)[1] if held else -1


def _components(nodes: list[str], edges: list[Import]) -> list[set[str]]:
    """Strongly connected components (Tarjan, iterative: no recursion limit to meet)."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for e in edges:
        succ[e.source].append(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(succ[node]):
                work.append((node, i + 1))
                nxt = succ[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                comp = set()
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.add(top)
                    if top == node:
                        break
                out.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def _circles() -> list[set[str]]:
    return [c for c in _components(sorted(MODULES), INTERNAL) if len(c) > 1]


def test_the_graph_is_read() -> None:
    # A guard for the test itself: imports inside functions are seen, relative ones resolved.
    assert len(MODULES) > 30
    pairs = {(i.source, i.target) for i in INTERNAL}
    assert ("texgrad.cli", "texgrad.settings") in pairs  # inside a function today
    assert ("texgrad.protocol.server", "texgrad.protocol.convert") in pairs  # `from .convert`
    assert any(i.target == "pygls" for i in IMPORTS)


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in MODULES if layer(m) < 0)
    assert not missing, f"modules in no layer of LAYERS (add them where they belong): {missing}"


def test_no_circles() -> None:
    # Imports inside functions count: a circle hidden behind one is still a circle (issue 12
    # removed the last three with a shared type in its own module, features registered from
    # one place, and diagnostics published through a callback).
    circles = _circles()
    lines = []
    for circle in circles:
        lines.append(" <-> ".join(sorted(circle)) + ", through:")
        lines += [f"  {i}" for i in INTERNAL if i.source in circle and i.target in circle]
    assert not circles, "import circles:\n" + "\n".join(lines)


def test_imports_run_only_downward() -> None:
    upward = [
        f"{i}  (layer {layer(i.target)} {LAYERS[layer(i.target)][0]!r} is above "
        f"layer {layer(i.source)} {LAYERS[layer(i.source)][0]!r})"
        for i in INTERNAL
        if layer(i.target) > layer(i.source)
    ]
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_only_the_protocol_imports_lsp_libraries() -> None:
    outside = [
        str(i)
        for i in IMPORTS
        if i.target in LSP_LIBRARIES
        and not (i.source == LSP_PACKAGE or i.source.startswith(LSP_PACKAGE + "."))
    ]
    assert not outside, f"{'/'.join(LSP_LIBRARIES)} imported outside protocol/:\n" + "\n".join(
        outside
    )


def test_the_module_map_names_every_module_once() -> None:
    """docs/architecture.md's module map has one line per module of the package, so a new module
    cannot land without its line, and a removed one leaves no stale line."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    mapped: list[str] = []
    folder = ""
    for line in text.split("## Module map", 1)[1].splitlines():
        if line.startswith("### "):
            folder = line.split("`")[1] if "`" in line else ""
        elif line.startswith("| `"):
            mapped.append(folder + line.split("`")[1] + ".py")
    present = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py"
    )
    assert sorted(mapped) == present
