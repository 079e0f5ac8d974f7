"""Request bodies refuse a NUL character in what they keep, and only there (api/case_schemas.py RequestModel)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.case_joins import SplitRequest
from api.case_schemas import TransitionRequest


def test_a_nul_in_a_kept_field_is_refused():
    with pytest.raises(ValidationError, match="NUL"):
        TransitionRequest.model_validate({"act": "accept", "reason": "a\x00b"})
    with pytest.raises(ValidationError, match="NUL"):
        SplitRequest.model_validate({"reason": "\x00"})


def test_a_nul_in_a_key_the_model_ignores_is_dropped_unread():
    body = SplitRequest.model_validate({"reason": "拆分", "t\x00\udaea": {"\x00": ["\x00"]}})
    assert body.reason == "拆分" and "t\x00\udaea" not in body.model_dump()
