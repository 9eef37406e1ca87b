"""Console accounts without Flask: the password rule, hashing, sign-in with lock-out, changes.

The provincial account rule (004 §5: 密码必须是英文+数字+特殊符号组合) asks for letters, digits and
symbols together; we also ask for at least 8 characters. Passwords are hashed with argon2id. The
same rule wants users to change a password they were given: an account created or reset by an
administrator carries `must_change_password` until its user picks their own.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from examsite.engine.timing import iso, parse_iso
from examsite.store import journal, users
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


def create_user(
    sitedb: SiteDB,
    username: str,
    display_name: str,
    role: str,
    password: str,
    *,
    must_change: bool = False,
    actor: str = "system",
) -> int:
    """Create an account after checking the name, role and password rule; journaled with
    `actor` (`actor_of` the administrator, `cli` for the command line).

    `must_change`: the password is assigned (by an administrator), its user changes it first.
    """
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
            uid = users.create(
                db, username, display_name.strip() or username, role, HASHER.hash(password)
            )
            if must_change:
                users.update(db, uid, must_change_password=1)
            _on_record(db, "account_created", actor, uid, must_change=must_change)
            return uid
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
        elif (locked := _locked(user, now)) is not None:
            refusal = locked
        elif not _verify(user["password_hash"], password):
            refusal = _count_failure(db, user, now, limit, lock_min) or WRONG
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


def _locked(user: dict[str, Any], now: datetime) -> AccountError | None:
    """The refusal while an account is locked out, else None."""
    if not user["locked_until"] or parse_iso(user["locked_until"]) <= now:
        return None
    minutes = max(1, int((parse_iso(user["locked_until"]) - now).total_seconds() // 60) + 1)
    return AccountError(
        "account_locked",
        f"密码错误次数过多，账号已锁定，请{minutes}分钟后再试或联系考点管理员解锁。",
        f"Too many wrong passwords: the account is locked; retry in {minutes} min or ask "
        "the site administrator.",
        retry_after_min=minutes,
    )


def _count_failure(
    db: Any, user: dict[str, Any], now: datetime, limit: int, lock_min: int
) -> AccountError | None:
    """One more wrong password; the lock-out refusal when it reaches `limit`."""
    failures = user["failures"] + 1
    if failures < limit:
        users.update(db, user["id"], failures=failures)
        return None
    until = iso(now + timedelta(minutes=lock_min))
    users.update(db, user["id"], failures=0, locked_until=until)
    _on_record(db, "account_locked", "system", user["id"], failures=limit, until=until)
    return AccountError(
        "account_locked",
        f"密码连续错误{limit}次，账号已锁定{lock_min}分钟。",
        f"{limit} wrong passwords in a row: the account is locked for {lock_min} min.",
        retry_after_min=lock_min,
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def set_password(
    sitedb: SiteDB, user_id: int, password: str, *, must_change: bool = False, actor: str = "system"
) -> None:
    """Change a password; every open console login of the account ends (epoch bump).

    `must_change`: an administrator assigned it, so its user has to change it at the next login.
    """
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
            must_change_password=int(must_change),
        )
        _on_record(db, "account_password_set", actor, user_id, must_change=must_change)


def unlock(sitedb: SiteDB, user_id: int, *, actor: str) -> None:
    """An administrator lifts a lock-out before its time (the failures start again from 0)."""
    with sitedb.write() as db:
        if users.get(db, user_id) is None:
            raise AccountError("no_user", "账号不存在。", "No such account.")
        users.update(db, user_id, failures=0, locked_until=None)
        _on_record(db, "account_unlocked", actor, user_id)


def actor_of(user: Mapping[str, Any]) -> str:
    """Journal actor of an account: `proctor:<username>` (technician:…, patrol:…, admin:…)."""
    return f"{user['role']}:{user['username']}"


def _on_record(db: Any, kind: str, actor: str, user_id: int, **detail: Any) -> None:
    """An account change in the journal, in the change's transaction: who did what to which
    account (the user name and role, never a password or its hash)."""
    user = users.get(db, user_id)
    assert user is not None
    journal.append(db, kind, actor, {"username": user["username"], "role": user["role"], **detail})


def change_own_password(
    sitedb: SiteDB,
    user_id: int,
    current: str,
    new: str,
    again: str,
    now: datetime,
    *,
    limit: int = 5,
    lock_min: int = 15,
) -> int:
    """A signed-in user changes their own password; returns the account's new auth epoch.

    The current password is asked again (a console left open is not enough) and wrong ones count
    towards the same lock-out as sign-in. Every other login of the account ends.
    """
    if new != again:
        raise AccountError(
            "password_mismatch",
            "两次输入的新密码不一致，请重新输入。",
            "The two new passwords differ; type them again.",
        )
    problem = password_problem(new)
    if problem:
        raise problem
    if new == current:
        raise AccountError(
            "same_password",
            "新密码不能与当前密码相同，请另设一个。",
            "The new password must differ from the current one.",
        )
    refusal: AccountError | None = None
    with sitedb.write() as db:  # a counted failure is committed, its refusal raised after
        user = users.get(db, user_id)
        if user is None or user["disabled"]:
            raise AccountError("no_user", "账号不存在。", "No such account.")
        refusal = _locked(user, now)
        if refusal is None and not _verify(user["password_hash"], current):
            refusal = _count_failure(db, user, now, limit, lock_min) or AccountError(
                "wrong_password",
                "当前密码不正确，请重新输入。",
                "The current password is wrong; type it again.",
            )
        if refusal is None:
            epoch = int(user["auth_epoch"]) + 1
            users.update(
                db,
                user_id,
                password_hash=HASHER.hash(new),
                auth_epoch=epoch,
                failures=0,
                locked_until=None,
                must_change_password=0,
            )
            _on_record(db, "account_password_changed", actor_of(user), user_id)
    if refusal is not None:
        raise refusal
    return epoch
