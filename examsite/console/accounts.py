"""Console accounts without Flask: the password rule, hashing, sign-in with lock-out.

The provincial account rule (004 §5: 密码必须是英文+数字+特殊符号组合) asks for letters, digits and
symbols together; we also ask for at least 8 characters. Passwords are hashed with argon2id.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from examsite.engine.timing import iso, parse_iso
from examsite.store import users
from examsite.store.db import SiteDB

HASHER = PasswordHasher()
MIN_LENGTH = 8
ROLE_LABELS = {
    "admin": ("考点管理员", "site administrator"),
    "technician": ("技术人员", "technician"),
    "proctor": ("监考员", "proctor"),
    "patrol": ("巡考员", "patrol"),
}
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")


class AccountError(Exception):
    """A refusal about an account, with both languages and a stable code."""

    def __init__(self, code: str, zh: str, en: str, **detail: Any):
        super().__init__(f"{zh}（{en}）")
        self.code, self.zh, self.en, self.detail = code, zh, en, detail

    def as_dict(self) -> dict[str, Any]:
        """The JSON refusal shape of the console."""
        return {
            "ok": False,
            "code": self.code,
            "message": self.zh,
            "message_en": self.en,
            **self.detail,
        }


def password_problem(password: str) -> AccountError | None:
    """Why a password breaks the rule (letters + digits + symbols, ≥ 8), or None."""
    if (
        len(password) < MIN_LENGTH
        or not any(c.isascii() and c.isalpha() for c in password)
        or not any(c.isdigit() for c in password)
        or not any(c in string.punctuation for c in password)
    ):
        return AccountError(
            "weak_password",
            f"密码至少{MIN_LENGTH}位，且必须同时包含英文字母、数字和特殊符号（如 !@#$%），请重新设置。",
            f"A password needs at least {MIN_LENGTH} characters with letters, digits and symbols "
            "(like !@#$%); choose another.",
        )
    return None


def generate_password() -> str:
    """A random password that meets the rule (for the demo account)."""
    while True:
        body = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))
        pw = body + secrets.choice("!@#%&*") + secrets.choice(string.digits)
        if password_problem(pw) is None:
            return pw


def create_user(sitedb: SiteDB, username: str, display_name: str, role: str, password: str) -> int:
    """Create an account after checking the name, role and password rule."""
    if not _USERNAME.match(username):
        raise AccountError(
            "bad_username",
            "用户名须为3–32位英文字母、数字或 _ . -。",
            "A user name is 3–32 letters, digits or _ . -.",
        )
    if role not in users.ROLES:
        raise AccountError(
            "bad_role",
            f"角色必须是 {', '.join(users.ROLES)} 之一。",
            f"The role must be one of {', '.join(users.ROLES)}.",
        )
    problem = password_problem(password)
    if problem:
        raise problem
    try:
        with sitedb.write() as db:
            return users.create(
                db, username, display_name.strip() or username, role, HASHER.hash(password)
            )
    except sqlite3.IntegrityError:
        raise AccountError(
            "username_taken",
            "该用户名已存在，请换一个。",
            "That user name is taken; choose another.",
        ) from None


@dataclass(frozen=True)
class SignedIn:
    """Who signed in: what the session cookie remembers."""

    user_id: int
    username: str
    display_name: str
    role: str
    auth_epoch: int


WRONG = AccountError(
    "login_failed",
    "用户名或密码错误，请重新输入。",
    "Wrong user name or password; try again.",
)


def sign_in(
    sitedb: SiteDB,
    username: str,
    password: str,
    now: datetime,
    *,
    limit: int = 5,
    lock_min: int = 15,
) -> SignedIn:
    """Check a password; `limit` wrong ones in a row lock the account for `lock_min` minutes."""
    refusal: AccountError | None = None
    with sitedb.write() as db:  # failures are counted in this transaction, refusals raised after it
        user = users.by_name(db, username.strip())
        if user is None or user["disabled"]:
            HASHER.hash(password)  # same work either way: no user-name probing by timing
            refusal = WRONG
        elif user["locked_until"] and parse_iso(user["locked_until"]) > now:
            until = parse_iso(user["locked_until"])
            minutes = max(1, int((until - now).total_seconds() // 60) + 1)
            refusal = AccountError(
                "account_locked",
                f"密码错误次数过多，账号已锁定，请{minutes}分钟后再试或联系考点管理员解锁。",
                f"Too many wrong passwords: the account is locked; retry in {minutes} min or ask "
                "the site administrator.",
                retry_after_min=minutes,
            )
        elif not _verify(user["password_hash"], password):
            failures = user["failures"] + 1
            if failures >= limit:
                users.update(
                    db, user["id"], failures=0, locked_until=iso(now + timedelta(minutes=lock_min))
                )
                refusal = AccountError(
                    "account_locked",
                    f"密码连续错误{limit}次，账号已锁定{lock_min}分钟。",
                    f"{limit} wrong passwords in a row: the account is locked for {lock_min} min.",
                    retry_after_min=lock_min,
                )
            else:
                users.update(db, user["id"], failures=failures)
                refusal = WRONG
        else:
            fields: dict[str, Any] = {
                "failures": 0,
                "locked_until": None,
                "last_login_at": iso(now),
            }
            if HASHER.check_needs_rehash(user["password_hash"]):
                fields["password_hash"] = HASHER.hash(password)
            users.update(db, user["id"], **fields)
    if refusal is not None or user is None:
        raise refusal or WRONG
    return SignedIn(
        user["id"], user["username"], user["display_name"], user["role"], user["auth_epoch"]
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def set_password(sitedb: SiteDB, user_id: int, password: str) -> None:
    """Change a password; every open console login of the account ends (epoch bump)."""
    problem = password_problem(password)
    if problem:
        raise problem
    with sitedb.write() as db:
        user = users.get(db, user_id)
        if user is None:
            raise AccountError("no_user", "账号不存在。", "No such account.")
        users.update(
            db,
            user_id,
            password_hash=HASHER.hash(password),
            auth_epoch=user["auth_epoch"] + 1,
            failures=0,
            locked_until=None,
        )
