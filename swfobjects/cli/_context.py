"""What every verb needs: the user's classes, the executor, the data store, one-line errors.

``MODULE[:NAME ...]`` names the user's own code on their command line: the module is imported
(the current directory first on ``sys.path``, as ``python -m`` does) and the Workflow and
ActivityWorker classes in it (or the ``NAME``\\ s given) are used.

The connection is boto3's usual one (environment, profile, ``AWS_ENDPOINT_URL_SWF``), plus
``--endpoint-url`` and ``--region``. ``swfobjects local`` checks no signature, so for a
loopback endpoint the CLI supplies placeholder credentials and region when boto3 finds none.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from ..client._handle import WorkflowHandle
from ..client._swf_executor import SWFExecutor, swf_client
from ..payloads.storage._offload import OffloadingStore
from ..payloads.storage._s3 import S3Store
from ..payloads.storage._stores import DataStore, FileStore
from ..worker._interceptors import Interceptor

__all__ = [
    "CommandError",
    "Context",
    "data_store_from",
    "load_classes",
    "load_workflow",
]

DOMAIN_VARIABLE = "SWFOBJECTS_DOMAIN"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class CommandError(Exception):
    """A command cannot do what was asked; ``status`` is the exit status (1, or 2 for usage).

    The message is printed as one line, without a traceback.
    """

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def load_classes(spec: str) -> list[type]:
    """The Workflow and ActivityWorker classes ``MODULE[:NAME[,NAME...]]`` names.

    Without names: every such class *defined* in the module (not those it imports).
    """
    module_name, _, names = spec.partition(":")
    module = _import(module_name)
    if names:
        found = []
        for name in names.split(","):
            value = getattr(module, name, None)
            if value is None:
                raise CommandError(f"{module_name} has no {name!r}", 2)
            if not _is_swf_class(value):
                raise CommandError(
                    f"{module_name}:{name} is not a Workflow or ActivityWorker class", 2
                )
            found.append(value)
        return found
    found = [
        value
        for value in vars(module).values()
        if _is_swf_class(value) and value.__module__ == module.__name__
    ]
    if not found:
        raise CommandError(f"{module_name} defines no Workflow or ActivityWorker class", 2)
    return found


def load_workflow(spec: str) -> type:
    """The one Workflow class ``MODULE:CLASS`` names."""
    if ":" not in spec:
        raise CommandError(f"name the workflow class: {spec}:CLASS", 2)
    classes = load_classes(spec)
    workflows = [c for c in classes if is_workflow(c)]
    if len(classes) != 1 or not workflows:
        raise CommandError(f"{spec} is not one Workflow class", 2)
    return workflows[0]


def is_workflow(value: Any) -> bool:
    """True for a Workflow class."""
    return isinstance(value, type) and hasattr(value, "_swf_workflow")


def _is_swf_class(value: Any) -> bool:
    return isinstance(value, type) and (
        hasattr(value, "_swf_workflow") or hasattr(value, "_swf_activities")
    )


def _import(module_name: str) -> Any:
    if not module_name:
        raise CommandError("give a module: MODULE[:NAME]", 2)
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise CommandError(
                f"no module named {module_name!r} (run from the directory that holds it, or set "
                "PYTHONPATH)",
                2,
            ) from None
        raise


def load_interceptor(spec: str) -> Interceptor:
    """The interceptor ``MODULE:NAME`` names: an :class:`Interceptor` object, or a subclass
    made with no arguments (``swfobjects.otel:TracingInterceptor``)."""
    module_name, _, name = spec.partition(":")
    if not name:
        raise CommandError(f"--interceptor {spec!r}: give MODULE:NAME", 2)
    value = getattr(_import(module_name), name, None)
    if isinstance(value, type) and issubclass(value, Interceptor):
        try:
            value = value()
        except TypeError as exc:
            raise CommandError(
                f"--interceptor {spec}: cannot make one with no arguments ({exc}); name an "
                "Interceptor object made in that module instead",
                2,
            ) from None
    if not isinstance(value, Interceptor):
        raise CommandError(
            f"--interceptor {spec}: {module_name} has no Interceptor (object or subclass) "
            f"named {name!r}",
            2,
        )
    return value


def data_store_from(spec: str | None) -> DataStore | OffloadingStore | None:
    """A data store from ``s3://BUCKET/PREFIX``, ``file:///DIR``, a directory, or ``MODULE:NAME``
    (a store object in the user's code)."""
    if not spec:
        return None
    if spec.startswith("s3://"):
        parsed = urlparse(spec)
        return S3Store(parsed.netloc, prefix=parsed.path.lstrip("/"))
    if spec.startswith("file://"):
        return FileStore(urlparse(spec).path)
    if os.path.isdir(spec):
        return FileStore(spec)
    module_name, colon, name = spec.partition(":")
    if colon and module_name and name:
        value = getattr(_import(module_name), name, None)
        if isinstance(value, (DataStore, OffloadingStore)):
            return value
        raise CommandError(f"{spec} is not a swfobjects DataStore or OffloadingStore", 2)
    raise CommandError(
        f"--data-store {spec!r}: give s3://BUCKET/PREFIX, file:///DIR, an existing directory or "
        "MODULE:NAME",
        2,
    )


@dataclass
class Context:
    """The parsed command line (and ``argv``, which ``worker`` hands to its children), and the
    executor made from its global options on first use."""

    args: argparse.Namespace
    argv: list[str]
    _executor: SWFExecutor | None = None

    @property
    def json(self) -> bool:
        """``--json``: machine-readable output."""
        return bool(getattr(self.args, "json", False))

    @property
    def domain(self) -> str:
        """``--domain`` or ``$SWFOBJECTS_DOMAIN``."""
        domain = getattr(self.args, "domain", None) or os.environ.get(DOMAIN_VARIABLE)
        if not domain:
            raise CommandError(f"no domain: pass --domain NAME or set {DOMAIN_VARIABLE}", 2)
        return domain

    @property
    def executor(self) -> SWFExecutor:
        """An :class:`SWFExecutor` for the domain, endpoint, region and data store given."""
        if self._executor is None:
            self._executor = SWFExecutor(
                self.domain,
                client=self._client(),
                data_store=data_store_from(getattr(self.args, "data_store", None)),
                interceptors=[
                    load_interceptor(spec) for spec in getattr(self.args, "interceptor", None) or ()
                ],
            )
        return self._executor

    def _client(self) -> Any:
        import boto3

        endpoint = getattr(self.args, "endpoint_url", None)
        region = getattr(self.args, "region", None)
        session = boto3.session.Session()
        loopback = urlparse(endpoint or os.environ.get("AWS_ENDPOINT_URL_SWF") or "").hostname in (
            _LOOPBACK
        )
        if loopback and session.get_credentials() is None:
            session = boto3.session.Session(
                aws_access_key_id="swfobjects-local",
                aws_secret_access_key="swfobjects-local",
                region_name=region or session.region_name or "us-east-1",
            )
        if loopback and not (region or session.region_name):
            region = "us-east-1"
        return swf_client(session, endpoint_url=endpoint, region_name=region)

    def handle(self, workflow_id: str, run_id: str | None = None) -> WorkflowHandle[Any]:
        """The handle of ``workflow_id`` (its open run, else its latest, unless ``run_id``)."""
        try:
            return self.executor.get_handle(workflow_id, run_id or None)
        except LookupError as exc:
            raise CommandError(str(exc.args[0]) if exc.args else str(exc)) from None
