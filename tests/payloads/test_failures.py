"""Failures across processes: a reason that names the type once and keeps the head of the
message, a readable RemoteFailure, and the remote traceback as the error's printed cause."""

from __future__ import annotations

import traceback

from swfobjects.exceptions import (
    ActivityTaskError,
    RemoteTraceback,
    WorkflowExecutionError,
)
from swfobjects.payloads._failures import (
    CUT_MARK,
    RemoteFailure,
    decode_failure,
    encode_failure,
    failure_reason,
)
from swfobjects.payloads._payload import Payloads


class Declined(Exception):
    pass


def _raised(error: Exception) -> Exception:
    try:
        raise error
    except Exception as caught:  # noqa: BLE001 - keep the traceback
        return caught


def test_the_reason_names_the_short_type_once():
    reason, _ = encode_failure(_raised(Declined("card 42 declined")), Payloads(), "failure")
    assert reason == "Declined: card 42 declined"
    relayed = "Payments.charge (1, attempt 3) failed: Declined: card 42 declined"
    assert failure_reason("app.Declined", relayed) == relayed


def test_a_long_reason_keeps_its_head_and_says_it_was_cut():
    reason = failure_reason("ValueError", "order 7: " + "x" * 400)
    assert len(reason) == 256
    assert reason.startswith("ValueError: order 7: xxx") and reason.endswith(CUT_MARK)


def test_the_failure_decodes_with_a_readable_repr_and_traceback():
    payloads = Payloads()
    error = _raised(Declined("no funds"))
    error.details = {"code": 51}  # type: ignore[attr-defined]
    failure = decode_failure(*encode_failure(error, payloads, "failure"), payloads)
    assert repr(failure) == (
        "RemoteFailure(type_name='tests.payloads.test_failures.Declined', message='no funds', "
        "details={'code': 51})"
    )
    assert str(failure) == "Declined: no funds"
    assert "in _raised" in failure.traceback and __file__ in failure.traceback


def test_remote_errors_print_the_remote_traceback_as_their_cause():
    remote = 'Traceback (most recent call last):\n  File "/app/pay.py", line 3, in charge\n'
    for error in (
        ActivityTaskError("no", type_name="Declined", remote_traceback=remote),
        WorkflowExecutionError(
            "failed", status="FAILED", workflow_id="w", run_id="r", remote_traceback=remote
        ),
    ):
        assert isinstance(error.__cause__, RemoteTraceback)
        printed = "".join(traceback.format_exception(type(error), error, None))
        assert 'File "/app/pay.py", line 3, in charge' in printed
        assert "direct cause of the following exception" in printed
    assert ActivityTaskError("no").__cause__ is None
    assert isinstance(RemoteFailure("T", "m", "", None).__repr__(), str)
