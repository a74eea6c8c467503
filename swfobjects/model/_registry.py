"""The registry of the SWF model: domains and activity/workflow types.

The lowest collaborator with SWF semantics: it depends only on the records, the pager and the
runtime (for creation dates). Everything else looks domains and types up here.
"""

from __future__ import annotations

from typing import Any

from ..swf.limits import MAX_VERSION
from ..swf.values import retention_problem
from ._paging import paged
from ._params import CHILD_POLICIES, REGISTRATION_STATUSES, check_new_name, choice, merged_tags
from ._params import name as _name
from ._params import priority as _priority
from ._params import timeout as _timeout
from ._runtime import Runtime
from ._state import Domain, Handler, SwfFault, TypeRecord

__all__ = ["Registry"]

_ACTIVITY_DEFAULTS = (
    "defaultTaskStartToCloseTimeout",
    "defaultTaskHeartbeatTimeout",
    "defaultTaskList",
    "defaultTaskPriority",
    "defaultTaskScheduleToStartTimeout",
    "defaultTaskScheduleToCloseTimeout",
)
_WORKFLOW_DEFAULTS = (
    "defaultTaskStartToCloseTimeout",
    "defaultExecutionStartToCloseTimeout",
    "defaultTaskList",
    "defaultTaskPriority",
    "defaultChildPolicy",
    "defaultLambdaRole",
)
_EXECUTION_TIMEOUT = "defaultExecutionStartToCloseTimeout"


