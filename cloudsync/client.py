"""The site's client of the provincial cloud (requests): signed calls, pulls, pushes.

Takes plain data and callbacks so the site can wire it to its store; never imports examsite.

    client = CloudClient("http://cloud:8600", "SITE-1", secret, cloud_public_key)
    client.list_plans("2026-11-24")
    package = client.fetch_package("PLAN-1", progress=lambda done, total: ...)
    code = client.fetch_release_code("PLAN-1")          # None until the start time
    client.push_pending(fetch=outbox_next, on_response=outbox_ack)
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import requests

from cloudsync import sealing, signing

Progress = Callable[[int, int | None], None]


class CloudError(Exception):
    """The cloud answered with an error; ``code`` is its stable code, ``status`` the HTTP status."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class CloudUnavailable(CloudError):
    """The cloud could not be reached (or failed) after all retries; try again later."""


class CloudClient:
    """Signed HTTP calls to the cloud's site API for one registered site."""

    def __init__(
        self,
        base_url: str,
        site_id: str,
        secret: str,
        cloud_public_key: str,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff_s: float = 1.0,
        max_backoff_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.site_id = site_id
        self.secret = secret
        self.cloud_public_key = cloud_public_key
        self.timeout = timeout
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.sleep = sleep
        self.clock = clock
        self.session = session or requests.Session()

    # -- transport ------------------------------------------------------------------------
    def _once(
        self, method: str, path: str, params: Mapping[str, str] | None, body: bytes, stream: bool
    ) -> requests.Response:
        full = "/api/v1" + path + ("?" + urlencode(params) if params else "")
        headers = signing.sign_headers(
            self.site_id, self.secret, method, full, body, int(self.clock())
        )
        if body:
            headers["Content-Type"] = "application/json"
        return self.session.request(
            method,
            self.base_url + full,
            data=body or None,
            headers=headers,
            timeout=self.timeout,
            stream=stream,
        )

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        body: bytes = b"",
        stream: bool = False,
        retry: bool = True,
    ) -> requests.Response:
        """One signed call (freshly signed on every retry); errors become CloudError."""
        attempts = self.retries + 1 if retry else 1
        delay = self.backoff_s
        last: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                self.sleep(delay)
                delay = min(delay * 2, self.max_backoff_s)
            try:
                resp = self._once(method, path, params, body, stream)
            except requests.RequestException as exc:
                last = exc
                continue
            if resp.status_code >= 500:
                last = CloudError("server_error", f"HTTP {resp.status_code}", resp.status_code)
                continue
            if resp.status_code >= 400:
                try:
                    err = resp.json()
                    raise CloudError(str(err["code"]), str(err["message"]), resp.status_code)
                except (ValueError, KeyError, TypeError):
                    raise CloudError(
                        "http_error", f"HTTP {resp.status_code}", resp.status_code
                    ) from None
            return resp
        raise CloudUnavailable(
            "cloud_unavailable",
            f"连不上省平台（{last}），数据已留在本地，稍后自动重试"
            f"（cannot reach the provincial cloud: {last}; data stays local and will be retried）",
        )

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET a JSON document."""
        return self.request("GET", path, params).json()

    # -- calls ----------------------------------------------------------------------------
    def site_info(self) -> dict[str, Any]:
        """A signed ping: the cloud's view of this site."""
        info: dict[str, Any] = self.get_json("/site")
        return info

    def list_plans(self, day: str) -> list[dict[str, Any]]:
        """This site's plans on a China-local date ``YYYY-MM-DD``."""
        plans: list[dict[str, Any]] = self.get_json("/plans", {"date": day})["plans"]
        return plans

    def fetch_package(self, plan_id: str, progress: Progress | None = None) -> dict[str, Any]:
        """Download a plan package and verify it (signature, sealed paper, hash) before returning.

        Raises :class:`cloudsync.sealing.SealError` for a tampered or wrongly signed package.
        """
        resp = self.request("GET", f"/plans/{plan_id}/package", stream=True)
        total_text = resp.headers.get("Content-Length")
        total = int(total_text) if total_text and total_text.isdigit() else None
        chunks: list[bytes] = []
        done = 0
        for chunk in resp.iter_content(64 * 1024):
            chunks.append(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
        try:
            doc = json.loads(b"".join(chunks))
        except ValueError:
            raise sealing.SealError(
                "bad_package",
                "计划包不是有效的 JSON，请重新拉取（plan package is not JSON; pull again）",
            ) from None
        return verify_package(doc, self.cloud_public_key, plan_id)

    def fetch_release_code(self, plan_id: str) -> str | None:
        """The release code once the cloud publishes it (None before the start time)."""
        try:
            resp = self.request("GET", f"/plans/{plan_id}/release")
        except CloudError as exc:
            if exc.status == 425:
                return None
            raise
        code: str = resp.json()["release_code"]
        return code

    def push(self, records: Sequence[Mapping[str, Any]], batch_id: str = "") -> dict[str, Any]:
        """Push one batch of outbox records; return the cloud's acks, receipts and chain status."""
        body = json.dumps(
            {"site_id": self.site_id, "batch_id": batch_id, "records": list(records)},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        out: dict[str, Any] = self.request("POST", "/batches", body=body).json()
        try:
            sealing.verify_document(out, self.cloud_public_key)
        except sealing.SealError:
            raise CloudError(
                "bad_response_signature",
                "省平台的回执签名无效，未采信（可能被篡改或连到了错误的服务器），数据保留在本机，请联系技术人员"
                "（the cloud's answer is not signed by the registered cloud; nothing was marked sent,"
                " the data stays here; tell the technician）",
            ) from None
        if out.get("request_sha256") != hashlib.sha256(body).hexdigest():
            raise CloudError(
                "bad_response_signature",
                "省平台的回执不属于本批数据，未采信（the cloud's answer is for another batch; ignored）",
            )
        return out

    def receipts(self, plan_id: str) -> list[dict[str, Any]]:
        """The cloud's receipts for every candidate of a plan."""
        out: list[dict[str, Any]] = self.get_json("/receipts", {"plan_id": plan_id})["receipts"]
        return out

    def push_pending(
        self,
        fetch: Callable[[int], Sequence[Mapping[str, Any]]],
        on_response: Callable[[Sequence[Mapping[str, Any]], dict[str, Any]], None],
        batch_size: int = 1000,
        max_batches: int | None = None,
    ) -> dict[str, int]:
        """Push until ``fetch(n)`` returns nothing: each batch retried with back-off, and passed
        with the cloud's answer to ``on_response`` (which marks the records delivered). Stops
        with :class:`CloudUnavailable` when the cloud stays away; the next call resumes."""
        totals = {"batches": 0, "records": 0, "stored": 0, "duplicate": 0, "quarantined": 0}
        while max_batches is None or totals["batches"] < max_batches:
            records = fetch(batch_size)
            if not records:
                break
            first = records[0].get("seq")
            out = self.push(records, batch_id=f"{self.site_id}-{first}-{len(records)}")
            on_response(records, out)
            totals["batches"] += 1
            totals["records"] += len(records)
            for a in out["acks"]:
                totals[a["status"]] = totals.get(a["status"], 0) + 1
            if len(out["acks"]) < len(records):
                # the cloud left some records for later (its database was busy): stop this run
                # rather than send them again at once; the next scheduled run resumes with them
                totals["unacked"] = totals.get("unacked", 0) + len(records) - len(out["acks"])
                break
        return totals


def verify_package(doc: Any, cloud_public_key: str, plan_id: str | None = None) -> dict[str, Any]:
    """Check a plan package: its Ed25519 signature, the sealed paper's signature and SHA-256."""
    doc = sealing.verify_document(doc, cloud_public_key)
    if plan_id is not None and doc.get("plan_id") != plan_id:
        raise sealing.SealError(
            "wrong_plan", f"收到的计划包不是 {plan_id}（the package is not for plan {plan_id}）"
        )
    paper = doc.get("paper") or {}
    sealed = paper.get("sealed", "")
    if sealing.sha256(sealed) != paper.get("sha256"):
        raise sealing.SealError(
            "bad_hash",
            "试卷包校验值不符，已拒收；请重新拉取（sealed paper hash mismatch; pull again）",
        )
    sealing.verify(sealed, cloud_public_key, doc["plan_id"])
    return dict(doc)
