"""Which files of a folder of exports are of which format, and which files make one source.

Every file is shown to every format's signature (``registry.recognise``: the same signatures
the loaders use to refuse a wrong file). A named format (HubSpot, FEC, vCard…) wins over a
generic one (``ndjson``, ``json``, ``parquet``, ``xlsx``, then ``csv``, which takes any
text); a file no format accepts, or only ``csv`` while it is no table (a README, a YAML
file), is left out and listed. Files of one format in one folder with the same header (the
twelve years of a FEC, monthly CRM exports) are one source, named by a glob. A folder holding
only documents (PDF, office files, images, text: a synchronised Dropbox or Drive folder, a CV
folder), the highest such folder, is one ``documents`` source (``<folder>/**/*``).
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...ingest.loaders import registry
from ...ingest.loaders.signature import header_of, read_head

# generic formats, most specific first: a file they accept is of a named format when one accepts it
GENERIC = ("ndjson", "json", "parquet", "xlsx", "csv")
# names that are not exports: the audit's own files, notebooks, code, documents
SKIP_NAMES = {"manifest.yaml", "manifest.yml", "providers.yaml", "mapping.yaml", "policy.yaml", "claims.yaml"}
SKIP_SUFFIXES = {".md", ".py", ".pyc", ".ipynb", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".html", ".pdf",
                 ".png", ".jpg", ".jpeg", ".gif", ".log", ".duckdb", ".wal", ".lock"}
SKIP_DIRS = {"__pycache__", "notebooks", "reports", "node_modules"}
TABLE_SUFFIXES = {".csv", ".tsv", ".tab", ".txt", ".dat", ".psv"}
# the format a file's extension promises: when it refuses the file, its reason is the file's
# what a folder of documents holds (``documents`` format: one record per file, its text scanned)
DOCUMENT_SUFFIXES = {".pdf", ".docx", ".doc", ".odt", ".rtf", ".txt", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".heic"}
BY_SUFFIX = {".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson",
             ".parquet": "parquet", ".vcf": "vcard", ".mbox": "gmail_mbox", ".dsn": "dsn", ".zip": "mailchimp"}


@dataclass
class FoundFile:
    path: Path                      # absolute
    rel: str                        # relative to the folder, with '/'
    format: str | None              # None: not recognised
    others: list[str] = field(default_factory=list)   # other named formats that accept it too
    header: tuple[str, ...] | None = None
    why: str | None = None          # why it is left out


@dataclass
class Group:
    """Files that make one source: one format, one folder, one header."""

    format: str
    files: list[FoundFile]
    pattern: str                    # the manifest's path: a file, or a glob matching exactly these files
    others: list[str] = field(default_factory=list)


def walk(folder: Path) -> list[Path]:
    """The files under ``folder``, sorted, without hidden files and folders or the audit's own."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        out.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
    return out


def classify_file(path: Path, folder: Path) -> FoundFile:
    rel = path.relative_to(folder).as_posix()
    if path.name.lower() in SKIP_NAMES or path.suffix.lower() in SKIP_SUFFIXES:
        return FoundFile(path, rel, None, why="not an export (a document, code or the audit's own file)")
    try:
        verdicts = registry.recognise(path)
    except OSError as exc:
        return FoundFile(path, rel, None, why=f"cannot be read: {exc.strerror or exc}")
    accepted = [name for name, why in verdicts.items() if why is None]
    named = [n for n in accepted if n not in GENERIC]
    generic = [n for n in GENERIC if n in accepted]
    header = None
    head = read_head(path)
    found = header_of(head)
    if found is not None:
        header = tuple(found[0])
    if named:
        return FoundFile(path, rel, named[0], others=named[1:], header=header)
    promised = BY_SUFFIX.get(path.suffix.lower())
    if promised in verdicts and verdicts[promised] is not None and promised not in accepted:
        kind = registry.get(promised).kind
        return FoundFile(path, rel, None, why=f"not {kind}: {verdicts[promised]}")
    if not generic:
        return FoundFile(path, rel, None, why="no known format accepts it")
    fmt = generic[0]
    if fmt == "csv" and (path.suffix.lower() not in TABLE_SUFFIXES or header is None or len(header) < 2):
        return FoundFile(path, rel, None, why="text, but not a table with a header line")
    return FoundFile(path, rel, fmt, header=header if fmt == "csv" else None)


_VARYING = re.compile(r"\d{6,}|\d{4}[-_]\d{2}[-_]\d{2}|\d{4}")


