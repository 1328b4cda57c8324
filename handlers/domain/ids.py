"""Typed ids, so that a staff id cannot be passed where a case id is meant."""

from typing import NewType

__all__ = ["CaseId", "ChatId", "ConsultationId", "DepartmentId", "StaffId", "UserId", "WorkerId"]

CaseId = NewType("CaseId", int)
StaffId = NewType("StaffId", int)
DepartmentId = NewType("DepartmentId", int)
ChatId = NewType("ChatId", int)
UserId = NewType("UserId", int)
"""A Telegram user, whoever they are to us (worker, staff, admin)."""
WorkerId = NewType("WorkerId", int)
"""A worker who reports in the chat (their row, not their Telegram user)."""
ConsultationId = NewType("ConsultationId", int)
"""A seven-party consultation (七方会商) on a case."""
