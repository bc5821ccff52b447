"""The house rules, read from the code so that they stay true.

* Imports only point down the layers of :data:`LAYERS` (module-level imports
  and imports inside functions alike), and no modules import each other in a
  circle. The package root is a lazy facade over the layers: only the command
  line, above it, imports it.
* The command line calls the public API only: every name it imports from
  another part of fluxasn is in that module's ``__all__``, and every
  ``fluxasn.<name>`` it uses is in ``fluxasn.__all__``.
* No module is longer than :data:`MAX_LINES` lines unless its docstring says
  why (a paragraph starting "Why one module:").
* Every third-party library the package imports is declared in setup.cfg.
* Broad ``except Exception`` appears only at the command-line boundary (or
  to clean up and re-raise).
* ``import fluxasn`` loads neither cobra nor pandas (names are imported when
  first used).
"""
from __future__ import annotations

import ast
import configparser
import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "fluxasn"

#: Layers from the ground up: a module may import modules of its own layer or below.
LAYERS: Tuple[Tuple[str, ...], ...] = (
    ("fluxasn.exceptions", "fluxasn._version", "fluxasn.config", "fluxasn.progress"),
    ("fluxasn.io",),
    ("fluxasn.core", "fluxasn.views"),
    ("fluxasn.lp", "fluxasn._parallel"),
    ("fluxasn.analysis", "fluxasn.isotope"),
    ("fluxasn.report",),
    ("fluxasn.cli",),
)

#: Longest module without a written reason.
MAX_LINES = 600

#: Import name -> distribution, where they differ.
DISTRIBUTIONS = {"yaml": "pyyaml", "libsbml": "python-libsbml", "distributed": "dask", "ruamel": "ruamel.yaml"}


