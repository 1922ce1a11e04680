"""A build with nothing to do, answered without building.

The last build into an output folder leaves a record: the stat of every file under
content/ (submissions, media, CSV, configuration), a digest of our code, theme and
settings, the output it left (its index.html as stat saw it), its outcome (counts,
reports, diagnostics), and the first moment any of it could change with the clock
alone: an embargo lifting, a notice period or an interview starting or ending, an
alert's window, a far-future warning falling due, or the next day in Beijing (a
notice's remaining working days). While all of that holds, the build is the last
build: nothing is read, rendered or written.

The record is dropped before a build touches the output, so a build killed half-way
is never taken for done; it is written last, from the walk made before the build read
anything, so a file edited during a build is seen by the next one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..content.load import Listing
from ..core import cache

SUFFIX = "-unchanged"


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads besides the clock, as a digest."""

    digest: str

    @classmethod
    def of(cls, listing: Listing, settings_file: Path, profile: str, extra_settings: dict | None) -> Inputs:
        """listing: content/ walked (content/load.py): every file and folder by its stat, as git's index tells
        a change."""
        digest = hashlib.blake2b(digest_size=20)
        for part in (cache.code_salt(), profile, repr(sorted((extra_settings or {}).items()))):
            digest.update(part.encode() + b"\0")
        digest.update(Path(settings_file).read_bytes())
        digest.update(listing.digest.encode())
        return cls(digest.hexdigest())


def output_mark(output_dir: Path) -> tuple | None:
    """The output as the last build left it: its home page's stat (None when there is none)."""
    try:
        status = (Path(output_dir) / "index.html").stat()
    except OSError:
        return None
    return (str(Path(output_dir).resolve()), status.st_size, status.st_mtime_ns, status.st_ino)


@dataclass(frozen=True)
class Record:
    inputs: Inputs
    output: tuple
    valid_until: datetime
    outcome: object  # what the build reported (build.Outcome), given back as this build's


def previous(store: cache.Store, name: str, inputs: Inputs, output_dir: Path, now: datetime):
    """The last build's outcome when this build would be that build, else None."""
    record = store.read(name + SUFFIX).get("record") if store.enabled else None
    if not isinstance(record, Record):
        return None
    if record.inputs != inputs or record.output != output_mark(output_dir) or not now < record.valid_until:
        return None
    return record.outcome


def forget(store: cache.Store, name: str) -> None:
    if store.enabled and store.read(name + SUFFIX):
        store.write(name + SUFFIX, {})


def remember(store: cache.Store, name: str, inputs: Inputs, output_dir: Path, valid_until: datetime, outcome) -> None:
    mark = output_mark(output_dir)
    if store.enabled and mark:
        store.write(name + SUFFIX, {"record": Record(inputs, mark, valid_until, outcome)})
