"""Running workflows without AWS, for tests and local development.

:class:`SerialExecutor` runs whole workflows in one thread against the in-memory SWF model,
through the same client seam, decider and activity runner as production workers.
:class:`LocalSWF` (from :mod:`swfobjects.local`) serves that model over HTTP, for tests of
the real workers and of boto3 code.
"""

from ..local import LocalSWF
from ._serial import SerialExecutor

__all__ = ["LocalSWF", "SerialExecutor"]