def _modules() -> Dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1]) if parts[-1] == "__init__" else ".".join(parts)
        out[name] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str:
    """The module an import of ``name`` loads (the longest known prefix)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(path: Path) -> List[Tuple[str, List[str], int]]:
    """(module, imported names, line) of every fluxasn import in a file, at any depth.

    Imports under ``if TYPE_CHECKING:`` are left out (they never run).
    """
    tree = ast.parse(path.read_text())
    skip: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "fluxasn":
                    found.append((alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "fluxasn":
                continue
            names = [a.name for a in node.names]
            submodules = [n for n in names if f"{node.module}.{n}" in MODULES]
            for name in submodules:  # "from fluxasn.analysis import readouts" imports a module
                found.append((f"{node.module}.{name}", [], node.lineno))
            names = [n for n in names if n not in submodules]
            if names or not submodules:
                found.append((node.module, names, node.lineno))
    return found


def _layer(module: str) -> int:
    best, level = -1, None
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), number
    return level


def _graph() -> Dict[str, Set[str]]:
    graph: Dict[str, Set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for target, _, _ in _imports(path):
            resolved = _resolve(target)
            if resolved and resolved != module:
                graph[module].add(resolved)
    return graph


def test_every_module_has_a_layer():
    missing = sorted(m for m in MODULES if m != "fluxasn" and _layer(m) is None)
    assert not missing, f"modules outside every layer of LAYERS: {missing}"


def test_imports_only_point_down():
    upward = []
    for module, path in MODULES.items():
        if module == "fluxasn":
            continue  # the lazy facade: checked by test_root_imports_only_the_ground_floor
        for target, _, line in _imports(path):
            resolved = _resolve(target)
            if resolved == "fluxasn" and not module.startswith("fluxasn.cli"):
                upward.append(f"{path.relative_to(REPO)}:{line} imports the package root")
            elif resolved == "fluxasn":
                continue  # the command line is the one layer above the public facade
            elif _layer(resolved) > _layer(module):
                upward.append(f"{path.relative_to(REPO)}:{line} ({module}, layer {_layer(module)}) imports "
                              f"{resolved} (layer {_layer(resolved)})")
    assert not upward, "imports that point up:\n" + "\n".join(upward)


def test_root_imports_only_the_ground_floor():
    ground = set(LAYERS[0])
    eager = [t for t, _, _ in _imports(MODULES["fluxasn"]) if t != "fluxasn"]
    assert set(eager) <= ground, eager


def test_no_import_circle():
    graph = _graph()
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    circles: List[List[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    assert not circles, f"modules that import each other in a circle: {circles}"


def test_the_command_line_calls_the_public_api_only():
    import fluxasn

    private = []
    for module, path in MODULES.items():
        if not module.startswith("fluxasn.cli"):
            continue
        for target, names, line in _imports(path):
            if target.startswith("fluxasn.cli") or target == "fluxasn":
                continue
            exported = set(getattr(importlib.import_module(target), "__all__", ()))
            for name in names:
                if name not in exported:
                    private.append(f"{path.relative_to(REPO)}:{line}: {target}.{name} is not in its __all__")
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "fluxasn" and node.attr not in fluxasn.__all__):
                private.append(f"{path.relative_to(REPO)}:{node.lineno}: fluxasn.{node.attr} is not public")
    assert not private, "\n".join(private)


def test_no_module_is_long_without_a_reason():
    long = []
    for module, path in MODULES.items():
        lines = len(path.read_text().splitlines())
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        if lines > MAX_LINES and "Why one module:" not in doc:
            long.append(f"{path.relative_to(REPO)}: {lines} lines")
    assert not long, f"modules over {MAX_LINES} lines without a reason at the top: {long}"


def _declared() -> Set[str]:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    text = config["options"]["install_requires"]
    for extra in config["options.extras_require"].values():
        text += "\n" + extra
    names = set()
    for line in text.splitlines():
        line = line.split(";")[0].strip()
        if line:
            names.add(re.split(r"[<>=!~\[ ]", line, maxsplit=1)[0].lower())
    return names


def test_every_imported_library_is_declared():
    stdlib = set(sys.stdlib_module_names)
    used: Dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                tops = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top not in stdlib and top != "fluxasn":
                    used.setdefault(top, f"{path.relative_to(REPO)}:{node.lineno}")
    declared = _declared()
    undeclared = {name: where for name, where in used.items()
                  if DISTRIBUTIONS.get(name, name).lower() not in declared}
    assert not undeclared, f"imported but not declared in setup.cfg: {undeclared}"


def test_broad_excepts_only_at_the_command_line():
    broad = []
    for module, path in MODULES.items():
        if module == "fluxasn.cli":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler):
                names = ast.unparse(node.type) if node.type is not None else "everything"
                reraises = any(isinstance(s, ast.Raise) and s.exc is None for s in node.body)
                if names in ("Exception", "BaseException", "everything") and not reraises:
                    broad.append(f"{path.relative_to(REPO)}:{node.lineno}: except {names}")
    assert not broad, "\n".join(broad)


def test_import_fluxasn_loads_no_heavy_library():
    code = ("import sys, fluxasn; heavy = [m for m in ('cobra', 'pandas', 'numpy', 'pyarrow', 'highspy', "
            "'swiglpk', 'scipy') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import fluxasn loaded {out.stdout.strip()}"


@pytest.mark.parametrize("name", ["fva", "knockout_screen", "prepare_model", "run_scenarios", "fit_13c"])
def test_lazy_names_resolve_to_their_modules(name):
    import fluxasn

    value = getattr(fluxasn, name)
    assert value.__name__ == name and name in dir(fluxasn)


def test_every_result_is_a_result_view():
    """A class with ``to_frame`` is a result: it derives from the one view base, which renders it."""
    from fluxasn.views import ResultView

    outside = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name != "ResultView" and any(
                    isinstance(item, ast.FunctionDef) and item.name == "to_frame" for item in node.body):
                cls = getattr(importlib.import_module(module), node.name)
                defined = {name for name in ("__str__", "_repr_html_") if name in vars(cls)}
                if not issubclass(cls, ResultView) or defined - {"_repr_html_"} or (
                        "_repr_html_" in defined and node.name != "FluxReport"):
                    outside.append(f"{module}.{node.name}")
    assert not outside, f"results that do not use fluxasn.views.ResultView (or render themselves): {outside}"
