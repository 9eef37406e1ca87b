"""The error type every device module raises: a stable code plus a Chinese and English message."""

from __future__ import annotations


class DeviceError(Exception):
    """A device problem a user can act on.

    ``code`` is a stable snake_case identifier; ``message_zh`` / ``message_en`` say what went wrong
    and what to do. ``str(err)`` gives ``中文（English）`` as the shared contracts ask.
    """

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{message_zh}（{message_en}）")

    @property
    def message(self) -> str:
        """Chinese first, English in brackets."""
        return f"{self.message_zh}（{self.message_en}）"

    def to_dict(self) -> dict[str, str]:
        """The ``{"code", "message", "message_zh", "message_en"}`` shape used on the wire."""
        return {
            "code": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
