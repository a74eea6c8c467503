"""``S3Store``: payloads as S3 objects, over boto3.

Missing objects become :class:`PayloadNotFoundError`; every other botocore error (access
denied, unreachable endpoint, throttling after botocore's own retries) becomes
:class:`DataStoreError` naming the bucket, key and operation, with the botocore error as its
``__cause__``. Objects are written with one ``PutObject``, so S3's 5 GiB single-upload limit is
the store's ``max_size``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ...exceptions import DataStoreError, PayloadNotFoundError
from ._stores import DataStore

__all__ = ["S3Store"]

S3_MAX_PUT = 5 * 1024**3
"""S3's largest single ``PutObject``."""

_MISSING = {"NoSuchKey", "404", "NotFound"}
_DELETE_BATCH = 1000
"""``DeleteObjects`` takes at most 1,000 keys per call."""


class S3Store(DataStore):
    """Payloads in ``s3://bucket/prefix``.

    ``client``: a boto3 S3 client (default: ``boto3.client("s3")``). ``sse``: server-side
    encryption (``"AES256"`` or ``"aws:kms"``, with ``kms_key_id`` for a customer key).

    >>> store = S3Store("my-bucket", prefix="swf/")                  # doctest: +SKIP
    >>> SWFExecutor(domain="shop", client=swf, data_store=store)     # doctest: +SKIP

    Give the prefix a lifecycle rule (:meth:`lifecycle_rule`) so objects of old executions
    expire even when no one calls ``delete_payloads``.
    """

    max_size = S3_MAX_PUT

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        client: Any = None,
        sse: str | None = None,
        kms_key_id: str | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("S3Store needs a bucket name")
        if kms_key_id and sse not in (None, "aws:kms", "aws:kms:dsse"):
            raise ValueError(f"kms_key_id needs sse='aws:kms', not {sse!r}")
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.bucket = bucket
        self.prefix = prefix
        self.client = client
        self.sse = "aws:kms" if kms_key_id and sse is None else sse
        self.kms_key_id = kms_key_id

    @property
    def reference(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _error(self, operation: str, key: str, exc: Exception) -> DataStoreError:
        location = f"s3://{self.bucket}/{self.prefix}{key}"
        code = _code(exc)
        if code in _MISSING:
            return PayloadNotFoundError(f"no object {location}", store=self.reference, key=key)
        detail = f"{code}: {exc}" if code else f"{type(exc).__name__}: {exc}"
        return DataStoreError(
            f"S3 {operation} of {location} failed ({detail}); check the bucket, the "
            "credentials' s3 permissions and the endpoint",
            store=self.reference,
            key=key,
        )

    def put(self, key: str, data: bytes) -> None:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.prefix + key, "Body": data}
        if self.sse:
            params["ServerSideEncryption"] = self.sse
        if self.kms_key_id:
            params["SSEKMSKeyId"] = self.kms_key_id
        try:
            self.client.put_object(**params)
        except Exception as exc:  # noqa: BLE001 - every botocore failure is wrapped
            raise self._error("PutObject", key, exc) from exc

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            return bytes(response["Body"].read())
        except Exception as exc:  # noqa: BLE001
            raise self._error("GetObject", key, exc) from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)
        except Exception as exc:  # noqa: BLE001
            raise self._error("DeleteObject", key, exc) from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except Exception as exc:  # noqa: BLE001
            error = self._error("HeadObject", key, exc)
            if isinstance(error, PayloadNotFoundError):
                return False
            raise error from exc
        return True

    def keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        start = len(self.prefix)
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for item in page.get("Contents") or ():
                    yield item["Key"][start:]
        except Exception as exc:  # noqa: BLE001
            raise self._error("ListObjectsV2", prefix, exc) from exc

    def delete_many(self, keys: Iterable[str]) -> int:
        batch: list[str] = []
        count = 0
        for key in keys:
            batch.append(key)
            if len(batch) >= _DELETE_BATCH:
                count += self._delete_batch(batch)
                batch = []
        if batch:
            count += self._delete_batch(batch)
        return count

    def _delete_batch(self, keys: list[str]) -> int:
        objects = [{"Key": self.prefix + key} for key in keys]
        try:
            response = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
            )
        except Exception as exc:  # noqa: BLE001
            raise self._error("DeleteObjects", keys[0], exc) from exc
        errors = response.get("Errors") or []
        if errors:
            first = errors[0]
            raise DataStoreError(
                f"S3 DeleteObjects in s3://{self.bucket} failed for {len(errors)} of "
                f"{len(keys)} objects, first {first.get('Key')}: {first.get('Code')} "
                f"{first.get('Message')}",
                store=self.reference,
                key=str(first.get("Key", "")),
            )
        return len(keys)

    def lifecycle_rule(self, days: int, rule_id: str = "swfobjects-payloads") -> dict[str, Any]:
        """An S3 lifecycle rule expiring this store's objects ``days`` after they were written.

        Add it to the bucket's existing rules (``put_bucket_lifecycle_configuration`` replaces
        the whole list). Pick ``days`` above the domain's execution retention period plus the
        longest execution, or open executions lose their payloads.

        >>> S3Store("b", "swf/", client=object()).lifecycle_rule(40)["Expiration"]
        {'Days': 40}
        """
        if days < 1:
            raise ValueError("lifecycle rules expire after at least 1 day")
        return {
            "ID": rule_id,
            "Filter": {"Prefix": self.prefix},
            "Status": "Enabled",
            "Expiration": {"Days": days},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error") or {}
        return str(error.get("Code") or "")
    return ""
