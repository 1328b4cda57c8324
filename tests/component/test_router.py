"""The router and the due-work table are the whole list: every command the bot tells people
about is routed, and every kind of due task the code schedules has a handler."""

import ast
import importlib
import inspect
import re
from pathlib import Path

from handlers import menu
from handlers.due_work import build_due_work
from handlers.router import CANCEL, build_router

ROOT = Path(__file__).resolve().parents[2]
SCHEDULERS = {"schedule", "schedule_once"}
"""``storage.due``'s functions that plan a task; the kind is their second argument."""
COMMAND = re.compile(r"(?<![\w/<])/([a-z]+)\b")


def routed_commands() -> set[str]:
    router = build_router()
    return {*router.commands, *router.worker_commands, CANCEL}


def readme_commands() -> set[str]:
    """The commands the README's guides for workers and staff name (its sections before
    "Running it for real"; the console's and BotFather's commands come elsewhere)."""
    readme = (ROOT / "README.md").read_text()
    guides = readme[readme.index("## What a worker can do") : readme.index("## Running it")]
    return {name for code in re.findall(r"`([^`]*)`", guides) for name in COMMAND.findall(code)}


def test_every_command_the_readme_names_is_routed() -> None:
    named = readme_commands()
    assert {"start", "report", "cases", "file", "invite", "join", "cancel"} <= named
    assert named <= routed_commands()


def test_every_command_help_names_is_routed() -> None:
    named = set(COMMAND.findall(inspect.getsource(menu.show_help)))
    assert named and named <= routed_commands()


def test_no_table_hides_an_entry_of_another() -> None:
    """A private chat's command or button that any chat's table also names would never run."""
    router = build_router()
    assert not set(router.commands) & set(router.worker_commands)
    assert not set(router.presses) & set(router.worker_presses)


def scheduled_kinds() -> set[str]:
    """The kind of every task ``handlers`` and ``storage`` plan, read from the call sites —
    ``schedule(session, KIND, …)``, the ``DueWriter`` port's ``due.schedule(KIND, …)`` or the
    ``ConsultationBook`` port's ``consultations.plan(KIND, …)`` —: a module constant, or a loop
    over a module constant's keys (``for kind, ahead in REMINDERS.items()``)."""
    kinds: set[str] = set()
    for path in (*(ROOT / "handlers").rglob("*.py"), *(ROOT / "storage").rglob("*.py")):
        tree = ast.parse(path.read_text())
        loops = {
            loop.target.elts[0].id: loop.iter
            for loop in ast.walk(tree)
            if isinstance(loop, ast.For | ast.AsyncFor)
            and isinstance(loop.target, ast.Tuple)
            and isinstance(loop.target.elts[0], ast.Name)
        }
        calls = [
            (call, call.args[1])
            for call in ast.walk(tree)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id in SCHEDULERS
        ] + [
            (call, call.args[0])
            for call in ast.walk(tree)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and (call.func.value.id, call.func.attr)
            in (("due", "schedule"), ("consultations", "plan"))
            and isinstance(call.args[0], ast.Name)
            # a kind's constant or a loop's, not a repository passing one on
            and (call.args[0].id.isupper() or call.args[0].id in loops)
        ]
        if not calls:
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for call, kind in calls:
            where = f"{path.name}:{call.lineno}"
            assert isinstance(kind, ast.Name), f"{where}: the kind is not a name"
            if hasattr(module, kind.id):
                kinds.add(getattr(module, kind.id))
                continue
            source = loops[kind.id]
            assert isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute), where
            assert isinstance(source.func.value, ast.Name), where
            kinds.update(getattr(module, source.func.value.id))
    return kinds


def test_every_kind_of_due_task_the_code_schedules_has_a_handler() -> None:
    kinds = scheduled_kinds()
    assert {"deadline", "consultation_2h", "survey", "retention"} <= kinds
    assert kinds == set(build_due_work())
