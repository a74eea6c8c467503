"""SWF's name rule is written once and applied alike by declarations and the model."""

from __future__ import annotations

import pytest

from swfobjects.exceptions import DeclarationError
from swfobjects.model import SwfFault
from swfobjects.model._params import check_new_name
from swfobjects.swf.names import is_valid_name, name_problem
from swfobjects.workflow._declarations import check_name

REFUSED = ["a:b", "a/b", "a|b", "tab\there", "bell\x07", "nel\x85", "del\x7f", "arn", " a", "a "]
ACCEPTED = ["orders-42", "Greeter.greet", "a b", "learn", "café", "t1.1", "_wake.3", "x", "arns"]


@pytest.mark.parametrize("value", REFUSED)
def test_refused_everywhere(value: str) -> None:
    assert name_problem(value) is not None
    assert not is_valid_name(value)
    with pytest.raises(DeclarationError, match="SWF refuses names"):
        check_name(value, "activity name")
    with pytest.raises(SwfFault, match="SWF names and ids must not contain"):
        check_new_name(value, "workflowId")


@pytest.mark.parametrize("value", ACCEPTED)
def test_accepted_everywhere(value: str) -> None:
    assert name_problem(value) is None
    assert is_valid_name(value)
    assert check_name(value, "activity name") == value
    assert check_new_name(value, "workflowId") == value