class Registry:
    """RegisterDomain ... DeleteWorkflowType, on ``domains`` and ``types``."""

    __slots__ = ("domains", "types", "_runtime")

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self.domains: dict[str, Domain] = {}
        self.types: dict[tuple[str, str, str, str], TypeRecord] = {}

    def operations(self) -> dict[str, Handler]:
        """The SWF operations this collaborator serves, by name."""
        return {
            "RegisterDomain": self.register_domain,
            "DescribeDomain": self.describe_domain,
            "ListDomains": self.list_domains,
            "DeprecateDomain": self.deprecate_domain,
            "UndeprecateDomain": self.undeprecate_domain,
            "RegisterActivityType": self.register_activity_type,
            "RegisterWorkflowType": self.register_workflow_type,
            "DescribeActivityType": self.describe_activity_type,
            "DescribeWorkflowType": self.describe_workflow_type,
            "ListActivityTypes": self.list_activity_types,
            "ListWorkflowTypes": self.list_workflow_types,
            "DeprecateActivityType": self.deprecate_activity_type,
            "UndeprecateActivityType": self.undeprecate_activity_type,
            "DeprecateWorkflowType": self.deprecate_workflow_type,
            "UndeprecateWorkflowType": self.undeprecate_workflow_type,
            "DeleteActivityType": self.delete_activity_type,
            "DeleteWorkflowType": self.delete_workflow_type,
        }

    # --- lookups used by the other collaborators ----------------------------------------

    def domain(self, name: Any, *, registered: bool = True) -> Domain:
        """The domain called ``name``; SWF's fault if unknown (or deprecated, if
        ``registered``)."""
        if not isinstance(name, str):
            raise SwfFault("ValidationException", "domain must be a string")
        domain = self.domains.get(name)
        if domain is None:
            raise SwfFault("UnknownResourceFault", f"Unknown domain: {name}")
        if registered and domain.status != "REGISTERED":
            raise SwfFault("DomainDeprecatedFault", f"Domain is deprecated: {name}")
        return domain

    # --- domains ------------------------------------------------------------------------

    def register_domain(self, params: dict[str, Any]) -> dict[str, Any]:
        name = check_new_name(_name(params, "name"), "name")
        if name in self.domains:
            raise SwfFault("DomainAlreadyExistsFault", f"Domain already exists: {name}")
        retention = params["workflowExecutionRetentionPeriodInDays"]
        problem = retention_problem(retention)
        if problem is not None:
            raise SwfFault(
                "ValidationException", f"workflowExecutionRetentionPeriodInDays {problem}"
            )
        tags = merged_tags({}, params.get("tags") or [])
        limit = self._runtime.quotas.domains
        if len(self.domains) >= limit:
            raise SwfFault(
                "LimitExceededFault",
                f"Cannot register domain {name}: the quota of {limit} registered and deprecated "
                "domains is reached (swfobjects local --quota domains=N raises it)",
            )
        domain = Domain(name, retention, params.get("description"))
        domain.tags = tags
        self.domains[name] = domain
        return {}

    def domain_info(self, domain: Domain) -> dict[str, Any]:
        """SWF's ``DomainInfo``, with the domain's ARN in the call's region and account."""
        runtime = self._runtime
        info: dict[str, Any] = {
            "name": domain.name,
            "status": domain.status,
            "arn": f"arn:aws:swf:{runtime.region}:{runtime.account_id}:/domain/{domain.name}",
        }
        if domain.description:
            info["description"] = domain.description
        return info

    def describe_domain(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self.domain(params.get("name"), registered=False)
        return {
            "domainInfo": self.domain_info(domain),
            "configuration": {"workflowExecutionRetentionPeriodInDays": domain.retention},
        }

    def list_domains(self, params: dict[str, Any]) -> dict[str, Any]:
        status = choice(params, "registrationStatus", REGISTRATION_STATUSES, required=True)
        found = [self.domain_info(d) for d in self.domains.values() if d.status == status]
        found.sort(key=lambda info: info["name"], reverse=bool(params.get("reverseOrder")))
        return paged(found, "domainInfos", params)

    def deprecate_domain(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self.domain(params.get("name"), registered=False)
        if domain.status == "DEPRECATED":
            raise SwfFault("DomainDeprecatedFault", f"Domain already deprecated: {domain.name}")
        domain.status = "DEPRECATED"
        return {}

    def undeprecate_domain(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self.domain(params.get("name"), registered=False)
        if domain.status == "REGISTERED":
            raise SwfFault("DomainAlreadyExistsFault", f"Domain is registered: {domain.name}")
        domain.status = "REGISTERED"
        return {}

    # --- types --------------------------------------------------------------------------

    def _register(self, kind: str, params: dict[str, Any], default_keys: tuple[str, ...]) -> None:
        for option in default_keys:  # checked first: SWF checks a request before looking up
            if option.endswith("Timeout"):
                # SWF: an execution may not run without a limit (one year at most)
                _timeout(params.get(option), option, allow_none=option != _EXECUTION_TIMEOUT)
        _priority(params.get("defaultTaskPriority"), "defaultTaskPriority")
        choice(params, "defaultChildPolicy", CHILD_POLICIES)
        domain = self.domain(params.get("domain")).name
        name = check_new_name(_name(params, "name"), "name")
        version = check_new_name(_name(params, "version"), "version")
        if len(version) > MAX_VERSION:
            raise SwfFault("ValidationException", f"version is limited to {MAX_VERSION} characters")
        key = (kind, domain, name, version)
        if key in self.types:
            raise SwfFault(
                "TypeAlreadyExistsFault",
                f"{'ActivityType' if kind == 'activity' else 'WorkflowType'}=[name={name}, "
                f"version={version}]",
            )
        self._check_type_quota(kind, domain)
        defaults = {k: params[k] for k in default_keys if params.get(k) is not None}
        self.types[key] = TypeRecord(
            kind, name, version, params.get("description"), defaults, self._runtime.now()
        )

    def _check_type_quota(self, kind: str, domain: str) -> None:
        """SWF's ``LimitExceededFault`` if ``domain`` has its quota of types of ``kind``."""
        quota = "activity_types" if kind == "activity" else "workflow_types"
        limit: int = getattr(self._runtime.quotas, quota)
        if len(self.types) < limit:  # the quota is per domain and kind: cheap bound first
            return
        count = sum(1 for key in self.types if key[0] == kind and key[1] == domain)
        if count >= limit:
            raise SwfFault(
                "LimitExceededFault",
                f"Cannot register another {kind} type in domain {domain}: the quota of {limit} "
                f"registered and deprecated {kind} types is reached (--quota {quota}=N)",
            )

    def register_activity_type(self, params: dict[str, Any]) -> dict[str, Any]:
        self._register("activity", params, _ACTIVITY_DEFAULTS)
        return {}

    def register_workflow_type(self, params: dict[str, Any]) -> dict[str, Any]:
        self._register("workflow", params, _WORKFLOW_DEFAULTS)
        return {}

    def _type(self, kind: str, params: dict[str, Any]) -> TypeRecord:
        """The type the request names; SWF's fault if unknown."""
        domain = self.domain(params.get("domain"), registered=False).name
        ref = params[f"{kind}Type"]
        record = self.types.get((kind, domain, ref["name"], ref["version"]))
        if record is None:
            label = "ActivityType" if kind == "activity" else "WorkflowType"
            raise SwfFault(
                "UnknownResourceFault",
                f"Unknown type: {label}=[name={ref['name']}, version={ref['version']}]",
            )
        return record

    def _type_info(self, record: TypeRecord) -> dict[str, Any]:
        info: dict[str, Any] = {
            f"{record.kind}Type": {"name": record.name, "version": record.version},
            "status": record.status,
            "creationDate": record.creation,
        }
        if record.description:
            info["description"] = record.description
        if record.deprecation is not None:
            info["deprecationDate"] = record.deprecation
        return info

    def describe_activity_type(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._type("activity", params)
        return {"typeInfo": self._type_info(record), "configuration": dict(record.defaults)}

    def describe_workflow_type(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._type("workflow", params)
        return {"typeInfo": self._type_info(record), "configuration": dict(record.defaults)}

    def _list_types(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        status = choice(params, "registrationStatus", REGISTRATION_STATUSES, required=True)
        domain = self.domain(params.get("domain"), registered=False).name
        name = params.get("name")
        found = [
            self._type_info(r)
            for (k, d, n, _), r in self.types.items()
            if k == kind and d == domain and r.status == status and (name is None or n == name)
        ]
        found.sort(
            key=lambda i: (i[f"{kind}Type"]["name"], i[f"{kind}Type"]["version"]),
            reverse=bool(params.get("reverseOrder")),
        )
        return paged(found, "typeInfos", params)

    def list_activity_types(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._list_types("activity", params)

    def list_workflow_types(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._list_types("workflow", params)

    def _set_status(self, kind: str, params: dict[str, Any], status: str) -> None:
        record = self._type(kind, params)
        if record.status == status:
            code = "TypeDeprecatedFault" if status == "DEPRECATED" else "TypeAlreadyExistsFault"
            raise SwfFault(code, f"type is already {status.lower()}")
        record.status = status
        record.deprecation = self._runtime.now() if status == "DEPRECATED" else None

    def deprecate_activity_type(self, params: dict[str, Any]) -> dict[str, Any]:
        self._set_status("activity", params, "DEPRECATED")
        return {}

    def undeprecate_activity_type(self, params: dict[str, Any]) -> dict[str, Any]:
        self._set_status("activity", params, "REGISTERED")
        return {}

    def deprecate_workflow_type(self, params: dict[str, Any]) -> dict[str, Any]:
        self._set_status("workflow", params, "DEPRECATED")
        return {}

    def undeprecate_workflow_type(self, params: dict[str, Any]) -> dict[str, Any]:
        self._set_status("workflow", params, "REGISTERED")
        return {}

    def _delete(self, kind: str, params: dict[str, Any]) -> None:
        record = self._type(kind, params)
        if record.status != "DEPRECATED":
            raise SwfFault("TypeNotDeprecatedFault", "only a deprecated type can be deleted")
        domain = params["domain"]
        del self.types[(kind, domain, record.name, record.version)]

    def delete_activity_type(self, params: dict[str, Any]) -> dict[str, Any]:
        self._delete("activity", params)
        return {}

    def delete_workflow_type(self, params: dict[str, Any]) -> dict[str, Any]:
        self._delete("workflow", params)
        return {}
