"""Time in the SWF model: timers, every timeout, and firing what is due."""

from __future__ import annotations

import heapq
from collections import deque
from typing import Any

from ._core import ModelCore, _seconds
from ._state import ActivityTaskState, Execution, TimerState

__all__ = ["ClockMixin"]


class ClockMixin(ModelCore):
    """``advance()`` fires due timers and timeouts; ``next_due()`` says when the next is."""

    # --- time ---------------------------------------------------------------------------

    def next_due(self) -> float | None:
        """When the next timer or timeout is due (epoch seconds), or None."""
        return self._due[0][0] if self._due else None

    def next_due_item(self) -> tuple[float, str] | None:
        """(when, kind) of the next timer or timeout still pending, dropping stale entries.

        Kinds: "timer", "activity", "decision", "execution".
        """
        due = self._due
        while due:
            when, _, item = due[0]
            if self._still_pending(item):
                return when, item[0]
            heapq.heappop(due)
        return None

    def _still_pending(self, item: tuple[Any, ...]) -> bool:
        kind = item[0]
        if kind == "timer":
            execution, timer = item[1], item[2]
            return execution.is_open and execution.timers.get(timer.timer_id) is timer
        if kind == "activity":
            task = item[1]
            return (
                task.execution.is_open and task.execution.activities.get(task.activity_id) is task
            )
        if kind == "decision":
            return item[1].is_open and item[1].decision_started_id == item[2]
        return bool(item[1].is_open)

    def advance(self) -> int:
        """Fire every timer and timeout due by now; returns how many fired."""
        fired = 0
        due = self._due
        now = self.now()
        while due and due[0][0] <= now:
            when, _, item = heapq.heappop(due)
            if self._still_pending(item) and self._fire(item, when):
                fired += 1
        if fired:
            self._notify()
        return fired

    def _fire(self, item: tuple[Any, ...], when: float) -> bool:
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
            if execution.decision_token:
                self.tokens.pop(execution.decision_token, None)
                execution.decision_token = None
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
        if kind == "execution":
            execution = item[1]
            self.close(
                execution,
                "TIMED_OUT",
                "WorkflowExecutionTimedOut",
                {"timeoutType": "START_TO_CLOSE", "childPolicy": execution.child_policy},
            )
            return True
        task, timeout_type = item[1], item[2]
        return self._activity_timeout(task, timeout_type, when)

    def _activity_timeout(self, task: ActivityTaskState, timeout_type: str, when: float) -> bool:
        started = bool(task.started_event_id)
        if timeout_type == "SCHEDULE_TO_START" and started:
            return False
        if timeout_type in ("START_TO_CLOSE", "HEARTBEAT") and not started:
            return False
        if timeout_type == "HEARTBEAT":
            beat = _seconds(task.heartbeat) or 0.0
            if task.last_heartbeat + beat > when:
                self._push_due(task.last_heartbeat + beat, "activity", task, "HEARTBEAT")
                return False
        self._close_activity(task)
        attributes: dict[str, Any] = {
            "timeoutType": timeout_type,
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
        }
        if task.heartbeat_details is not None:
            attributes["details"] = task.heartbeat_details
        self._append(task.execution, "ActivityTaskTimedOut", attributes)
        return True

    def schedule_activity(self, execution: Execution, task: ActivityTaskState) -> None:
        """Queue an activity task and arm its schedule-to-start/close timeouts."""
        execution.activities[task.activity_id] = task
        key = (execution.domain, task.task_list)
        queue = self.activity_queues.get(key)
        if queue is None:
            queue = self.activity_queues[key] = deque()
        queue.append(task)
        if task.schedule_to_start != "NONE":
            limit = float(task.schedule_to_start)
            self._push_due(task.scheduled_at + limit, "activity", task, "SCHEDULE_TO_START")
        if task.schedule_to_close != "NONE":
            limit = float(task.schedule_to_close)
            self._push_due(task.scheduled_at + limit, "activity", task, "SCHEDULE_TO_CLOSE")

    def start_timer(
        self, execution: Execution, timer_id: str, seconds: float, started_id: int
    ) -> None:
        """Arm a timer."""
        timer = TimerState(timer_id, started_id, self.now() + seconds)
        execution.timers[timer_id] = timer
        self._push_due(timer.fire_at, "timer", execution, timer)
