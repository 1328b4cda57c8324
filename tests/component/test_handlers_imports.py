"""handlers/ holds the rules; the runtime's libraries stay in bot/, which hands handlers what
they need (a chat driver's events, the checked routing file, a report renderer). The check reads
every file under handlers/ with Python's own parser, so an import inside a function counts."""

import ast
from collections.abc import Iterator
from pathlib import Path

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
RUNTIME_LIBRARIES = frozenset(
    {"aiogram", "telegram", "matplotlib", "openpyxl", "pydantic", "pydantic_settings"}
)
"""Chat drivers, chart and workbook rendering, settings and the routing file's schema."""


def imported_modules(source: str) -> Iterator[str]:
    """Every absolute module an ``import`` or ``from … import`` in ``source`` names."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            yield node.module


def test_no_module_under_handlers_imports_a_runtime_library() -> None:
    files = sorted(HANDLERS.rglob("*.py"))
    assert HANDLERS / "routing.py" in files and HANDLERS / "report_files.py" in files
    offending = [
        f"{path.relative_to(HANDLERS.parent)}: {module}"
        for path in files
        for module in imported_modules(path.read_text(encoding="utf-8"))
        if module.partition(".")[0] in RUNTIME_LIBRARIES
    ]
    assert offending == []


def test_the_check_sees_imports_inside_functions_and_from_submodules() -> None:
    source = "def draw():\n    from matplotlib.figure import Figure\n    import openpyxl.styles\n"
    assert list(imported_modules(source)) == ["matplotlib.figure", "openpyxl.styles"]


CORE = ("domain", "usecases")
"""The layers every door shares: they reach the outside world only through the ports."""
OUTSIDE = frozenset({"storage", "bot", "sqlmodel", "sqlalchemy", "asyncpg", "aiosqlite"})


def reaches_outside_the_core(module: str) -> bool:
    """Storage, the runtime, a database library, or a chat-side module of ``handlers``."""
    top, _, rest = module.partition(".")
    if top == "handlers":
        return not rest.startswith(("domain", "usecases", "ports"))
    return top in OUTSIDE | RUNTIME_LIBRARIES


def test_the_domain_and_the_use_cases_import_no_storage_and_no_chat() -> None:
    files = sorted(
        [path for layer in CORE for path in (HANDLERS / layer).rglob("*.py")]
        + list(HANDLERS.glob("ports*.py"))
    )
    assert HANDLERS / "domain" / "cases.py" in files and HANDLERS / "ports.py" in files
    offending = [
        f"{path.relative_to(HANDLERS.parent)}: {module}"
        for path in files
        for module in imported_modules(path.read_text(encoding="utf-8"))
        if reaches_outside_the_core(module)
    ]
    assert offending == []
