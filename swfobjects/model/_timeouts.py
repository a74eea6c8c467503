"""Time in the SWF model: firing the timers and timeouts the due heap says are due.

Nothing fires on its own: :meth:`Timeouts.advance` is called by the façade at the start of a
call whose time has passed the head of the heap, by the SerialExecutor when it is idle, and by
the local service's clock thread. Firing records events and closes runs, so this sits above
the executions; arming is done where the timed thing starts (tasks, decisions, executions)
by pushing onto the :class:`~._due.DueHeap`, which is below all of them.
"""

from __future__ import annotations

from typing import Any

from ._due import DueHeap, DueItem, still_pending
from ._executions import Executions
from ._params import seconds as _seconds
from ._queues import TaskQueues
from ._runtime import Runtime
from ._state import ActivityTaskState, Execution

__all__ = ["Timeouts"]


class Timeouts:
    """Fire due timers, activity/decision task timeouts and execution timeouts, and purge
    closed runs whose retention period ended."""

    __slots__ = ("_runtime", "_executions", "_queues", "_due", "_append")

    def __init__(
        self, runtime: Runtime, executions: Executions, queues: TaskQueues, due: DueHeap
    ) -> None:
        self._runtime = runtime
        self._executions = executions
        self._queues = queues
        self._due = due
        self._append = executions.append

    def advance(self) -> int:
        """Fire every timer and timeout due by now; returns how many fired."""
        fired = 0
        now = self._runtime.now()
        pop_due = self._due.pop_due
        while (entry := pop_due(now)) is not None:
            if self._fire(entry[1], entry[0]):
                fired += 1
        if fired:
            self._runtime.notify()
        return fired

    def undelivered(self, token: str) -> bool:
        """The task ``token`` names was handed to a poll whose answer never reached its
        client (the write failed: the worker was killed): time it out now, as SWF would at
        its start-to-close timeout, instead of leaving it held by no one until then.

        Why a timeout and not "as if never polled": the hand-over is history.
        ``ActivityTaskStarted`` or ``DecisionTaskStarted`` was appended, journaled and may
        already have been read (``GetWorkflowExecutionHistory``), and later events may follow
        it. SWF's histories are append-only and a started task is never started again, so
        taking the event back would make the journal and every reader's history lie. A
        ``START_TO_CLOSE`` timeout is what SWF itself records for a started task whose worker
        is gone; it only comes sooner. A decision task is then scheduled again at once (a live
        poller gets it); an activity's timeout wakes the decider, whose retry policy decides.

        False (and nothing changes) if the token no longer names a started task (answered,
        timed out, or its run closed).
        """
        item = self._queues.tokens.get(token)
        if isinstance(item, Execution):
            if item.decision_token != token or item.decision_state != "started":
                return False
            if item.close_status is not None:
                return False
            fired = self._fire(("decision", item, item.decision_started_id), self._runtime.now())
        elif isinstance(item, ActivityTaskState):
            if item.token != token or not item.started_event_id:
                return False
            if not still_pending(("activity", item)):
                return False
            fired = self._activity_timeout(item, "START_TO_CLOSE", self._runtime.now())
        else:
            return False
        if fired:
            self._runtime.notify()
        return fired

    def _fire(self, item: DueItem, when: float) -> bool:
        """Fire one pending ``item`` (due at ``when``); False if it turned out moot."""
        kind = item[0]
        if kind == "timer":
            execution, timer = item[1], item[2]
            del execution.timers[timer.timer_id]
            self._append(
                execution,
                "TimerFired",
                {"timerId": timer.timer_id, "startedEventId": timer.started_event_id},
            )
            return True
        if kind == "decision":
            execution, started_id = item[1], item[2]
            if execution.decision_state != "started":
                return False
            self._queues.drop_decision_token(execution)
            execution.decision_state = "none"
            execution.decision_needed = False
            self._append(
                execution,
                "DecisionTaskTimedOut",
                {
                    "timeoutType": "START_TO_CLOSE",
                    "scheduledEventId": execution.decision_scheduled_id,
                    "startedEventId": started_id,
                },
            )
            return True
        if kind == "purge":
            return self._executions.purge(item[1])
        if kind == "execution":
            execution = item[1]
            self._executions.close(
                execution,
                "TIMED_OUT",
                "WorkflowExecutionTimedOut",
                {"timeoutType": "START_TO_CLOSE", "childPolicy": execution.child_policy},
            )
            return True
        task, timeout_type = item[1], item[2]
        return self._activity_timeout(task, timeout_type, when)

    def _activity_timeout(self, task: ActivityTaskState, timeout_type: str, when: float) -> bool:
        """Time the task out, unless the timeout no longer applies to its state."""
        started = bool(task.started_event_id)
        if timeout_type == "SCHEDULE_TO_START" and started:
            return False
        if timeout_type in ("START_TO_CLOSE", "HEARTBEAT") and not started:
            return False
        if timeout_type == "HEARTBEAT":
            beat = _seconds(task.heartbeat) or 0.0
            if task.last_heartbeat + beat > when:  # beaten since: re-arm from the last beat
                self._due.push(task.last_heartbeat + beat, "activity", task, "HEARTBEAT")
                return False
        self._queues.close_activity(task)
        attributes: dict[str, Any] = {
            "timeoutType": timeout_type,
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
        }
        if task.heartbeat_details is not None:
            attributes["details"] = task.heartbeat_details
        self._append(task.execution, "ActivityTaskTimedOut", attributes)
        return True
