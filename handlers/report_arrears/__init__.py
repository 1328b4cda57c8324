"""The worker's guided report of unpaid wages."""

from handlers.report_arrears.flow import FLOW, begin, on_event, resume

__all__ = ["FLOW", "begin", "on_event", "resume"]
