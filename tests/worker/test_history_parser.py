"""The fast history parser gives exactly what botocore's parser gives, and is used by boto3."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import botocore.parsers
import botocore.session
import pytest
from botocore.exceptions import ClientError

from swfobjects.model import InProcessClient, SwfModel
from swfobjects.worker import _history_parser as history_parser
from swfobjects.worker._history_parser import install, parser_for
from tests.helpers.histories import History
from tests.worker.test_decisions import Steps, run_steps

MODEL = botocore.session.get_session().get_service_model("swf")
HISTORY = MODEL.operation_model("GetWorkflowExecutionHistory").output_shape


def botocore_events(raw: list[Any]) -> Any:
    body = json.dumps({"events": raw}).encode()
    parser = botocore.parsers.create_parser("json")
    return parser.parse({"body": body, "headers": {}, "status_code": 200}, HISTORY)["events"]


def same(ours: Any, theirs: Any) -> bool:
    """Equal, and equal as printed with keys sorted (so tzinfo and types match too)."""
    text = json.dumps(ours, sort_keys=True, default=repr)
    return bool(ours == theirs and text == json.dumps(theirs, sort_keys=True, default=repr))


def wire(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events as SWF's JSON carries them (timestamps as epoch seconds)."""
    return json.loads(json.dumps(events, default=lambda value: value.timestamp()))


def many_event_types() -> list[dict[str, Any]]:
    """A history with activities, timers, markers, signals, failures and children."""
    history = History().started(Steps, 2)
    done = history.decision()
    first = history.scheduled(done, "1", "Echo.echo", input=[0])
    history.completed(first, 0)
    done = history.decision()
    second = history.scheduled(done, "2", "Echo.echo", input=[1])
    history.failed(second, "Boom", "details")
    history.decision(completed=False)
    return wire(history.events)


@pytest.fixture(params=["UTC", "Europe/Paris", "America/St_Johns"])
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run with the process's local time zone set (botocore returns local-time datetimes)."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def recorded_history() -> list[dict[str, Any]]:
    """A real history from the model: activities, a failure-free run of Steps(3)."""
    client = InProcessClient(SwfModel())
    _, _, domain, execution = run_steps(client, 3)
    events = client.get_workflow_execution_history(domain=domain, execution=execution)["events"]
    return wire(events)


def test_same_as_botocore_on_recorded_and_built_histories(local_zone):
    parse = parser_for(HISTORY.members["events"])
    for raw in (recorded_history(), many_event_types()):
        assert same(parse(json.loads(json.dumps(raw))), botocore_events(raw))


@pytest.mark.parametrize(
    "event",
    [
        # unknown keys and nulls dropped, at the top and inside attributes
        {"eventId": 1, "eventType": "X", "eventTimestamp": 1.5, "new": 1, "eventType2": None},
        {
            "eventId": 2,
            "eventType": "WorkflowExecutionStarted",
            "eventTimestamp": 1_700_000_000,  # an int
            "workflowExecutionStartedEventAttributes": {
                "tagList": ["a", "b"],
                "taskList": {"name": "t", "extra": "x"},
                "input": None,
                "childPolicy": "TERMINATE",
                "workflowType": {"name": "n", "version": "1"},
            },
        },
        {"eventId": 3, "eventType": "X", "eventTimestamp": "2024-03-31T01:30:00Z"},  # text
        {"eventId": 4, "eventType": "X", "eventTimestamp": 1_711_846_800.123456},  # DST day
        {"eventId": 5, "eventType": "X", "eventTimestamp": 1_699_145_999.999999},
    ],
)
def test_same_as_botocore_on_odd_but_legal_events(event, local_zone):
    parse = parser_for(HISTORY.members["events"])
    assert same(parse(json.loads(json.dumps([event]))), botocore_events([event]))


def counting_structures(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count botocore's structure parses (one per event and attribute dict, and more)."""
    count = [0]
    original = botocore.parsers.BaseJSONParser._handle_structure

    def counted(self: Any, shape: Any, value: Any) -> Any:
        count[0] += 1
        return original(self, shape, value)

    monkeypatch.setattr(botocore.parsers.BaseJSONParser, "_handle_structure", counted)
    return count


def test_installed_on_a_boto3_client_it_parses_the_events_and_botocore_the_rest(
    local_swf, monkeypatch
):
    _, _, domain, execution = run_steps(local_swf.client(), 3)
    plain, fast = local_swf.client(), local_swf.client()
    assert install(fast) is True and install(fast) is True  # twice is harmless
    count = counting_structures(monkeypatch)
    expected = plain.get_workflow_execution_history(domain=domain, execution=execution)
    slow_structures = count[0]
    count[0] = 0
    got = fast.get_workflow_execution_history(domain=domain, execution=execution)
    assert count[0] < 5 < slow_structures  # the response itself and its metadata only
    expected.pop("ResponseMetadata"), got.pop("ResponseMetadata")
    assert same(got, expected) and len(got["events"]) > 20


def test_errors_are_still_parsed_by_botocore(local_swf):
    client = local_swf.client()
    install(client)
    with pytest.raises(ClientError) as caught:
        client.get_workflow_execution_history(
            domain="nowhere", execution={"workflowId": "w", "runId": "r"}
        )
    assert caught.value.response["Error"]["Code"] == "UnknownResourceFault"


def test_a_decision_worker_on_a_boto3_client_decides_with_fast_parsed_events(
    local_swf, monkeypatch
):
    parsed: list[int] = []
    make_handler = history_parser._handler

    def spying(parse: Any) -> Any:
        def counted(value: Any) -> Any:
            events = parse(value)
            parsed.append(len(events))
            return events

        return make_handler(counted)

    monkeypatch.setattr(history_parser, "_handler", spying)
    _, (decider,), _, _ = run_steps(local_swf.client(), 2)
    assert decider.handler.hits == 2
    assert len(parsed) == 4 and all(parsed)  # 3 decision polls, then the test's result read


@pytest.mark.parametrize("body", [b"[]", b'{"events": "x"}', b'{"events": [1]}', b"{"])
def test_a_body_swf_would_not_send_is_left_to_botocore(body):
    assert install(object()) is False
    assert install(InProcessClient(SwfModel())) is False
    handlers: list[Any] = []

    class Events:
        def register(self, name: str, handler: Any, unique_id: str) -> None:
            handlers.append(handler)

    class Meta:
        events = Events()
        service_model = MODEL

    class Fake:
        meta = Meta()

    assert install(Fake()) is True
    response = {"status_code": 200, "body": body, "headers": {}}
    customized: dict[str, Any] = {}
    handlers[0](response_dict=response, customized_response_dict=customized)
    assert response["body"] == body and customized == {}
