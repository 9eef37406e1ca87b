"""The check-in desk on real devices code: an image-folder camera, the dlib face pool, ID checks."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from devices.camera import ImageFolderSource
from devices.face.pool import FacePool
from devices.idcard.presets import PRESETS
from examsite.app import site_of
from examsite.exam.base import Push
from examsite.exam.capture_checks import CaptureChecker
from examsite.exam.desk import CheckinDesk, identity_for
from examsite.store import candidates, captures, journal
from tests.console.conftest import Console


@pytest.fixture(scope="module")
def pool() -> Iterator[FacePool]:
    """One real face worker for the module (loading dlib's models takes a second)."""
    with FacePool(workers=1) as p:
        yield p


def _desk(app: Flask, folder: Path, pool: FacePool, pushes: list[Push]) -> CheckinDesk:
    desk = CheckinDesk(
        site_of(app).exam, pushes.extend, camera=ImageFolderSource(folder), pool=pool
    )
    from examsite.console.services import services_of

    services_of(app).desk = desk
    return desk


def _camera(tmp_path: Path, shared_data: Path, name: str) -> Path:
    folder = tmp_path / f"camera-{name}"
    folder.mkdir()
    shutil.copy(shared_data / "faces" / name, folder / name)
    return folder


def _candidate(app: Flask, session_id: str, index: int, photo: bytes | None = None) -> dict:
    with site_of(app).sitedb.write() as db:
        cand = candidates.in_session(db, session_id)[index]
        if photo is not None:
            candidates.update(db, cand["id"], photo=photo, descriptor=None)
    return cand


@pytest.mark.slow
def test_card_face_match_admit_and_refusals(
    app: Flask,
    proctor: Console,
    session_id: str,
    tmp_path: Path,
    shared_data: Path,
    pool: FacePool,
) -> None:
    pushes: list[Push] = []
    desk = _desk(app, _camera(tmp_path, shared_data, "obama_small.jpg"), pool, pushes)
    registered = (shared_data / "faces" / "obama.jpg").read_bytes()
    cand = _candidate(app, session_id, 4, registered)  # not checked in yet

    read = desk.read_card(identity_for(cand), "2026-01-01T00:00:00Z", "sim")
    assert read["candidate"]["id"] == cand["id"]
    assert read["face"]["verdict"] == "match" and read["face"]["distance"] < 0.5
    assert read["problems"] == [] and read["mode"] == "checkin"
    assert any(p.payload.get("kind") == "desk_read" for p in pushes)
    assert proctor.client.get(f"/console/desk/still/{read['id']}").data[:3] == b"\xff\xd8\xff"
    latest = proctor.client.get("/console/api/desk").get_json()["latest"]
    assert latest["id"] == read["id"]
    assert proctor.api("desk_admit", read_id=read["id"], reason="")["ok"]
    assert proctor.api("desk_admit", read_id=read["id"])["code"] == "already_decided"
    with site_of(app).sitedb.read() as db:
        assert candidates.get(db, cand["id"])["state"] == "checked_in"  # type: ignore[index]
        row = journal.rows(db, session_id=session_id, kinds=("checkin",), limit=100)[-1]
    assert row["payload"]["evidence"]["face"]["verdict"] == "match"
    assert row["candidate_ticket"] == cand["ticket"]

    # someone not on today's roster: refused outright, journaled
    stranger = desk.read_card(PRESETS["wang"])
    assert stranger["candidate"] is None and stranger["blocking"][0]["code"] == "not_on_roster"
    assert proctor.api("desk_admit", read_id=stranger["id"], reason="熟人")["code"] == (
        "not_on_roster"
    )
    with site_of(app).sitedb.read() as db:
        refused = journal.rows(db, kinds=("checkin_refused",), limit=10)
    assert refused and refused[-1]["payload"]["code"] == "not_on_roster"

    # a different face and an expired card: admit only with a reason, which is journaled
    other = _candidate(app, session_id, 5, (shared_data / "faces" / "biden.jpg").read_bytes())
    expired = dataclasses.replace(identity_for(other), valid_to="20200101")
    read = desk.read_card(expired)
    codes = {p["code"] for p in read["problems"]}
    assert codes == {"face_no_match", "card_expired"}
    assert read["face"]["distance"] > 0.6
    assert proctor.api("desk_admit", read_id=read["id"], reason="")["code"] == "reason_required"
    assert proctor.api("desk_refuse", read_id=read["id"], reason="人证不符")["ok"]
    with site_of(app).sitedb.read() as db:
        last = journal.rows(db, kinds=("checkin_refused",), limit=10)[-1]
        assert candidates.get(db, other["id"])["state"] == "expected"  # type: ignore[index]
    assert set(last["payload"]["problems"]) == codes and last["payload"]["reason"] == "人证不符"


@pytest.mark.slow
def test_capture_checks_flag_a_stranger_for_review(
    app: Flask, proctor: Console, session_id: str, shared_data: Path, pool: FacePool
) -> None:
    cand = _candidate(app, session_id, 0, (shared_data / "faces" / "obama.jpg").read_bytes())
    with site_of(app).sitedb.write() as db:
        for rid, face in (("cap-same", "obama_small.jpg"), ("cap-other", "biden.jpg")):
            captures.schedule(db, rid, cand["id"], "2026-01-01T00:00:00Z")
            captures.update(
                db,
                rid,
                requested_at="2026-01-01T00:00:00Z",
                taken_at="2026-01-01T00:00:01Z",
                image=(shared_data / "faces" / face).read_bytes(),
            )
    pushes: list[Push] = []
    desk = CheckinDesk(site_of(app).exam, pushes.extend, pool=pool)
    checker = CaptureChecker(site_of(app).exam, pool, desk.reference, pushes.extend)
    assert checker.run_once() == 2
    assert checker.run_once() == 0
    suspects = [p.payload for p in pushes if p.payload.get("kind") == "capture_suspect"]
    assert [s["request_id"] for s in suspects] == ["cap-other"]
    page = proctor.client.get("/console/captures").get_data(as_text=True)
    assert "cap-other" in page and "cap-same" not in page.split("已核查")[0]
    assert (
        proctor.api("capture_review", request_id="cap-other", decision="suspect", note="")["code"]
        == "reason_required"
    )
    assert proctor.api(
        "capture_review", request_id="cap-other", decision="suspect", note="非本人，已核实并记录"
    )["ok"]
    with site_of(app).sitedb.read() as db:
        reviews = journal.rows(db, kinds=("capture_reviewed",), limit=10)
    assert [r["payload"]["review"] for r in reviews] == ["auto", "auto", "suspect"]
    seat = next(s for s in proctor.snapshot()["seats"] if s["candidate_id"] == cand["id"])
    assert "face_mismatch" in [a["code"] for a in seat["alerts"]]


def test_desk_not_running_is_a_clear_refusal(proctor: Console) -> None:
    out = proctor.api("desk_admit", read_id=1)
    assert out["code"] == "desk_not_running" and "签到台设备未启动" in out["message"]
    assert proctor.api("sim_card", candidate_id=1)["code"] == "sim_unavailable"


def test_desk_takes_the_still_off_the_callers_thread(
    app: Flask, session_id: str, tmp_path: Path, shared_data: Path
) -> None:
    """The camera is read through `run_blocking` (the hub's thread pool under gevent), never on
    the thread that handles the card, so a slow camera cannot freeze the server."""
    camera = ImageFolderSource(_camera(tmp_path, shared_data, "obama_small.jpg"))
    handed: list[tuple[object, int]] = []

    with ThreadPoolExecutor(1) as native:

        def runner(fn: Callable[..., Any], *args: Any) -> Any:
            def run() -> Any:
                handed.append((getattr(fn, "__self__", None), threading.get_ident()))
                return fn(*args)

            return native.submit(run).result()

        desk = CheckinDesk(site_of(app).exam, [].extend, camera=camera, run_blocking=runner)
        read = desk.read_card(identity_for(_candidate(app, session_id, 4)))
    assert [who for who, _ in handed] == [camera]
    assert handed[0][1] != threading.get_ident()
    assert read["face"]["verdict"] == "unavailable"  # a still was taken; no face pool here
