"""The compiled half of writing a whole index: postings cut, filed and encoded into shard files.

writer.py makes the cards and, a batch of documents at a time, the code points terms are cut from
(terms.Batch, saved under the spill folder), in workers forked from the build. The rest runs Numba's machine
code (kernels.py), and loading Numba adds ~150 MB to a process. At county scale the build holds the site model
(~450 MB at N = 20,000): with Numba on top it, or a fork of it, would be the largest process of the build. So a
big index's compiled half runs in a fresh Python process (`Compiled`), which loads Numba while the cards are
being written and forks its own workers; a small one runs here.

    spill/points-*.npz    a batch of documents' code points (save_batch)
    spill/points-*.bin    that batch's postings, (shard, packed posting) in shard order, after where each
                          bucket starts: an encoding worker reads its bucket's slice of every batch
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from ...core import workers
from . import terms

BUCKETS = 256  # encoded a bucket at a time: at N = 20,000, 64 buckets took ~60 MiB per worker
RECORD = np.dtype([("shard", "<u2"), ("posting", "<u8")])
FRESH_PROCESS_FROM = 2000  # documents: below this the build is small and Numba is loaded in it


def shard_name(shard: int) -> str:
    return f"s/{shard >> 8}/{shard}"


def shard_script(name: str, encoded: str) -> bytes:
    """The file of a shard: base64url and "." need no escaping in a JSON string (writer._script)."""
    return f'hongwangSearch("{name}","{encoded}");\n'.encode("ascii")


def bucket_count(shards: int) -> int:
    return min(BUCKETS, shards)


def create(path: Path, content: bytes) -> None:
    """A new file (in a fresh folder: nothing to compare with)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(descriptor, content)
    finally:
        os.close(descriptor)


def save_batch(path: Path, batch: terms.Batch, slots: list[int]) -> None:
    bounds = {name: getattr(batch, name) for name in ("starts", "ends", "title_ends", "summary_ends")}
    np.savez(path, points=batch.points.astype(np.uint32), slots=np.array(slots, dtype=np.int64), **bounds)


def write(spill: Path, root: Path, shards: int, slots: int) -> tuple[int, int]:
    """Every shard file under root from the batches saved in spill: (files, bytes)."""
    from . import kernels

    kernels.prepare()  # before forking: each worker would load the same machine code
    batches = sorted(spill.glob("points-*.npz"))
    workers.run(lambda path: _spill_postings(path, shards), batches, min_parallel=2)
    buckets = bucket_count(shards)
    spilled = [path.with_suffix(".bin") for path in batches]
    starts = [np.fromfile(path, dtype=np.int64, count=buckets + 1).tolist() for path in spilled]

    def encode(bucket: int) -> tuple[int, int]:
        pieces = [(path, at[bucket], at[bucket + 1]) for path, at in zip(spilled, starts, strict=True)]
        return _encode_bucket(bucket, [piece for piece in pieces if piece[2] > piece[1]], root, shards, slots)

    counted = workers.run(encode, range(buckets), min_parallel=2)
    return sum(files for files, _ in counted), sum(size for _, size in counted)


def _spill_postings(path: Path, shards: int) -> None:
    """The batch's postings in shard order, after the offset where each bucket starts in them."""
    from . import kernels

    with np.load(path) as batch:
        shard, posting = kernels.document_postings(
            batch["points"].astype(np.uint64), batch["starts"], batch["ends"], batch["title_ends"],
            batch["summary_ends"], batch["slots"], terms.shard_shift(shards))  # fmt: skip
    records = np.empty(len(shard), dtype=RECORD)
    records["shard"], records["posting"] = shard, posting
    per_bucket = shards // bucket_count(shards)
    with open(path.with_suffix(".bin"), "wb") as handle:
        np.searchsorted(shard, np.arange(0, shards + 1, per_bucket)).astype(np.int64).tofile(handle)
        records.tofile(handle)


def _encode_bucket(bucket: int, pieces: list[tuple[Path, int, int]], root: Path, shards: int, slots: int
                   ) -> tuple[int, int]:  # fmt: skip
    """The shards of a bucket from its slice [start, end) of each batch's postings."""
    from . import kernels

    head = (bucket_count(shards) + 1) * 8
    read = [np.fromfile(path, dtype=RECORD, count=end - start, offset=head + start * RECORD.itemsize)
            for path, start, end in pieces]  # fmt: skip
    records = np.concatenate(read) if read else np.zeros(0, dtype=RECORD)
    shard_ids, postings = kernels.by_shard(records["shard"], records["posting"], shards)
    shard_ids = shard_ids.astype(np.int64)
    bounds = np.flatnonzero(np.diff(shard_ids)) + 1
    for start, end in zip([0, *bounds.tolist()], [*bounds.tolist(), len(postings)], strict=True):
        postings[start:end].sort()  # a shard's postings by (key, slot): sorting thousands, not millions
    per_bucket = shards // bucket_count(shards)
    first = bucket * per_bucket
    files = size = 0
    text, ends = kernels.encode_shards(shard_ids, postings, slots, per_bucket, first)
    text = text.tobytes().decode("ascii")
    for offset, (start, end) in enumerate(zip(ends[:-1].tolist(), ends[1:].tolist(), strict=True)):
        encoded = text[start:end]
        name = shard_name(first + offset)
        content = shard_script(name, encoded)
        create(root / f"{name}.js", content)
        files, size = files + 1, size + len(content)
    return files, size


class Compiled:
    """Where write() runs: a fresh process for a big index, started on entering so that it loads Numba while
    the cards are written; this one for a small index."""

    def __init__(self, documents: int):
        self.process: subprocess.Popen | None = None
        self.fresh = documents >= FRESH_PROCESS_FROM

    def __enter__(self) -> Compiled:
        if self.fresh:
            code = "import json, sys; sys.path[:] = json.loads(sys.argv[1]); import importlib; " \
                   "importlib.import_module(sys.argv[2])._serve()"  # fmt: skip
            pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
            self.process = subprocess.Popen([sys.executable, "-c", code, json.dumps(sys.path), __name__], **pipes)
        return self

    def write(self, spill: Path, root: Path, shards: int, slots: int) -> tuple[int, int]:
        if self.process is None:
            return write(spill, root, shards, slots)
        task = {"spill": str(spill), "root": str(root), "shards": shards, "slots": slots}
        output, errors = self.process.communicate(json.dumps(task).encode())
        if self.process.returncode:
            tail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(无输出)"]
            raise RuntimeError(f"搜索索引的编码进程失败（退出码 {self.process.returncode}）：{tail[0]}")
        return tuple(json.loads(output))

    def __exit__(self, *_) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.kill()
            self.process.wait()


def _serve() -> None:
    """The fresh process: load the kernels, then do the task the build sends once its cards are written."""
    from . import kernels

    kernels.prepare()
    task = json.loads(sys.stdin.read())
    result = write(Path(task["spill"]), Path(task["root"]), task["shards"], task["slots"])
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    # The build waits for this process to end, and an interpreter with Numba loaded took 0.2-0.3 s to shut
    # down (0.02 s this way). Its files are closed and its workers joined: nothing is left to tear down.
    os._exit(0)
