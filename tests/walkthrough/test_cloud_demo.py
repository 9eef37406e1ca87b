"""The README's walkthrough as a new user runs it: ``scripts/cloud-demo --exit --approve``.

The script runs as a subprocess (real cloud and site servers on 127.0.0.1, real Socket.IO
terminals); afterwards the test opens both databases itself and checks that every result
arrived, that the site's receipts agree with the journal the cloud holds, and that the issued
certificate's QR link verifies with the cloud's key.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from cloudsync.certificates.links import LinkSigner
from cloudsync.certificates.store import certificates
from cloudsync.cloud import create_app as create_cloud
from cloudsync.cloud.database import get_db
from cloudsync.cloud.db import drop_mysql_database
from cloudsync.cloud.store import sync
from cloudsync.wire import candidate_checksum
from examsite.app import create_app as create_site
from examsite.app import site_of
from examsite.store import journal, outbox

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "cloud-demo"
PLAN, SITE = "PLAN-DEMO-1", "SITE-DEMO"


def run_demo(tmp_path: Path, *extra: str) -> tuple[dict[str, Any], str]:
    """Run the walkthrough to the end; return its JSON summary and what it printed."""
    summary = tmp_path / "summary.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXAMCLOUD_", "EXAMSITE_"))}
    r = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--exit",
            "--approve",
            "--cloud-instance",
            str(tmp_path / "cloud"),
            "--site-instance",
            str(tmp_path / "site"),
            "--summary",
            str(summary),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    return json.loads(summary.read_text(encoding="utf-8")), r.stdout


def port_closed(url: str) -> bool:
    """Nothing listens any more on the URL's port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=1):
            return False
    except OSError:
        return True


def check_run(summary: dict[str, Any], printed: str, tmp_path: Path) -> None:
    """Everything a new user should have seen, checked against both databases."""
    assert summary["ok"] is True
    for command in (
        "$ examcloud",
        "import-bank examples/sample-bank-gas.xlsx",
        "compose-paper",
        "certificate-company",
        "register-site SITE-DEMO",
        "create-plan",
        "cloud-link --url http://127.0.0.1:",
        "stage --date",
        "checkin --ticket 2026880001",
        "release --session PLAN-DEMO-1",
        "start --session PLAN-DEMO-1",
        "end --session PLAN-DEMO-1",
        "push",
        "sync-status --session PLAN-DEMO-1",
        "/certificates/plans/PLAN-DEMO-1",
    ):
        assert command in printed, command
    assert summary["bank"] == {"stored": 11, "refused": 1}  # the bank's one bad row, listed
    assert port_closed(summary["cloud_url"]) and port_closed(summary["site_url"])

    # the site: its receipts, and the journal hashes they were computed from
    site = create_site({"ASYNC_MODE": "threading"}, instance_path=str(tmp_path / "site"))
    try:
        with site_of(site).sitedb.read() as db:
            receipts = {r["ticket"]: r for r in outbox.receipts(db, PLAN)}
            local = {t: outbox.local_candidate(db, PLAN, t) for t in receipts}
            site_last_seq = journal.last_seq(db)
            assert outbox.counts(db).get("pending", 0) == 0
    finally:
        site_of(site).sitedb.close()
    assert sorted(receipts) == ["2026880001", "2026880002", "2026880003", "2026880004"]

    cloud = create_cloud(
        {"INSTANCE_PATH": str(tmp_path / "cloud"), "DATABASE": summary["database"]}
    )
    with cloud.app_context():
        cdb = get_db()
        results = {r["ticket"]: r for r in sync.results_for_plan(cdb, SITE, PLAN)}
        chain = sync.chain_status(cdb, SITE)
        cloud_sums = {
            t: candidate_checksum(r["hash"] for r in sync.candidate_journal(cdb, SITE, PLAN, t))
            for t in receipts
        }
        issued = certificates.search(cdb, PLAN)
    assert {t: r["passed"] for t, r in results.items()} == {
        "2026880001": 1,
        "2026880002": 1,
        "2026880003": 1,
        "2026880004": 0,  # answered badly on purpose
    }
    assert all(r["answers"] == 7 and r["status"] for r in results.values())
    assert chain is not None and chain["ok"] and chain["last_seq"] == site_last_seq
    for ticket, receipt in receipts.items():
        assert receipt["matches"] == 1 and receipt["result"] == 1
        assert receipt["answers"] == local[ticket]["answers"] == 7
        assert (
            receipt["checksum"] == cloud_sums[ticket] == candidate_checksum(local[ticket]["hashes"])
        )

    # certificates: the three who passed, the QR link verifies with the cloud's own key
    assert sorted(c["ticket"] for c in issued) == ["2026880001", "2026880002", "2026880003"]
    first = summary["certificates"][0]
    assert first["status"] == "valid" and first["verify_http"] == 200
    assert first["tampered_http"] == 400
    assert Path(first["pdf"]).read_bytes().startswith(b"%PDF")
    signer = LinkSigner.load_or_create(tmp_path / "cloud" / "certificate_links_ed25519.pem")
    assert signer.verify_url(first["qr_url"]) == first["uid"]
    assert first["number"] in {c["number"] for c in issued}


@pytest.mark.slow
def test_cloud_demo_on_sqlite(tmp_path: Path) -> None:
    summary, printed = run_demo(tmp_path)
    assert summary["database"].startswith("sqlite:///")
    check_run(summary, printed, tmp_path)


@pytest.mark.slow
@pytest.mark.mysql
def test_cloud_demo_on_mariadb(tmp_path: Path) -> None:
    url = f"mysql://root:@127.0.0.1:3306/examcloud_demo_{secrets.token_hex(5)}"
    try:
        summary, printed = run_demo(tmp_path, "--database", url)
        assert summary["database"] == url
        assert f"--database {url} init-db" in printed  # the one setting, shown on every command
        check_run(summary, printed, tmp_path)
    finally:
        drop_mysql_database(url)


def test_cloud_reads_config_of_the_chosen_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the walkthrough sets RELEASE_LEAD_S in <instance>/config.py; Flask had fixed the config
    # root at the default instance folder, so a chosen instance's config.py was never read
    (tmp_path / "config.py").write_text("RELEASE_LEAD_S = 900\n", encoding="utf-8")
    monkeypatch.setenv("EXAMCLOUD_INSTANCE", str(tmp_path))
    assert create_cloud().config["RELEASE_LEAD_S"] == 900
