"""The simulator as the demo uses it: a subprocess with a pty link and a control port."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from devices.idcard.idnumber import make_id_number, validate
from devices.idcard.presets import PRESETS
from devices.idcard.simulator import SimulatedReader, main, send_command
from devices.idcard.transport_serial import open_reader


def test_subprocess_simulator_driven_over_control_port(tmp_path: Path) -> None:
    link = tmp_path / "idcard"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devices.idcard.simulator",
            "--pty",
            str(link),
            "--control",
            "127.0.0.1:0",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["pty"] == str(link) and info["control"]
        assert send_command(info["control"], "presets").split()[1:] == list(PRESETS)
        assert send_command(info["control"], "place nobody").startswith("error unknown preset")
        assert send_command(info["control"], "bogus").startswith("error unknown command")
        number = make_id_number("990101", dt.date(1999, 9, 9), 2)  # invented, valid check char
        assert validate(number).sex == "F"
        card = {"name": "孙演示", "sex": "F", "birth": "19990909", "id_number": number,
                "valid_from": "20200101", "valid_to": "20300101"}  # fmt: skip
        assert (
            send_command(info["control"], "place " + json.dumps(card, ensure_ascii=False))
            == "ok placed 孙演示"
        )
        reader = open_reader(str(link))
        try:
            result = reader.read_card()
            assert result is not None and result.identity.name == "孙演示"
            assert result.identity.id_number == number
        finally:
            reader.close()
        assert main(["send", "--control", info["control"], "remove"]) == 0
        state = json.loads(send_command(info["control"], "status")[3:])
        assert state["card"] is None
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_send_to_nothing_is_a_clear_error(capsys: object) -> None:
    assert main(["send", "--control", "127.0.0.1:1", "remove"]) == 2


def test_command_parsing() -> None:
    sim = SimulatedReader(use_pty=False)
    assert sim.command("fail").startswith("error")
    assert sim.command("fail zz").startswith("error")
    assert sim.command("fail 1FF").startswith("error")
    assert sim.command("fail 81 3") == "ok failing next 3"
    assert sim.command("place {not json").startswith("error")
    assert sim.command('place {"name": "x"}').startswith("error")
    assert sim.command("help").startswith("ok place")
    assert sim.command("place wang") == "ok placed 王小明"
