"""Moved to common/attributes.py (the API, the worker and evaluation share it); kept for old imports."""

from common.attributes import NOT_SEEN, UNSURE, Attributes, Hair

__all__ = ["NOT_SEEN", "UNSURE", "Attributes", "Hair"]
