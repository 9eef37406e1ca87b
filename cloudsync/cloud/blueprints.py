"""Every blueprint of the cloud app, registered in one place.

To plug in a blueprint, add one line ``"package.module:bp"`` to ``BLUEPRINTS``. Entries in
``OPTIONAL`` are registered when their module exists (parallel work that may not be merged yet);
an import error inside an existing module is still raised, never hidden.
"""

from __future__ import annotations

import importlib
import importlib.util

from flask import Blueprint, Flask

BLUEPRINTS: tuple[str, ...] = (
    "cloudsync.cloud.auth:bp",
    "cloudsync.cloud.admin:bp",
    "cloudsync.cloud.api:bp",
)

OPTIONAL: tuple[str, ...] = ("cloudsync.certificates.blueprint:bp",)


def _load(spec: str) -> Blueprint:
    module_name, attr = spec.split(":")
    bp: Blueprint = getattr(importlib.import_module(module_name), attr)
    return bp


def _exists(module_name: str) -> bool:
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:  # parent package missing
        return False


def register_blueprints(app: Flask) -> None:
    """Register every listed blueprint (and the optional ones that exist) on ``app``."""
    for spec in BLUEPRINTS:
        app.register_blueprint(_load(spec))
    for spec in OPTIONAL:
        if _exists(spec.split(":")[0]):
            app.register_blueprint(_load(spec))
