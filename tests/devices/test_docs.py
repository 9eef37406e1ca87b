"""docs/devices.md covers every face setting, simulator command and preset."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from devices.face.matcher import FaceSettings
from devices.idcard.presets import PRESETS
from devices.idcard.simulator import COMMANDS

DOC = (Path(__file__).parents[2] / "docs" / "devices.md").read_text("utf-8")


def test_face_settings_documented() -> None:
    for setting in dataclasses.fields(FaceSettings):
        assert f"`{setting.name}`" in DOC, setting.name


def test_simulator_commands_and_presets_documented() -> None:
    for command in COMMANDS:
        assert f"`{command.split()[0]}" in DOC, command
    for preset in PRESETS:
        assert f"`{preset}`" in DOC, preset
