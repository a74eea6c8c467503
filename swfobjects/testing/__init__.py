"""Running workflows without AWS, for tests and local development.

:class:`SerialExecutor` runs whole workflows in one thread against the in-memory SWF model,
through the same client seam, decider and activity runner as production workers.
:class:`LocalSWF` (from :mod:`swfobjects.local`) serves that model over HTTP, for tests of
the real workers and of boto3 code. :class:`Replayer` checks recorded histories (SWF's
``GetWorkflowExecutionHistory`` JSON, see :func:`read_history`) against today's workflow code.
"""

from ..exceptions import HistoryFileError
from ..local import LocalSWF
from ._histories import read_history, write_history
from ._replayer import Replayer, ReplayResult
from ._serial import SerialExecutor

__all__ = [
    "HistoryFileError",
    "LocalSWF",
    "ReplayResult",
    "Replayer",
    "SerialExecutor",
    "read_history",
    "write_history",
]
