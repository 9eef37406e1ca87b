"""The question bank."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cloudsync.cloud.db import Database, Row
from cloudsync.cloud.timefmt import iso


def add(db: Database, q: Mapping[str, Any], source: str, now: datetime) -> bool:
    """Add a question (``qid``, ``category``, ``type``, ``stem``, ``options``, ``answer``);
    False when a question with that id is already in the bank."""
    return db.insert_ignore(
        "questions",
        {
            "qid": q["qid"],
            "category": q["category"],
            "type": q["type"],
            "stem": q["stem"],
            "options": json.dumps(q["options"], ensure_ascii=False),
            "answer": json.dumps(q["answer"]),
            "source": source,
            "created_at": iso(now),
        },
    )


def _decode(row: Row) -> Row:
    row["options"] = json.loads(row["options"])
    row["answer"] = json.loads(row["answer"])
    return row


def by_ids(db: Database, qids: list[str]) -> list[Row]:
    """The questions with these ids, in the order given (unknown ids are left out)."""
    if not qids:
        return []
    marks = ", ".join("?" for _ in qids)
    rows = {
        r["qid"]: _decode(r)
        for r in db.query(f"SELECT * FROM questions WHERE qid IN ({marks})", qids)
    }
    return [rows[q] for q in qids if q in rows]


def pool(db: Database, category: str | None, qtype: str) -> list[Row]:
    """Every question of a type, optionally within one category, by id."""
    if category:
        rows = db.query(
            "SELECT * FROM questions WHERE category = ? AND type = ? ORDER BY qid",
            (category, qtype),
        )
    else:
        rows = db.query("SELECT * FROM questions WHERE type = ? ORDER BY qid", (qtype,))
    return [_decode(r) for r in rows]


#: Where a question came from, as its ``source`` says: QTI items are ``qti:<file>``, Excel rows
#: ``<sheet>!<row>``.
BANKS = ("excel", "qti")


def listing(
    db: Database,
    category: str | None = None,
    qtype: str | None = None,
    bank: str | None = None,
) -> list[Row]:
    """Questions (decoded) by category, type and id, optionally only one category, one type or
    one bank (``excel`` or ``qti``)."""
    where, params = [], []
    if category:
        where.append("category = ?")
        params.append(category)
    if qtype:
        where.append("type = ?")
        params.append(qtype)
    if bank == "qti":
        where.append("source LIKE 'qti:%'")
    elif bank == "excel":
        where.append("source NOT LIKE 'qti:%'")
    sql = "SELECT * FROM questions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.query(sql + " ORDER BY category, type, qid", params)
    return [_decode(r) for r in rows]


def counts(db: Database) -> list[Row]:
    """How many questions per category and type."""
    return db.query(
        "SELECT category, type, COUNT(*) AS n FROM questions GROUP BY category, type "
        "ORDER BY category, type"
    )
