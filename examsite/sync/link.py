"""The site's link to the cloud: stored registration → a signed cloud client."""

from __future__ import annotations

from typing import Any

from cloudsync.client import CloudClient
from examsite.store import outbox
from examsite.store.db import SiteDB


class NotLinked(Exception):
    """The site has not been registered with the cloud yet."""

    message = (
        "本考点尚未登记到省平台：请运行 examsite cloud-link --url … --site-id … --secret … --public-key …"
        "（this site is not linked to the cloud yet: run examsite cloud-link with the values "
        "printed by examcloud register-site）"
    )


def client_for(sitedb: SiteDB, **kw: Any) -> CloudClient:
    """A cloud client for the stored registration; raise :class:`NotLinked` without one."""
    with sitedb.read() as db:
        row = outbox.link(db)
    if row is None:
        raise NotLinked(NotLinked.message)
    return CloudClient(row["url"], row["site_id"], row["secret"], row["public_key"], **kw)
