"""A status page: read a running workflow's progress from outside with ``@state``.

    python -m samples.status_page

The workflow marks one method ``@state``; after each decision its value goes to SWF as the
decision's ``executionContext`` (only when it changed), and ``handle.state()`` reads it back,
decoded to the declared dataclass, from any process: no signal round trip, no database. Here
a video is transcoded into three formats, then waits for an editor's ``publish`` signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from swfobjects import (
    ActivityWorker,
    SerialExecutor,
    Workflow,
    WorkflowHandle,
    activity_task,
    decision_task,
    signal,
    state,
)


@dataclass
class Progress:
    step: str
    done: list[str] = field(default_factory=list)
    total: int = 0


class Transcoder(ActivityWorker, task_list="video-transcode", version="1.0"):
    @activity_task(start_to_close_timeout=3600)
    def transcode(self, video: str, fmt: str) -> str:
        return f"{video}.{fmt}"


class Publishing(Workflow, task_list="video", version="1.0"):
    transcoder = Transcoder.client()

    def __init__(self) -> None:
        self.progress = Progress("starting")
        self.published = False

    @state
    def status(self) -> Progress:
        return self.progress

    @signal
    def publish(self) -> None:
        self.published = True

    @decision_task
    async def run(self, video: str, formats: list[str]) -> list[str]:
        self.progress = Progress("transcoding", total=len(formats))
        for fmt in formats:
            self.progress.done.append(await self.transcoder.transcode(video, fmt))
        self.progress.step = "waiting for an editor"
        await self.wait_for(lambda: self.published)
        self.progress.step = "published"
        return self.progress.done


def status_page(handle: WorkflowHandle[list[str]]) -> str:
    """One line of the page: what any process with the handle can render."""
    progress: Progress = handle.state()
    return f"{handle.workflow_id}: {progress.step} ({len(progress.done)}/{progress.total})"


def main() -> None:
    executor = SerialExecutor()
    handle = executor.start(Publishing, "launch", ["mp4", "webm", "hls"], workflow_id="launch")
    executor.run_until_idle()
    print(status_page(handle))
    handle.signal("publish")
    handle.result()
    print(status_page(handle))
    decisions = [
        e["decisionTaskCompletedEventAttributes"]
        for e in handle.history()
        if e["eventType"] == "DecisionTaskCompleted"
    ]
    sent = sum(1 for attrs in decisions if "executionContext" in attrs)
    print(f"{sent} of {len(decisions)} decisions changed the state and sent it")


if __name__ == "__main__":
    main()