def pattern_for(files: list[FoundFile], siblings: list[str]) -> str:
    """The path of a source: the file itself, or a glob matching exactly ``files`` among the
    folder's ``siblings`` (dates and numbers in their names replaced by ``*``)."""
    rels = [f.rel for f in files]
    if len(rels) == 1:
        one = rels[0]
        glob = _VARYING.sub("*", one.rsplit("/", 1)[-1])
        folder = one.rsplit("/", 1)[0] + "/" if "/" in one else ""
        # a dated export (hubspot-…-2026-11-20.csv) keeps matching when the next one replaces it
        if glob != one.rsplit("/", 1)[-1] and re.search(r"\d{4}[-_]?\d{2}[-_]?\d{2}", one.rsplit("/", 1)[-1]) \
                and [s for s in siblings if fnmatch.fnmatchcase(s, folder + glob)] == [one]:
            return _glob_escape(folder) + glob
        return one
    folder = rels[0].rsplit("/", 1)[0] + "/" if "/" in rels[0] else ""
    names = [r.rsplit("/", 1)[-1] for r in rels]
    candidates = []
    globs = {_VARYING.sub("*", n) for n in names}
    if len(globs) == 1:
        candidates.append(globs.pop())
    prefix = os.path.commonprefix(names)
    suffix = os.path.commonprefix([n[::-1] for n in names])[::-1]
    candidates.append(_glob_escape(prefix) + "*" + _glob_escape(suffix[len(suffix) - min(len(suffix), min(len(n) for n in names) - len(prefix)):]))
    ext = Path(names[0]).suffix
    if all(Path(n).suffix == ext for n in names):
        candidates.append("*" + ext)
    for c in candidates:
        if sorted(s for s in siblings if fnmatch.fnmatchcase(s, folder + c)) == sorted(rels):
            return _glob_escape(folder) + c
    return ""  # no glob: one source per file


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def discover(folder: str | Path) -> tuple[list[Group], list[FoundFile]]:
    """The sources a folder of exports holds, and the files left out (with why)."""
    folder = Path(folder).resolve()
    found = [classify_file(p, folder) for p in walk(folder)]
    rels = [f.rel for f in found]
    left = [f for f in found if f.format is None]
    buckets: dict[tuple, list[FoundFile]] = {}
    for f in found:
        if f.format is None:
            continue
        folder_of = f.rel.rsplit("/", 1)[0] if "/" in f.rel else ""
        # a generic table groups by its header; a named format's files are the same kind anyway
        # (a FEC's two layouts: Debit/Credit or Montant/Sens)
        key = (f.format, folder_of, f.header if f.format in GENERIC else None)
        buckets.setdefault(key, []).append(f)
    groups: list[Group] = []
    for (fmt, _folder, _h), files in buckets.items():
        pat = pattern_for(files, rels)
        if pat:
            groups.append(Group(fmt, files, pat, sorted({o for f in files for o in f.others})))
        else:
            groups.extend(Group(fmt, [f], f.rel, f.others) for f in files)
    groups += _document_archives(left)
    groups += _document_folders(found, left, rels)
    left = [f for f in left if f.format is None]
    groups.sort(key=lambda g: g.files[0].rel)
    return groups, left


def _document_archives(left: list[FoundFile]) -> list[Group]:
    """A zip left out whose entries are all documents (a folder exported from Dropbox or Drive)
    is a ``documents`` source of its own."""
    import zipfile

    groups = []
    for f in left:
        if f.format is not None or Path(f.rel).suffix.lower() != ".zip":
            continue
        try:
            with zipfile.ZipFile(f.path) as zf:
                names = [i.filename for i in zf.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError):
            continue
        if names and all(Path(n).suffix.lower() in DOCUMENT_SUFFIXES for n in names):
            f.format, f.why = "documents", None
            groups.append(Group("documents", [f], _glob_escape(f.rel)))
    return groups


def _document_folders(found: list[FoundFile], left: list[FoundFile], rels: list[str]) -> list[Group]:
    """Sources of format ``documents``: for each left-out document, the highest folder (not the
    estate's root) under which every file is a left-out document."""
    def is_doc(f: FoundFile) -> bool:
        return f.format is None and Path(f.rel).suffix.lower() in DOCUMENT_SUFFIXES

    impure: set[str] = set()
    for f in found:
        if not is_doc(f):
            parts = f.rel.split("/")[:-1]
            impure.update("/".join(parts[:i]) for i in range(len(parts) + 1))
    chosen: dict[str, list[FoundFile]] = {}
    for f in (f for f in left if is_doc(f)):
        parts = f.rel.split("/")[:-1]
        top = next(("/".join(parts[:i]) for i in range(1, len(parts) + 1) if "/".join(parts[:i]) not in impure), None)
        if top is not None:
            chosen.setdefault(top, []).append(f)
    groups = []
    for top, files in chosen.items():
        for f in files:
            f.format, f.why = "documents", None
        groups.append(Group("documents", files, _glob_escape(top) + "/**/*"))
    return groups
