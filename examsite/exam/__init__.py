"""Exam-day operations: each checks the rules, changes state and appends the journal in one transaction."""

from .base import Push
from .day import ExamDay

__all__ = ["ExamDay", "Push"]
