"""Driving workflows from outside: register types, start executions, follow them.

:class:`SWFExecutor` does it on Amazon SWF (or any SWF endpoint) through a boto3 client made
by :func:`swf_client`; :class:`WorkflowHandle` is one started execution (result, history,
signal, cancel, terminate). :class:`ExecutorBase` is what every executor shares, the
SerialExecutor included.
"""

from ._executor import ExecutorBase
from ._handle import WorkflowHandle
from ._swf_executor import SWFExecutor, swf_client

__all__ = ["ExecutorBase", "SWFExecutor", "WorkflowHandle", "swf_client"]
