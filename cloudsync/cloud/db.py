"""One small DB-API layer that runs the same SQL on SQLite (embedded default) and MySQL/MariaDB.

SQL is written once with ``?`` placeholders; for MySQL they become ``%s`` (and literal ``%``
becomes ``%%``) before pymysql sees them. Statements autocommit unless they run inside
``with db.transaction():``, which nests (only the outermost level commits).

Where the dialects differ, the layer offers one word for both: ``db.ddl()`` expands the type
tokens ``{pk}``, ``{key}``, ``{text}``, ``{blob}``, ``{real}`` and ``{table}`` (table options), and
``db.insert_ignore()`` inserts a row unless a unique key already holds it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

Row = dict[str, Any]
Params = Sequence[Any] | Mapping[str, Any]

_DDL = {
    "sqlite": {
        "pk": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "key": "VARCHAR(191)",
        "text": "TEXT",
        "blob": "BLOB",
        "real": "REAL",
        "table": "",
    },
    "mysql": {
        "pk": "BIGINT PRIMARY KEY AUTO_INCREMENT",
        # 191 characters × 4 bytes stays under InnoDB's 767-byte index limit on older servers
        "key": "VARCHAR(191)",
        "text": "LONGTEXT",
        "blob": "LONGBLOB",
        "real": "DOUBLE",
        # utf8mb4_bin: unique keys (tickets, site ids) compare exactly, as on SQLite
        "table": " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    },
}


class DatabaseError(Exception):
    """The database could not be reached or set up; the message says what to do."""


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database setting: ``sqlite:///path``, a bare path, or ``mysql://user:pw@host:port/db``."""

    dialect: str
    path: str = ""
    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = ""
    database: str = ""

    @classmethod
    def parse(cls, url: str) -> DatabaseURL:
        """Parse a database setting; raise :class:`DatabaseError` on an unknown scheme."""
        if url.startswith(("mysql://", "mysql+pymysql://", "mariadb://")):
            u = urlparse(url)
            name = u.path.lstrip("/")
            if not name:
                raise DatabaseError(
                    "数据库地址缺少库名，例如 mysql://root:@127.0.0.1:3306/examcloud"
                    "（the MySQL URL needs a database name, e.g. mysql://root:@127.0.0.1:3306/examcloud）"
                )
            return cls(
                dialect="mysql",
                host=u.hostname or "127.0.0.1",
                port=u.port or 3306,
                user=unquote(u.username or "root"),
                password=unquote(u.password or ""),
                database=name,
            )
        if url.startswith("sqlite:///"):
            return cls(dialect="sqlite", path=url[len("sqlite:///") :])
        if "://" in url:
            raise DatabaseError(
                f"不支持的数据库地址 {url!r}：请用 sqlite:///文件 或 mysql://用户:密码@主机:端口/库名"
                f"（unsupported database URL {url!r}: use sqlite:///file or mysql://user:pw@host:port/db）"
            )
        return cls(dialect="sqlite", path=url)


def _to_format_style(sql: str) -> str:
    """Turn ``?`` placeholders into pymysql's ``%s`` outside string literals; escape ``%``."""
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = None
        elif ch in ("'", '"', "`"):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


_NAMED = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")


