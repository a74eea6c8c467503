"""The task queues of the SWF model: decision and activity tasks waiting for a poll, and the
task tokens handed out.

Only bookkeeping: it never records an event. A queue may hold entries that are no longer live
(the execution closed, the decision was rescheduled, the activity was cancelled); they are
dropped when they reach the head, so closing never searches a queue.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ._runtime import Runtime
from ._state import ActivityTaskState, Execution, SwfFault

__all__ = ["TaskQueues"]


class TaskQueues:
    """Per ``(domain, task list)``, the scheduled decision and activity tasks; and the tokens
    of started tasks (token -> execution for decisions, -> task for activities)."""

    __slots__ = ("decision_queues", "activity_queues", "tokens", "_runtime")

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self.decision_queues: dict[tuple[str, str], deque[tuple[Execution, int]]] = {}
        self.activity_queues: dict[tuple[str, str], deque[ActivityTaskState]] = {}
        self.tokens: dict[str, Execution | ActivityTaskState] = {}

    # --- decision tasks -----------------------------------------------------------------

    def add_decision(self, execution: Execution, scheduled_id: int) -> None:
        """Queue the decision task scheduled by event ``scheduled_id``."""
        key = (execution.domain, execution.task_list)
        queue = self.decision_queues.get(key)
        if queue is None:
            queue = self.decision_queues[key] = deque()
        queue.append((execution, scheduled_id))

    def take_decision(self, domain: str, task_list: str) -> Execution | None:
        """The execution of the next live decision task of this task list (dequeued)."""
        queue = self.decision_queues.get((domain, task_list))
        while queue:
            execution, scheduled_id = queue.popleft()
            if (
                execution.decision_state == "scheduled"
                and execution.decision_scheduled_id == scheduled_id
                and execution.close_status is None
            ):
                return execution
        return None

    def has_decision_task(self, domain: str, task_list: str) -> bool:
        """True if a poll on this task list would get a decision task now."""
        queue = self.decision_queues.get((domain, task_list))
        while queue:
            execution, scheduled_id = queue[0]
            if (
                execution.decision_state == "scheduled"
                and execution.close_status is None
                and execution.decision_scheduled_id == scheduled_id
            ):
                return True
            queue.popleft()
        return False

    def count_decisions(self, domain: str, task_list: str) -> int:
        """How many live decision tasks wait on this task list."""
        queue = self.decision_queues.get((domain, task_list)) or ()
        return sum(
            1
            for execution, scheduled_id in queue
            if execution.is_open
            and execution.decision_state == "scheduled"
            and execution.decision_scheduled_id == scheduled_id
        )

    def start_decision(self, execution: Execution) -> str:
        """Hand out a new token for the decision task of ``execution`` (the old one dies)."""
        token = self._runtime.new_id()
        self.tokens[token] = execution
        if execution.decision_token:
            self.tokens.pop(execution.decision_token, None)
        execution.decision_token = token
        return token

    def drop_decision_token(self, execution: Execution) -> None:
        """Invalidate the token of the execution's started decision task, if any."""
        if execution.decision_token:
            self.tokens.pop(execution.decision_token, None)
            execution.decision_token = None

    def decision_task(self, token: Any) -> Execution:
        """The execution whose started decision task ``token`` names; SWF's fault if stale."""
        execution = self.tokens.get(token) if isinstance(token, str) else None
        if (
            not isinstance(execution, Execution)
            or execution.decision_token != token
            or execution.decision_state != "started"
            or execution.close_status is not None
        ):
            raise SwfFault("UnknownResourceFault", "Unknown decision task token (stale or closed)")
        return execution

    def paged_decision(self, token: str) -> Execution:
        """The execution of the decision task whose next history page is asked for."""
        execution = self.tokens.get(token)
        if not isinstance(execution, Execution) or execution.decision_token != token:
            raise SwfFault("UnknownResourceFault", "decision task is no longer open")
        return execution

    # --- activity tasks -----------------------------------------------------------------

    def add_activity(self, task: ActivityTaskState) -> None:
        """Open ``task`` on its execution and queue it."""
        execution = task.execution
        execution.activities[task.activity_id] = task
        key = (execution.domain, task.task_list)
        queue = self.activity_queues.get(key)
        if queue is None:
            queue = self.activity_queues[key] = deque()
        queue.append(task)

    def take_activity(self, domain: str, task_list: str) -> ActivityTaskState | None:
        """The next live activity task of this task list, dequeued and given its token."""
        queue = self.activity_queues.get((domain, task_list))
        while queue:
            task = queue.popleft()
            execution = task.execution
            if (
                execution.close_status is not None
                or task.token is not None
                or execution.activities.get(task.activity_id) is not task
            ):
                continue
            token = task.token = self._runtime.new_id()
            self.tokens[token] = task
            return task
        return None

    def has_activity_task(self, domain: str, task_list: str) -> bool:
        """True if a poll on this task list would get an activity task now."""
        queue = self.activity_queues.get((domain, task_list))
        while queue:
            task = queue[0]
            if (
                task.execution.close_status is None
                and task.token is None
                and task.execution.activities.get(task.activity_id) is task
            ):
                return True
            queue.popleft()
        return False

    def count_activities(self, domain: str, task_list: str) -> int:
        """How many live activity tasks wait on this task list."""
        queue = self.activity_queues.get((domain, task_list)) or ()
        return sum(
            1
            for task in queue
            if task.execution.is_open
            and task.token is None
            and task.execution.activities.get(task.activity_id) is task
        )

    def activity_task(self, token: Any) -> ActivityTaskState:
        """The open activity task ``token`` names; SWF's fault if stale."""
        task = self.tokens.get(token) if isinstance(token, str) else None
        if (
            not isinstance(task, ActivityTaskState)
            or task.token != token
            or task.execution.activities.get(task.activity_id) is not task
            or task.execution.close_status is not None
        ):
            raise SwfFault("UnknownResourceFault", "Unknown activity task token (stale or closed)")
        return task

    def close_activity(self, task: ActivityTaskState) -> None:
        """Close ``task`` on its execution and invalidate its token."""
        del task.execution.activities[task.activity_id]
        if task.token:
            self.tokens.pop(task.token, None)
