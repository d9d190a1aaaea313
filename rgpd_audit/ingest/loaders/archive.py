"""Zip containers (a Mailchimp audience zip, an XLSX workbook): opened with one-line errors,
and held to a budget before anything is unpacked.

A zip says, in its directory, how big each entry is once unpacked. Before an entry is read
the whole archive is checked against three budgets (each named in the error, each raised by a
source option of the manifest):

- ``max_unpacked_mb``: total unpacked size of the entries (default 4096 MiB: the 10M-record
  benchmark estate's biggest workbook unpacks to about 0.7 GB);
- ``max_entries``: number of entries (default 100 for a Mailchimp zip, which holds 3 or 4
  CSV files, 1000 for a workbook);
- ``max_expansion``: unpacked size / size on disk, above 64 MiB unpacked (default 100: CSV
  and XLSX files compress 3–15 times; a zip bomb, hundreds or thousands of times).

Entries are then read through Python's ``zipfile``, which stops at the declared size and
checks each entry's CRC: an entry that lies about its size is an error, not a bigger entry.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputFileError

MIB = 1 << 20
DEFAULT_UNPACKED_MB = 4096
DEFAULT_EXPANSION = 100.0
EXPANSION_FLOOR = 64 * MIB  # below this, any ratio is allowed (a header-only CSV compresses 50×)


@dataclass(frozen=True)
class Budget:
    unpacked: int  # bytes
    entries: int
    expansion: float

    @classmethod
    def of(cls, options, *, entries: int) -> Budget:
        """The budget of a source: its options (``max_unpacked_mb``, ``max_entries``,
        ``max_expansion``), else the defaults (``entries``: the format's)."""
        mb = getattr(options, "max_unpacked_mb", None) or DEFAULT_UNPACKED_MB
        return cls(
            unpacked=int(mb) * MIB,
            entries=getattr(options, "max_entries", None) or entries,
            expansion=float(getattr(options, "max_expansion", None) or DEFAULT_EXPANSION),
        )

    def check(self, display: str, infos: list[zipfile.ZipInfo], packed: int, what: str = "zip archive") -> None:
        """Raise ``InputFileError`` when the archive's directory goes beyond the budget."""
        n = len(infos)
        if n > self.entries:
            raise InputFileError(
                display, f"{what} with {n:,} entries, more than the limit of {self.entries:,} (raise it with options.max_entries)"
            )
        total = sum(i.file_size for i in infos)
        if total > self.unpacked:
            raise InputFileError(
                display,
                f"{what} unpacks to {_size(total)}, more than the limit of {_size(self.unpacked)} "
                "(raise it with options.max_unpacked_mb)",
            )
        ratio = total / max(1, packed)
        if total > EXPANSION_FLOOR and ratio > self.expansion:
            raise InputFileError(
                display,
                f"{what} unpacks to {_size(total)} from {_size(packed)} ({ratio:,.0f}×, a zip bomb?), more than the "
                f"limit of {self.expansion:,.0f}× (raise it with options.max_expansion)",
            )


def _size(n: int) -> str:
    if n >= 10 * MIB:
        return f"{n / MIB:,.0f} MiB"
    if n >= MIB:
        return f"{n / MIB:,.1f} MiB"
    return f"{n:,} bytes"


def open_zip(path: Path, display: str, budget: Budget, what: str = "zip archive") -> zipfile.ZipFile:
    """The archive, its directory checked against ``budget``; a damaged or truncated archive is
    a one-line ``InputFileError`` naming the file."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputFileError(display, f"not a readable {what}: {damage(exc)}") from None
    except OSError as exc:
        raise InputFileError(display, f"cannot open: {exc.strerror or exc}") from None
    try:
        budget.check(display, zf.infolist(), Path(path).stat().st_size, what)
    except BaseException:
        zf.close()
        raise
    return zf


def damage(exc: BaseException) -> str:
    """What a zip error means, in a few words (zipfile's own message, first line)."""
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if msg == "File is not a zip file":
        return "truncated or damaged (no zip directory at its end)"
    if "Bad CRC-32" in msg:
        return "damaged entry (CRC mismatch)"
    return msg[:200]
