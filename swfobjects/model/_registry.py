"""Domain and type registration operations of the SWF model (a mixin of ``SwfModel``)."""

from __future__ import annotations

from typing import Any

from ._core import ModelCore, _page_token, _read_page_token
from ._state import Domain, SwfFault, TypeRecord

__all__ = ["TypesMixin"]

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


class TypesMixin(ModelCore):
    """RegisterDomain ... DeleteWorkflowType, on ``self.domains`` and ``self.types``."""

    # --- domains ------------------------------------------------------------------------

    def op_RegisterDomain(self, params: dict[str, Any]) -> dict[str, Any]:
        name = self._name(params, "name")
        if name in self.domains:
            raise SwfFault("DomainAlreadyExistsFault", f"Domain already exists: {name}")
        retention = str(params["workflowExecutionRetentionPeriodInDays"])
        if not (retention == "NONE" or (retention.isdigit() and 0 <= int(retention) <= 90)):
            raise SwfFault(
                "ValidationException",
                "workflowExecutionRetentionPeriodInDays must be 0..90 or NONE",
            )
        domain = Domain(name, retention, params.get("description"))
        for tag in params.get("tags") or []:
            domain.tags[tag["key"]] = tag.get("value", "")
        self.domains[name] = domain
        return {}

    def _domain_info(self, domain: Domain) -> dict[str, Any]:
        info: dict[str, Any] = {
            "name": domain.name,
            "status": domain.status,
            "arn": f"arn:aws:swf:local:000000000000:/domain/{domain.name}",
        }
        if domain.description:
            info["description"] = domain.description
        return info

    def op_DescribeDomain(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("name"), registered=False)
        return {
            "domainInfo": self._domain_info(domain),
            "configuration": {"workflowExecutionRetentionPeriodInDays": domain.retention},
        }

    def op_ListDomains(self, params: dict[str, Any]) -> dict[str, Any]:
        status = params["registrationStatus"]
        found = [self._domain_info(d) for d in self.domains.values() if d.status == status]
        found.sort(key=lambda info: info["name"], reverse=bool(params.get("reverseOrder")))
        return _paged(found, "domainInfos", params)

    def op_DeprecateDomain(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("name"), registered=False)
        if domain.status == "DEPRECATED":
            raise SwfFault("DomainDeprecatedFault", f"Domain already deprecated: {domain.name}")
        domain.status = "DEPRECATED"
        return {}

    def op_UndeprecateDomain(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("name"), registered=False)
        if domain.status == "REGISTERED":
            raise SwfFault("DomainAlreadyExistsFault", f"Domain is registered: {domain.name}")
        domain.status = "REGISTERED"
        return {}

    # --- types --------------------------------------------------------------------------

    def _register(self, kind: str, params: dict[str, Any], default_keys: tuple[str, ...]) -> None:
        domain = self._domain(params.get("domain")).name
        name = self._name(params, "name")
        version = self._name(params, "version")
        if len(version) > 64:
            raise SwfFault("ValidationException", "version is limited to 64 characters")
        key = (kind, domain, name, version)
        if key in self.types:
            raise SwfFault(
                "TypeAlreadyExistsFault",
                f"{'ActivityType' if kind == 'activity' else 'WorkflowType'}=[name={name}, "
                f"version={version}]",
            )
        defaults = {k: params[k] for k in default_keys if params.get(k) is not None}
        self.types[key] = TypeRecord(
            kind, name, version, params.get("description"), defaults, self.now()
        )

    def op_RegisterActivityType(self, params: dict[str, Any]) -> dict[str, Any]:
        self._register("activity", params, _ACTIVITY_DEFAULTS)
        return {}

    def op_RegisterWorkflowType(self, params: dict[str, Any]) -> dict[str, Any]:
        self._register("workflow", params, _WORKFLOW_DEFAULTS)
        return {}

    def _type(self, kind: str, params: dict[str, Any]) -> TypeRecord:
        domain = self._domain(params.get("domain"), registered=False).name
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

    def op_DescribeActivityType(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._type("activity", params)
        return {"typeInfo": self._type_info(record), "configuration": dict(record.defaults)}

    def op_DescribeWorkflowType(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self._type("workflow", params)
        return {"typeInfo": self._type_info(record), "configuration": dict(record.defaults)}

    def _list_types(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        domain = self._domain(params.get("domain"), registered=False).name
        status = params["registrationStatus"]
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
        return _paged(found, "typeInfos", params)

    def op_ListActivityTypes(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._list_types("activity", params)

    def op_ListWorkflowTypes(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._list_types("workflow", params)

    def _set_status(self, kind: str, params: dict[str, Any], status: str) -> None:
        record = self._type(kind, params)
        if record.status == status:
            code = "TypeDeprecatedFault" if status == "DEPRECATED" else "TypeAlreadyExistsFault"
            raise SwfFault(code, f"type is already {status.lower()}")
        record.status = status
        record.deprecation = self.now() if status == "DEPRECATED" else None

    def op_DeprecateActivityType(self, params: dict[str, Any]) -> dict[str, Any]:
        self._set_status("activity", params, "DEPRECATED")
        return {}

    def op_UndeprecateActivityType(self, params: dict[str, Any]) -> dict[str, Any]:
        self._set_status("activity", params, "REGISTERED")
        return {}

    def op_DeprecateWorkflowType(self, params: dict[str, Any]) -> dict[str, Any]:
        self._set_status("workflow", params, "DEPRECATED")
        return {}

    def op_UndeprecateWorkflowType(self, params: dict[str, Any]) -> dict[str, Any]:
        self._set_status("workflow", params, "REGISTERED")
        return {}

    def _delete(self, kind: str, params: dict[str, Any]) -> None:
        record = self._type(kind, params)
        if record.status != "DEPRECATED":
            raise SwfFault("TypeNotDeprecatedFault", "only a deprecated type can be deleted")
        domain = params["domain"]
        del self.types[(kind, domain, record.name, record.version)]

    def op_DeleteActivityType(self, params: dict[str, Any]) -> dict[str, Any]:
        self._delete("activity", params)
        return {}

    def op_DeleteWorkflowType(self, params: dict[str, Any]) -> dict[str, Any]:
        self._delete("workflow", params)
        return {}


def _paged(items: list[Any], key: str, params: dict[str, Any]) -> dict[str, Any]:
    """One page of ``items`` under ``key``, SWF style (``maximumPageSize``, ``nextPageToken``)."""
    size = int(params.get("maximumPageSize") or 1000)
    if not 1 <= size <= 1000:
        raise SwfFault("ValidationException", "maximumPageSize must be 1..1000")
    offset = 0
    if params.get("nextPageToken"):
        offset = int(_read_page_token(params["nextPageToken"]).get("o", 0))
    response: dict[str, Any] = {key: items[offset : offset + size]}
    if offset + size < len(items):
        response["nextPageToken"] = _page_token({"o": offset + size})
    return response
