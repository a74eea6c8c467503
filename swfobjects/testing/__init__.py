"""Running workflows without AWS, for tests and local development.

:class:`SerialExecutor` runs whole workflows in one thread against the in-memory SWF model,
through the same client seam, decider and activity runner as production workers.
:class:`LocalSWF` (from :mod:`swfobjects.local`) serves that model over HTTP, for tests of
the real workers and of boto3 code. :class:`LocalEnvironment` is an SWF executor on such a
service whose pollers start for the workflows a test runs; :class:`ActivityEnvironment` runs one
activity as a worker would, without a workflow. :mod:`.pytest_plugin` offers all of them as
pytest fixtures (``swf_executor``, ``swf_frozen``, ``swf_local``, ``swf_activity``,
``swf_replay``).
:class:`Replayer` checks recorded histories (SWF's ``GetWorkflowExecutionHistory`` JSON, see
:func:`read_history`) against today's workflow code.
"""

from ..exceptions import HistoryFileError
from ..local import LocalSWF
from ._environment import ActivityEnvironment, LocalEnvironment
from ._histories import read_history, write_history
from ._replayer import Replayer, ReplayResult
from ._serial import SerialExecutor

__all__ = [
    "ActivityEnvironment",
    "HistoryFileError",
    "LocalEnvironment",
    "LocalSWF",
    "ReplayResult",
    "Replayer",
    "SerialExecutor",
    "read_history",
    "write_history",
]
