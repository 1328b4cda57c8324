"""The console as a newcomer meets it: started from any directory, quit at once, and what it
prints for staff chats labelled with the chat, after the worker's own messages."""

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = [
    "2",  # English
    "1",  # report unpaid wages
    "1",  # I agree to the privacy notice
    "Wang Wu",
    "13812345678",
    "1",  # Anding
    "1",  # construction
    "Xijiang Co-op",
    "Greenhouse repair",
    "Xijiang village",
    "19.5万",  # a hard case: escalated to the leaders and the supervisors at once
    "12人",
    "2022-05",
    "We were not paid.",
    "1",  # skip evidence
]
GOODBYE = "Bye. Your chat is kept: run arrears-bot console again to go on."
SETUP = [sys.executable, "-c", "from setuptools import setup; setup()", "-q"]


def console(
    cwd: Path, lines: list[str], pythonpath: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        cwd=cwd,
        env={"PYTHONPATH": str(pythonpath)},
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_staff_copies_are_labelled_with_their_chat_and_follow_the_workers_confirmation(
    tmp_path: Path,
) -> None:
    out = console(tmp_path, [*REPORT, "13"]).stdout  # 13: submit
    confirmation = out.index("Your report was received")
    alert = out.index("===== to department chat 安定区住房和城乡建设局")
    leaders = out.index("===== to county leaders' chat 安定区 (-1001000001900)")
    supervisors = out.index("===== to supervisors' chat (纪委监委) (-1001000000002)")
    assert confirmation < min(alert, leaders, supervisors)
    assert "[✋ 接办] [📞 联系方式]" in out[alert:]
    assert "to department chat -" not in out


def test_end_of_input_and_quit_end_the_console_with_a_goodbye(tmp_path: Path) -> None:
    ended = console(tmp_path, ["2"])
    quitted = console(tmp_path, ["2", "/quit", "this line is never read"])
    for result in (ended, quitted):
        assert result.returncode == 0, result.stderr
        assert result.stdout.rstrip().endswith(GOODBYE)
        assert "Traceback" not in result.stderr


def test_ctrl_c_quits_the_console_while_it_waits_for_a_line(tmp_path: Path) -> None:
    """Before, the line was read in a thread that only Enter ended: Ctrl-C waited for it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,  # kept open: nobody presses Enter
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    shown = b""
    deadline = time.monotonic() + 60
    while b"> " not in shown and time.monotonic() < deadline:
        if select.select([process.stdout], [], [], 1)[0]:
            shown += os.read(process.stdout.fileno(), 65536)
    assert b"> " in shown, shown
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=30)  # stdin stays open: communicate() would close it
    finally:
        process.kill()
        rest, errors = process.communicate()
    assert code in (0, 130)
    assert GOODBYE in rest.decode()
    assert b"Traceback" not in errors


def test_the_installed_package_finds_its_routing_file_from_any_directory(tmp_path: Path) -> None:
    """The package as pip installs it (setuptools' build_py), run from a directory of its own:
    the example routing file is package data, not a path in the checkout."""
    built, elsewhere = tmp_path / "lib", tmp_path / "elsewhere"
    elsewhere.mkdir()
    build = subprocess.run(
        [*SETUP, "egg_info", "--egg-base", str(tmp_path), "build_py", "--build-lib", str(built)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    assert (built / "bot" / "routing.example.toml").is_file()
    stats = subprocess.run(
        [sys.executable, "-m", "bot.cli", "stats"],
        cwd=elsewhere,
        env={"PYTHONPATH": str(built), "DEFAULT_LANGUAGE": "en"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stats.returncode == 0, stats.stderr
    assert "Anding District: received 0" in stats.stdout
    started = console(elsewhere, ["2"], pythonpath=built)
    assert "What would you like to do?" in started.stdout, started.stderr


def test_stats_say_what_each_dash_stands_for(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "stats"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "DEFAULT_LANGUAGE": "en"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = result.stdout.splitlines()
    county = next(line for line in lines if line.startswith("Anding District:"))
    assert "closure —, average time —," in county
    assert lines[-1] == "“—”: nothing to measure, as no case in the period counts for it."


def test_the_console_tells_the_story_by_voice_and_sends_a_document_and_a_photo(
    tmp_path: Path,
) -> None:
    story_and_files = ["/voice 42", "1", "/document IOU.pdf", "/photo", "1"]  # 1: keep, 1: done
    out = console(tmp_path, [*REPORT[:-2], *story_and_files]).stdout
    assert "Current answer: 🎤 voice message, 0:42" in out
    assert "Received so far: 2 of 9 (1 photo, 1 document)" in out, "the voice story is 1 of 10"
    assert "cannot" not in out
