"""The case layer's one error: an act on a case refused, with a stable code and a Chinese message for the clerk.
The API maps codes to HTTP statuses (api/problems.py), the pages show the message."""

from __future__ import annotations

from pipeline.errors import YichuangError


class CaseFlowError(YichuangError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)
