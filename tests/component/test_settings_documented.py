"""Every setting is listed, with a comment, in .env.example and in the README's table."""

import re
from pathlib import Path

import pytest

from bot.settings import _PREFIXES

ROOT = Path(__file__).resolve().parents[2]


def variables() -> list[str]:
    names = []
    for model in _PREFIXES.values():
        prefix = str(model.model_config.get("env_prefix", ""))
        names += [(prefix + field).upper() for field in model.model_fields]
    return names


@pytest.mark.parametrize("name", variables())
def test_every_setting_is_in_env_example_with_a_comment(name: str) -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    index = next((i for i, line in enumerate(lines) if line.startswith(f"{name}=")), None)
    assert index is not None, f"{name} is missing from .env.example"
    assert any(line.startswith("#") for line in lines[max(0, index - 3) : index]), name


@pytest.mark.parametrize("name", variables())
def test_every_setting_is_in_the_readme_table(name: str) -> None:
    assert re.search(rf"^\| `{name}` \|", (ROOT / "README.md").read_text(), re.M), name
