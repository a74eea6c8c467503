"""Out-of-band payload throughput: encode + put + get + decode, in MB/s.

Each round encodes a string value through ``Payloads`` with an ``OffloadingStore`` that sends
every payload out of band (``always=True``), then decodes the reference with a cold cache, so
every round really writes and reads the store. Sizes: 1 KB, 100 KB, 5 MB; stores: MemoryStore,
FileStore (a temporary directory), S3Store against moto's S3 on 127.0.0.1 (``--s3``); with and
without gzip. Payload text is random hex (compresses about 2:1, like real-world JSON often does
not), or repetitive JSON with ``--json``.

    python3 benchmarks/payloads.py [--s3] [--json] [--rounds N] [--level 1-9]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from swfobjects.payloads._codecs import codec_for
from swfobjects.payloads._payload import Payloads
from swfobjects.storage import DataStore, FileStore, MemoryStore, OffloadingStore, PayloadCache

SIZES = {"1 KB": 1024, "100 KB": 100 * 1024, "5 MB": 5 * 1024 * 1024}
SCOPE = {"workflow_id": "bench", "run_id": "run"}


def make_value(size: int, as_json: bool) -> Any:
    if as_json:
        row = {"sku": "ABC-123", "qty": 1, "price": 1999, "tags": ["a", "b"]}
        count = max(1, size // len(json.dumps(row)))
        return [dict(row, qty=i) for i in range(count)]
    return random.Random(size).randbytes(size // 2).hex()


def measure(store: DataStore, value: Any, compress: bool, rounds: int, level: int = 6) -> float:
    """Median seconds for one encode + put + get + decode."""
    codec = codec_for(type(value))
    times = []
    for _ in range(rounds):
        writer = Payloads(
            store=OffloadingStore(
                store,
                domain="bench",
                always=True,
                compress=compress,
                compress_level=level,
                cache=PayloadCache(0),
            )
        )
        reader = Payloads(store=OffloadingStore(store, domain="bench", cache=PayloadCache(0)))
        start = time.perf_counter()
        text = writer.encode(value, codec, "bench value", SCOPE)
        decoded = reader.decode(text, codec, "bench value")
        times.append(time.perf_counter() - start)
        assert decoded == value
    return statistics.median(times)


@contextmanager
def s3_store() -> Iterator[DataStore]:
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        client = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        client.create_bucket(Bucket="bench")
        from swfobjects.storage import S3Store

        yield S3Store("bench", prefix="bench/", client=client)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--s3", action="store_true", help="also moto's S3 over HTTP")
    parser.add_argument("--json", action="store_true", help="repetitive JSON, not random hex")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--level", type=int, default=6, help="gzip level (default 6)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    stores: list[tuple[str, Callable[[], Any]]] = [
        ("memory", lambda: _nullcontext(MemoryStore())),
        ("file", lambda: _file_store()),
    ]
    if args.s3:
        stores.append(("s3 (moto)", s3_store))
    print(f"{'store':<10} {'gzip':<5} {'size':>7} {'median ms':>10} {'MB/s':>8}")
    for name, factory in stores:
        with factory() as store:
            for compress in (False, True):
                for label, size in SIZES.items():
                    value = make_value(size, args.json)
                    chars = len(json.dumps(value))
                    seconds = measure(store, value, compress, args.rounds, args.level)
                    rate = chars / seconds / 1e6
                    flag = "yes" if compress else "no"
                    print(f"{name:<10} {flag:<5} {label:>7} {seconds * 1e3:>10.2f} {rate:>8.1f}")


@contextmanager
def _nullcontext(store: DataStore) -> Iterator[DataStore]:
    yield store


@contextmanager
def _file_store() -> Iterator[DataStore]:
    with tempfile.TemporaryDirectory() as directory:
        yield FileStore(directory)


if __name__ == "__main__":
    main()
