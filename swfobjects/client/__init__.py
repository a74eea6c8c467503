"""swfobjects.client: start, watch and control workflow executions on SWF (boto3)."""

from ._handle import WorkflowHandle
from ._swf_executor import SWFExecutor, swf_client

__all__ = ["SWFExecutor", "WorkflowHandle", "swf_client"]
