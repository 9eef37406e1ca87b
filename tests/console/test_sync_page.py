"""The console's cloud-sync page: status, receipts, and push-now when no cloud is linked."""

from __future__ import annotations

from tests.console.conftest import Console


def test_sync_page_without_a_link(proctor: Console) -> None:
    page = proctor.client.get("/console/sync")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "未连接省平台" in html and "sync-receipts" in html
    assert proctor.client.get("/console/api/sync").get_json()["linked"] is False
    pushed = proctor.client.post("/console/sync/push", data={"csrf_token": proctor.token})
    assert pushed.status_code == 200 and "not_linked" in pushed.get_data(as_text=True)
    assert proctor.client.post("/console/sync/push").status_code == 400  # no CSRF token


def test_sync_status_needs_a_login(proctor: Console) -> None:
    anonymous = proctor.client.application.test_client()
    assert anonymous.get("/console/api/sync").status_code == 401
    assert anonymous.get("/console/sync").status_code == 302