class Database:
    """A connection to the cloud's database with the same API on SQLite and MySQL."""

    def __init__(self, url: str) -> None:
        self.url = DatabaseURL.parse(url)
        self.dialect = self.url.dialect
        self._depth = 0
        self._conn: Any = self._connect()

    # -- connection -----------------------------------------------------------------------
    def _connect(self) -> Any:
        if self.dialect == "sqlite":
            if self.url.path != ":memory:":
                Path(self.url.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.url.path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            return conn
        import pymysql
        import pymysql.cursors

        try:
            return pymysql.connect(
                host=self.url.host,
                port=self.url.port,
                user=self.url.user,
                password=self.url.password,
                database=self.url.database,
                charset="utf8mb4",
                autocommit=True,
                cursorclass=pymysql.cursors.DictCursor,
                connect_timeout=10,
            )
        except pymysql.err.OperationalError as exc:
            if exc.args and exc.args[0] == 1049:  # unknown database: create it, then retry
                create_mysql_database(self.url)
                return self._connect()
            raise DatabaseError(
                f"无法连接 MySQL/MariaDB {self.url.host}:{self.url.port}：{exc}；"
                "请确认服务已启动（scripts/ensure-mariadb）"
                f"（cannot connect to MySQL/MariaDB at {self.url.host}:{self.url.port}: {exc}; "
                "start it, e.g. with scripts/ensure-mariadb）"
            ) from exc

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    @property
    def integrity_error(self) -> type[Exception]:
        """The driver's IntegrityError class (a unique key or constraint was violated)."""
        if self.dialect == "sqlite":
            return sqlite3.IntegrityError
        import pymysql

        return pymysql.err.IntegrityError

    # -- statements -----------------------------------------------------------------------
    def _sql(self, sql: str, params: Params | None) -> tuple[str, Any]:
        if self.dialect == "mysql":
            if isinstance(params, Mapping):
                sql = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
                return sql, params
            return _to_format_style(sql), params
        return sql, params

    def execute(self, sql: str, params: Params | None = None) -> Any:
        """Run one statement and return its cursor (``rowcount``, ``lastrowid``)."""
        sql, params = self._sql(sql, params)
        cur = self._conn.cursor()
        if params is None:
            cur.execute(sql)
        else:
            cur.execute(sql, params)
        return cur

    def executemany(self, sql: str, seq: Sequence[Params]) -> int:
        """Run one statement for many parameter sets; return the affected row count."""
        if not seq:
            return 0
        sql, _ = self._sql(sql, seq[0])
        cur = self._conn.cursor()
        cur.executemany(sql, seq)
        return int(cur.rowcount or 0)

    def query(self, sql: str, params: Params | None = None) -> list[Row]:
        """Run a query and return its rows as dicts."""
        cur = self.execute(sql, params)
        return [dict(r) for r in cur.fetchall()]

    def one(self, sql: str, params: Params | None = None) -> Row | None:
        """Run a query and return its first row as a dict, or None."""
        cur = self.execute(sql, params)
        r = cur.fetchone()
        return dict(r) if r is not None else None

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        """Run a query and return the first column of the first row, or None."""
        r = self.one(sql, params)
        return next(iter(r.values())) if r else None

    def insert(self, table: str, row: Mapping[str, Any]) -> int:
        """Insert one row; return its new id (``lastrowid``)."""
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))
        return int(cur.lastrowid or 0)

    def insert_ignore(self, table: str, row: Mapping[str, Any]) -> bool:
        """Insert one row unless a unique key already holds it; return True if inserted."""
        verb = "INSERT OR IGNORE" if self.dialect == "sqlite" else "INSERT IGNORE"
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.execute(f"{verb} INTO {table} ({cols}) VALUES ({marks})", list(row.values()))
        return bool(cur.rowcount)

    def ddl(self, sql: str) -> None:
        """Run a schema statement written with the dialect tokens ({pk}, {key}, {text}, …)."""
        self.execute(sql.format(**_DDL[self.dialect]))

    def table_names(self) -> list[str]:
        """Names of the tables in the database."""
        if self.dialect == "sqlite":
            rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table'")
            return sorted(r["name"] for r in rows if not r["name"].startswith("sqlite_"))
        rows = self.query("SHOW TABLES")
        return sorted(next(iter(r.values())) for r in rows)

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """Group statements into one transaction; nested blocks join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self._conn.cursor().execute("BEGIN" if self.dialect == "sqlite" else "START TRANSACTION")
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            self._conn.rollback()
            raise
        self._depth = 0
        self._conn.commit()


def create_mysql_database(url: DatabaseURL) -> None:
    """Create the MySQL database named in ``url`` if it does not exist (utf8mb4, exact collation)."""
    import pymysql

    try:
        conn = pymysql.connect(
            host=url.host,
            port=url.port,
            user=url.user,
            password=url.password,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=10,
        )
    except pymysql.err.OperationalError as exc:
        raise DatabaseError(
            f"无法连接 MySQL/MariaDB {url.host}:{url.port}：{exc}；请先启动服务（scripts/ensure-mariadb）"
            f"（cannot connect to MySQL/MariaDB at {url.host}:{url.port}: {exc}; "
            "start it, e.g. with scripts/ensure-mariadb）"
        ) from exc
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"CREATE DATABASE IF NOT EXISTS `{url.database}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
            )
    finally:
        conn.close()


def drop_mysql_database(url: str) -> None:
    """Drop a MySQL database (tests use one fresh database per run)."""
    import pymysql

    u = DatabaseURL.parse(url)
    conn = pymysql.connect(
        host=u.host, port=u.port, user=u.user, password=u.password, autocommit=True
    )
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{u.database}`")
    finally:
        conn.close()
