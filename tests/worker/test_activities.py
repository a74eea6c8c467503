"""Running activity tasks: results, failures within SWF's limits, cancellation, unknown types."""

from __future__ import annotations

import json

from swfobjects import ActivityWorker, CancelledError, activity_task
from swfobjects.worker._activities import ActivityRunner


class Jobs(ActivityWorker, task_list="jobs-runner"):
    @activity_task(heartbeat_timeout=10)
    def work(self, steps: int) -> str:
        for step in range(steps):
            if self.heartbeat(f"{step}/{steps}"):
                raise CancelledError(f"stopped at step {step}")
        return "done"

    @activity_task
    def fail(self) -> None:
        raise KeyError("k" * 100_000)


def task(name: str, payload: dict) -> dict:
    return {
        "taskToken": "token",
        "activityId": "1",
        "input": json.dumps(payload),
        "activityType": {"name": name, "version": "1.0"},
        "workflowExecution": {"workflowId": "w", "runId": "r"},
    }


def test_result_and_heartbeats():
    beats = []
    runner = ActivityRunner([Jobs()])
    op, params = runner.execute(task("Jobs.work", {"steps": 2}), lambda d: beats.append(d))
    assert (op, params["result"], beats) == (
        "RespondActivityTaskCompleted",
        '"done"',
        ["0/2", "1/2"],
    )


def test_cancellation_seen_in_heartbeat_answers_canceled():
    op, params = ActivityRunner([Jobs()]).execute(task("Jobs.work", {"steps": 3}), lambda d: True)
    assert op == "RespondActivityTaskCanceled" and params["details"] == "stopped at step 0"


def test_failure_fits_swf_limits():
    op, params = ActivityRunner([Jobs()]).execute(task("Jobs.fail", {}), lambda d: False)
    assert op == "RespondActivityTaskFailed"
    assert len(params["reason"]) <= 256 and len(params["details"]) <= 32_768
    assert json.loads(params["details"])["type"] == "KeyError"


def test_unknown_type_and_bad_input_fail_the_task_not_the_worker():
    runner = ActivityRunner([Jobs()], create_missing=False)
    op, params = runner.execute(task("Nope.nope", {}), lambda d: False)
    assert op == "RespondActivityTaskFailed" and "Nope.nope" in params["reason"]
    op, params = runner.execute(task("Jobs.work", {"steps": "many"}), lambda d: False)
    assert op == "RespondActivityTaskFailed" and "steps" in params["reason"]
