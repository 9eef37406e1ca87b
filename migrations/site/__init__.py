"""Site database steps: one module per step, `mNNNN_name.py` with `migrate(db)`, applied in name order.

Number ranges (so parallel work does not collide): core 0001–0009, devices 0010–0019,
console 0020–0029, sync 0030–0039.
"""

from __future__ import annotations

import importlib
import pkgutil

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations


def site_migrations() -> Migrations:
    """Every step of the site schema, in order, as a sqlite-utils migration set."""
    steps = Migrations("examsite")
    names = sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if m.name[:1] == "m" and m.name[1:5].isdigit()
    )
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        steps(name=name)(module.migrate)
    return steps


def apply(db: Database) -> None:
    """Bring `db` up to date; each step runs in its own transaction."""
    site_migrations().apply(db)
