"""Start-up refuses bad settings with one clear line and exit code 2, never a traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import EXAMPLE_ROUTING_FILE
from tests.support.command_line import ROOT, run


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "1:x", "BOT_MODE": "sometimes"}, "BOT_MODE"),
        ({"BOT_TOKEN": "1:x", "BOT_MODE": "webhook"}, "WEBHOOK_URL"),
        ({"BOT_TOKEN": "1:x", "BOT_MODE": "webhook", "WEBHOOK_URL": "https://x"}, "WEBHOOK_SECRET"),
        (
            {"BOT_TOKEN": "1:x", "BOT_MODE": "webhook", "WEBHOOK_URL": "https://x"}
            | {"WEBHOOK_SECRET": "x"},
            "WEBHOOK_SECRET",
        ),
        ({"BOT_TOKEN": "1:x", "DAILY_CASE_LIMIT": "many"}, "DAILY_CASE_LIMIT"),
        ({"BOT_TOKEN": "1:x", "TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"BOT_TOKEN": "1:x", "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"BOT_TOKEN": "1:x", "ROUTING_FILE": "nowhere.toml"}, "nowhere.toml"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = run(tmp_path, "run", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    result = run(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "arrears-bot.sqlite3").exists()


def test_console_lets_a_person_file_a_report(tmp_path: Path) -> None:
    answers = [
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
        "19.5万",
        "12人",
        "2022-05",
        "We were not paid.",
        "/photo",
        "1",  # done
        "13",  # submit
    ]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT)},
        input="\n".join(answers) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Your report was received" in result.stdout
    assert "to department chat 安定区住房和城乡建设局" in result.stdout
    assert "138****5678" in result.stdout


def test_the_console_sends_nothing_through_a_configured_redis(tmp_path: Path) -> None:
    """A copied production .env may name the instances' Redis; the console must not wait on it."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        cwd=tmp_path,
        env={
            "PYTHONPATH": str(ROOT),
            "DELIVERY_REDIS_URL": "redis://127.0.0.1:9/0",  # nothing listens there
        },
        input="2\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "What would you like to do?" in result.stdout


def test_staff_can_be_invited_listed_and_removed_from_the_command_line(tmp_path: Path) -> None:
    invited = run(
        tmp_path, "staff", "invite", "--role", "handler", "--department", "anding.construction"
    )
    assert invited.returncode == 0, invited.stderr
    code = invited.stdout.split()[0]
    assert len(code) == 10 and code.isalnum()
    assert run(tmp_path, "staff", "list").stdout.strip() == "no staff yet"
    refused = run(tmp_path, "staff", "invite", "--role", "handler", "--department", "nowhere")
    assert refused.returncode == 2 and "unknown department" in refused.stderr
    missing = run(tmp_path, "staff", "remove", "42")
    assert missing.returncode == 2 and "no active staff member" in missing.stderr


def test_start_up_refuses_a_routing_file_that_dropped_a_code_still_in_use(tmp_path: Path) -> None:
    invited = run(tmp_path, "staff", "invite", "--role", "lead", "--county", "anding")
    assert invited.returncode == 0, invited.stderr
    example = EXAMPLE_ROUTING_FILE.read_text(encoding="utf-8")
    for name, mapping in (("dropped.toml", ""), ("renamed.toml", 'renamed_from = ["anding"]\n')):
        text = example.replace('code = "anding"\n', f'code = "anding-district"\n{mapping}')
        text = text.replace('county = "anding"\n', 'county = "anding-district"\n')
        (tmp_path / name).write_text(text, encoding="utf-8")

    for command in (("run",), ("staff", "list")):
        refused = run(tmp_path, *command, BOT_TOKEN="1:x", ROUTING_FILE="dropped.toml")
        assert refused.returncode == 2, refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in refused.stderr, refused.stderr
        assert "county 'anding' (1 unused invite)" in lines[0]
        assert 'renamed_from = ["anding"]' in lines[0]

    listed = run(tmp_path, "staff", "list", ROUTING_FILE="renamed.toml")
    assert listed.returncode == 0, listed.stderr
