"""The docs cover what the code offers: every setting and every command is described."""

from __future__ import annotations

import argparse
from pathlib import Path

from examsite.cli import build_parser
from examsite.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def all_docs() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    )


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_command_is_documented() -> None:
    docs = all_docs()
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [
        name for name in sub.choices if f"`{name}" not in docs and f"examsite {name}" not in docs
    ]
    assert not missing, f"examsite commands missing from README.md and docs/: {missing}"


def test_quick_start_has_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [
        line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert len(commands) == 2
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
