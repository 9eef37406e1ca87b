"""Shared fixtures: real SQLite in tmp_path, a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import LiveServer, stage

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared_data() -> Path:
    """The project's test material (../shared/data beside the checkout)."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.fail(f"test material missing: {path} (clone the repo with shared/ beside it)")
    return path


@pytest.fixture
def staged(tmp_path: Path) -> dict:
    """An instance folder holding the demo exam, everyone checked in, starting in 10 minutes."""
    info = stage(tmp_path / "instance")
    info["instance"] = tmp_path / "instance"
    return info


@pytest.fixture
def live(staged: dict) -> Iterator[LiveServer]:
    """The real server (gevent subprocess) on the staged instance."""
    server = LiveServer(staged["instance"]).start()
    server.staged = staged  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.kill()
