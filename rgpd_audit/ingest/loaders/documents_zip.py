"""A folder of documents exported as a zip (Dropbox's « Télécharger » of a folder, Google
Takeout's Drive archive, a file server's backup): each entry is a document of the folder.

An export keeps what a clone or a copy loses: each entry's modification time (the zip's
DOS time, or its UTC extended timestamp when the tool wrote one). The archive is held to the
budget of every zip (``archive.Budget``: unpacked size, entries, expansion); an entry is read
through ``zipfile`` (size and CRC checked) only up to the scanner's size budget.
Entries are named from the archive's root; a single top folder named as the archive
(``Documents.zip`` holding ``Documents/…``, as Dropbox writes it) is left out, so that the
paths are those of the synchronised folder.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .archive import Budget, damage, open_zip

DEFAULT_ENTRIES = 100_000  # a shared folder of CVs holds thousands of files, not millions
_EXTENDED_TIMESTAMP = 0x5455


@dataclass
class Entry:
    name: str  # path from the archive's root, '/'-separated, without its leading '/'
    size: int
    modified: dt.datetime  # UTC when the archive says so, else the archive's local time as written
    info: zipfile.ZipInfo


def is_zip(path: Path) -> bool:
    return path.suffix.lower() == ".zip" and zipfile.is_zipfile(path)


def _utc_mtime(info: zipfile.ZipInfo) -> dt.datetime:
    """The entry's modification time: the extended timestamp field (UTC) when present, else its
    DOS date and time (no zone: taken as written)."""
    extra = info.extra
    i = 0
    while i + 4 <= len(extra):
        hid, size = struct.unpack("<HH", extra[i:i + 4])
        body = extra[i + 4:i + 4 + size]
        if hid == _EXTENDED_TIMESTAMP and len(body) >= 5 and body[0] & 1:
            return dt.datetime.fromtimestamp(struct.unpack("<i", body[1:5])[0], dt.UTC).replace(tzinfo=None)
        i += 4 + size
    return dt.datetime(*info.date_time)


def entries(zf: zipfile.ZipFile, archive: Path) -> Iterator[Entry]:
    """The archive's files (folders left out), sorted by name."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    names = [PurePosixPath(i.filename.replace("\\", "/").lstrip("/")) for i in infos]
    top = archive.stem
    strip = bool(names) and all(len(n.parts) > 1 and n.parts[0] == top for n in names)
    out = []
    for info, name in zip(infos, names, strict=True):
        parts = [p for p in (name.parts[1:] if strip else name.parts) if p not in ("", ".", "..")]
        out.append(Entry("/".join(parts), info.file_size, _utc_mtime(info), info))
    yield from sorted(out, key=lambda e: e.name)


def open_documents_zip(path: Path, display: str, options) -> zipfile.ZipFile:
    """The archive, its directory checked against the source's budget (``InputFileError``)."""
    return open_zip(path, display, Budget.of(options, entries=DEFAULT_ENTRIES), "zip archive of documents")


def read_entry(zf: zipfile.ZipFile, entry: Entry, limit: int) -> bytes | None:
    """The entry's bytes, or None when it is bigger than ``limit``; ``zipfile`` stops at the
    declared size and checks the CRC (``BadZipFile``, ``zipfile.LargeZipFile``, ``OSError``)."""
    if entry.size > limit:
        return None
    with zf.open(entry.info) as fh:
        return fh.read(limit + 1)


def read_member(archive: Path, member: str, limit: int) -> bytes | None:
    """One document of an archive, read again (DSAR search), found by its recorded path."""
    with zipfile.ZipFile(archive) as zf:
        for e in entries(zf, archive):
            if e.name == member.lstrip("/"):
                return read_entry(zf, e, limit)
    raise FileNotFoundError(f"{archive}: no entry {member}")


__all__ = ["DEFAULT_ENTRIES", "Entry", "damage", "entries", "is_zip", "open_documents_zip", "read_entry", "read_member"]
