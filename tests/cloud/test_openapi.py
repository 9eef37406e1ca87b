"""docs/openapi.json describes every route of the site API, and real responses validate."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask

from cloudsync.client import CloudClient, CloudError

from .conftest import World
from .journal_rows import exam_day, records

SPEC = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())


def validate(instance: Any, schema_name: str) -> None:
    jsonschema.validate(instance, {**SPEC, "$ref": f"#/components/schemas/{schema_name}"})


def test_every_site_route_is_described(app: Flask) -> None:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
            for method in rule.methods - {"HEAD", "OPTIONS"}:  # type: ignore[operator]
                routes.add((path, method.lower()))
    described = {(p, m) for p, ops in SPEC["paths"].items() for m in ops}
    assert routes == described
    jsonschema.Draft202012Validator.check_schema({"$defs": SPEC["components"]["schemas"]})


def test_responses_validate(world: World, live_url: str) -> None:
    client = CloudClient(live_url, world.site_id, world.secret, world.public_key,
                         clock=lambda: world.clock().timestamp())  # fmt: skip
    validate(client.site_info(), "SiteInfo")
    validate(client.get_json("/plans", {"date": "2026-11-24"}), "PlanList")
    pkg = client.fetch_package("PLAN-1")
    validate(pkg, "PlanPackage")
    with pytest.raises(CloudError) as info:
        client.request("GET", "/plans/PLAN-1/release", retry=False)
    assert info.value.status == 425
    world.clock.now += timedelta(days=1)
    validate(client.request("GET", "/plans/PLAN-1/release").json(), "ReleaseCode")
    day = exam_day("PLAN-1", ["2026110001"])
    batch = {"site_id": "SITE-A", "batch_id": "b1", "records": records(day.rows)}
    validate(batch, "Batch")
    out = client.push(batch["records"])
    validate(out, "BatchResponse")
    validate(client.push([{"seq": 999, "kind": "nope", "body": {}}]), "BatchResponse")
    validate(client.get_json("/receipts", {"plan_id": "PLAN-1"}), "ReceiptList")
    resp = client.session.get(live_url + "/api/v1/site", timeout=10)
    validate(resp.json(), "Error")
