"""Bad input against ``swfobjects local``: every refusal has SWF's error shape, and the
service keeps serving."""

from __future__ import annotations

import json

import pytest

from swfobjects.local import LocalSWF
from swfobjects.local._protocol import MAX_BODY, validate_input
from swfobjects.model._state import SwfFault
from tests.helpers.local_support import DOMAIN, raw_call, register


@pytest.fixture(scope="module")
def swf():
    with LocalSWF(poll_timeout=0.2) as service:
        register(service.client())
        yield service


def _code(body):
    return body["__type"].rpartition("#")[2]


def test_malformed_json(swf):
    status, body = raw_call(swf.endpoint_url, "DescribeDomain", b'{"name": ')
    assert status == 400
    assert _code(body) == "SerializationException"
    assert "not valid JSON" in body["message"]


def test_body_must_be_an_object(swf):
    status, body = raw_call(swf.endpoint_url, "DescribeDomain", b"[1, 2]")
    assert (status, _code(body)) == (400, "SerializationException")


def test_unknown_operation(swf):
    status, body = raw_call(swf.endpoint_url, "FlyToTheMoon", {})
    assert (status, _code(body)) == (400, "UnknownOperationException")
    assert "FlyToTheMoon" in body["message"]


def test_missing_target(swf):
    status, body = raw_call(swf.endpoint_url, None, {})
    assert (status, _code(body)) == (400, "UnknownOperationException")


def test_missing_field_is_named(swf):
    status, body = raw_call(swf.endpoint_url, "DescribeDomain", {})
    assert (status, _code(body)) == (400, "ValidationException")
    assert "Value null at 'name'" in body["message"]


def test_wrong_type_is_named(swf):
    status, body = raw_call(
        swf.endpoint_url,
        "PollForActivityTask",
        {"domain": DOMAIN, "taskList": {"name": "x"}, "identity": 42},
    )
    assert (status, _code(body)) == (400, "ValidationException")
    assert "identity" in body["message"]


def test_too_long_field_is_named(swf):
    status, body = raw_call(
        swf.endpoint_url,
        "SignalWorkflowExecution",
        {"domain": DOMAIN, "workflowId": "w" * 257, "signalName": "s"},
    )
    assert (status, _code(body)) == (400, "ValidationException")
    assert "workflowId" in body["message"] and "256" in body["message"]


def test_oversized_body(swf):
    payload = json.dumps({"name": "x" * (MAX_BODY + 10)}).encode()
    status, body = raw_call(swf.endpoint_url, "DescribeDomain", payload)
    assert (status, _code(body)) == (400, "ValidationException")
    assert "exceeds" in body["message"] and str(MAX_BODY) in body["message"]


@pytest.mark.parametrize(
    "operation", ["RespondActivityTaskCompleted", "RecordActivityTaskHeartbeat"]
)
def test_garbage_activity_token(swf, operation):
    status, body = raw_call(swf.endpoint_url, operation, {"taskToken": "garbage"})
    assert (status, _code(body)) == (400, "UnknownResourceFault")
    assert body["__type"] == "com.amazonaws.swf.base.model#UnknownResourceFault"


def test_stale_token_raises_modelled_exception(swf):
    client = swf.client()
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.respond_decision_task_completed(taskToken="f" * 64, decisions=[])


def test_unknown_domain_raises_modelled_exception(swf):
    client = swf.client()
    with pytest.raises(client.exceptions.UnknownResourceFault, match="no-such-domain"):
        client.describe_domain(name="no-such-domain")


def test_service_keeps_serving_after_bad_input(swf):
    for raw in (b"\xff\xfe", b"{", b"null"):
        raw_call(swf.endpoint_url, "ListDomains", raw)
    status, body = raw_call(swf.endpoint_url, "ListDomains", {"registrationStatus": "REGISTERED"})
    assert status == 200
    assert DOMAIN in [d["name"] for d in body["domainInfos"]]


def test_unknown_fields_are_ignored(swf):
    status, body = raw_call(swf.endpoint_url, "DescribeDomain", {"name": DOMAIN, "future": 1})
    assert status == 200 and body["domainInfo"]["name"] == DOMAIN


def test_validate_input_counts_errors():
    with pytest.raises(SwfFault) as caught:
        validate_input("PollForActivityTask", {"domain": 5})
    assert caught.value.code == "ValidationException"
    assert caught.value.message.startswith("2 validation errors detected")


def test_numbers_over_their_modelled_maximum_are_refused():
    with pytest.raises(SwfFault, match="less than or equal to 1000"):
        validate_input("ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": 1001})


# Enum members, name rules and the other refusals are tested for every operation in
# test_conformance.py (generated from botocore's model) and test_semantic_rules.py (the table).
