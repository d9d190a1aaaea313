"""A folder of documents, as synchronised or exported from Dropbox, Google Drive or a file
server (``format: documents``, ``path: dropbox/Documents/**/*``): one record per file.

The folder is one unit of provenance (one ``load_files`` row, its digest that of the listing
of paths and sha256); each file gives its ``path`` (from the folder the manifest's pattern starts at, written
``/Recrutement/CV/cv.pdf`` as Dropbox writes paths, so ``split_by: {column: path, values:
{'/Recrutement/*': candidates}}`` maps a sub-folder to an activity), name, extension,
size, SHA-256, modification date, creation date where the file system keeps one, and the
result of the content scanner: what kind of file it is, whether its text was read
(``scanned``, ``not_scanned`` — an image, a scan without text, a type not read —,
``rejected`` with the reason: a damaged or hostile file never fails the load) and how many
hits. The hits (category, detector, masked evidence, offset) are the ``content_hits``
entity; who the file names (an e-mail address, a phone number, a full name in its text or
its file name: :mod:`rgpd_audit.detect.people`) the ``content_links`` entity, as the
workspace's pseudonyms only. The text is never kept, unless ``--keep-text`` (an encrypted
workspace): then it is the ``contents`` entity, where DSAR search reads it. ``owner`` is the
manifest's ``options.owner`` (the folder's owner, or sub-folders' owners), never the file
system's: a synchronised folder's files belong on disk to whoever synchronised them.

A zip among the files (the folder exported rather than synchronised: ``path:
dropbox/Documents.zip``) gives one record per entry, dated by the archive, its ``container``
naming the archive (``documents_zip``); a clone or a copy of a folder loses the files' dates,
an export keeps them.
"""

from __future__ import annotations

import datetime as dt
import glob as _glob
import hashlib
import zipfile
from pathlib import Path, PurePosixPath

from ...detect.people import link_keys
from ...detect.scan import scan_text
from ...errors import InputFileError
from ..content import MAX_BYTES, Extracted, extract
from . import documents_zip as dz
from .base import Capability, FileResult, LoadContext, Loader, Part, sha256_file
from .registry import export_format

COLUMNS = ["path", "name", "extension", "size_bytes", "sha256", "modified", "created", "owner",
           "content_kind", "content_status", "content_reason", "hit_count", "container"]
HIT_COLUMNS = ["path", "part", "category", "detector", "special", "evidence", "offset", "subject_ref"]
LINK_COLUMNS = ["path", "part", "via", "subject_ref"]
TEXT_COLUMNS = ["path", "part", "text"]
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def folder_root(pattern: str) -> PurePosixPath:
    """The part of the manifest's pattern before its first wildcard: the synchronised folder."""
    parts = PurePosixPath(pattern.replace("\\", "/")).parts
    fixed = []
    for p in parts:
        if _glob.has_magic(p):
            break
        fixed.append(p)
    if len(fixed) == len(parts):  # a single file named without a wildcard: its folder
        fixed = fixed[:-1]
    return PurePosixPath(*fixed) if fixed else PurePosixPath(".")


def _utc(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime(DATE_FORMAT)


@export_format
class DocumentsLoader(Loader):
    name = "documents"
    title = "Folder of documents (Dropbox, Google Drive, file server): one record per file, its content scanned"
    kind = "a document"
    version = "3"  # 2: content_links (phone and name links), owner; 3: zip exports (container)
    # a file is a record of its folder's activity, last changed when modified
    date_roles = {"modified": ("last_activity",), "created": ("creation",)}
    capabilities = (
        Capability("file_store", {"path": "path", "modified": "modified", "size": "size_bytes", "sha256": "sha256",
                                  "container": "container"}, optional=frozenset({"container"})),
        Capability("content_parts", {"status": "content_status", "kind": "content_kind", "part": "path"}),
        Capability("content_hits", {"part": "part", "category": "category", "detector": "detector",
                                    "evidence": "evidence", "offset": "offset", "special": "special", "subject": "subject_ref"},
                   optional=frozenset({"subject"}), entity="content_hits"),
        Capability("content_links", {"part": "part", "via": "via", "subject": "subject_ref"}, entity="content_links"),
        # the text read, kept only with --keep-text (an encrypted workspace): DSAR reads it there
        Capability("content_texts", {"part": "part", "text": "text"}, entity="contents"),
    )
    copies_are_records = True  # a copy of a CV in another folder is one more file to find and erase
    reads_folder = True  # the folder is one unit of provenance, read by one call (thousands of files)
    key_column = "path"  # a document is known by its path in the folder
    derived_columns = ("name", "extension", "sha256", "content_kind", "content_status", "content_reason", "hit_count",
                       "container")

    @classmethod
    def read_contents(cls, path: Path, offset: int | None) -> list[tuple[str, str]] | None:
        """The file's text, read again (never stored)."""
        if path.stat().st_size > MAX_BYTES:
            return None
        ex = extract(path.read_bytes(), path.name, None)
        return [("content", ex.text)] if ex.text else []

    @classmethod
    def read_member_contents(cls, archive: Path, member: str) -> tuple[str, list[tuple[str, str]]]:
        """A document of an exported folder (zip), read again: its sha256 and text."""
        data = dz.read_member(archive, member, MAX_BYTES)
        if data is None:
            return "", []
        ex = extract(data, PurePosixPath(member).name, None)
        return hashlib.sha256(data).hexdigest(), ([("content", ex.text)] if ex.text else [])

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        """Any file can be a document: the format is chosen in the manifest, never recognised
        from one file (which would name every file of an estate a document)."""
        return "any file may be a document of a folder: the format is named in the manifest, not recognised"

    @classmethod
    def folder_of(cls, base: Path, pattern: str) -> Path:
        return Path(base) / folder_root(pattern)

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        """One file alone (the engine reads a folder through ``read_folder``)."""
        return self.read_folder(ctx, path.parent, [path], {})

    def read_folder(self, ctx: LoadContext, folder: Path, files: list[Path], hashes: dict[Path, str]) -> list[FileResult]:
        """One record per file, sorted by path; a file that cannot be read is a record whose
        content is ``rejected`` with the reason, never a failed load."""
        rows: list[list[str | None]] = []
        hit_rows: list[list[str | None]] = []
        hit_nums: list[int] = []
        link_rows: list[list[str | None]] = []
        link_nums: list[int] = []
        text_rows: list[list[str | None]] = []
        text_nums: list[int] = []
        counts: dict[tuple[str, str], int] = {}
        base = folder.resolve()
        shown_files = []
        for path in files:
            try:
                rel = path.resolve().relative_to(base).as_posix()
            except ValueError:
                rel = path.name
            shown_files.append(("/" + rel, path))
        pseudonym = _pseudonymiser(ctx)
        owner = ctx.source.options.owner if ctx.source is not None else None
        records = []
        for shown, path in sorted(shown_files):
            if dz.is_zip(path):
                records.extend(self._archive(ctx, path, shown, pseudonym, owner))
            else:
                records.append(self._one(path, shown, hashes.get(path), pseudonym, owner_for(owner, shown), ctx.keep_text))
        for num, (row, hits, links, text) in enumerate(records, start=1):
            shown = row[0]
            rows.append(row)
            if text is not None:
                text_rows.append([shown, "content", text])
                text_nums.append(num)
            for h in hits:
                hit_rows.append(h)
                hit_nums.append(num)
            for link in links:
                link_rows.append(link)
                link_nums.append(num)
            if row[9] != "scanned":
                key = (row[9], row[10] or "")
                counts[key] = counts.get(key, 0) + 1
        warnings = [f"{ctx.display(folder)}: {n} file(s) {'rejected' if st == 'rejected' else 'not scanned'}: {why}"
                    for (st, why), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        main = Part(ctx.stage_rows("documents", COLUMNS, rows), len(rows),
                    dates={"modified": [DATE_FORMAT], "created": [DATE_FORMAT]})
        hit_part = Part(ctx.stage_rows("documents_hits", HIT_COLUMNS, hit_rows, hit_nums), len(hit_rows), entity="content_hits")
        link_part = Part(ctx.stage_rows("documents_links", LINK_COLUMNS, link_rows, link_nums), len(link_rows), entity="content_links")
        text_part = Part(ctx.stage_rows("documents_texts", TEXT_COLUMNS, text_rows, text_nums), len(text_rows), entity="contents")
        return [FileResult([main, hit_part, link_part, text_part], encoding=None, dialect={"format": "documents", "files": len(rows)},
                           warnings=warnings, status="loaded" if rows else "empty")]

    @staticmethod
    def _archive(ctx: LoadContext, path: Path, shown: str, pseudonym, owner) -> list[tuple]:
        """The documents of an exported folder; an archive over its budget or damaged is one
        record, rejected with the reason (the rest of the folder loads)."""
        container = shown.lstrip("/")
        parent = shown.rsplit("/", 1)[0]  # the archive's documents sit where the archive is
        try:
            zf = dz.open_documents_zip(path, ctx.display(path), ctx.source.options)
        except InputFileError as exc:
            return [([shown, path.name, "zip", None, None, None, None, owner_for(owner, shown), "archive", "rejected",
                      exc.reason, "0", None], [], [], None)]
        out = []
        with zf:
            for e in dz.entries(zf, path):
                where = f"{parent}/{e.name}"
                name = PurePosixPath(e.name).name
                ext = PurePosixPath(name).suffix.lower().lstrip(".") or None
                modified = e.modified.strftime(DATE_FORMAT)
                who = owner_for(owner, where)
                try:
                    data = dz.read_entry(zf, e, MAX_BYTES)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    out.append(([where, name, ext, str(e.size), None, modified, None, who, "other", "rejected",
                                 f"damaged entry of the archive ({dz.damage(exc)})", "0", container], [], [], None))
                    continue
                if data is None:
                    ex, digest = Extracted("other", "not_scanned", reason=f"bigger than {MAX_BYTES >> 20} MiB"), None
                else:
                    digest, ex = hashlib.sha256(data).hexdigest(), extract(data, name, None)
                out.append(_analysed(where, name, ext, e.size, digest, modified, None, who, ex, pseudonym,
                                     ctx.keep_text, container))
        return out

    @staticmethod
    def _one(path: Path, shown: str, digest: str | None, pseudonym=lambda vs: {}, owner: str | None = None,
             keep_text: bool = False) -> tuple[list[str | None], list[list[str | None]], list[list[str | None]], str | None]:
        try:
            st = path.stat()
            if st.st_size > MAX_BYTES:
                ex = Extracted("other", "not_scanned", reason=f"bigger than {MAX_BYTES >> 20} MiB")
                digest = digest or sha256_file(path)
            else:
                data = path.read_bytes()
                digest = digest or hashlib.sha256(data).hexdigest()
                ex = extract(data, path.name, None)
        except OSError as exc:  # unreadable (permissions, vanished since the listing)
            return [shown, path.name, path.suffix.lower().lstrip(".") or None, None, digest, None, None, owner, "other",
                    "rejected", f"cannot read the file ({exc.strerror or type(exc).__name__})", "0", None], [], [], None
        created = getattr(st, "st_birthtime", None)
        return _analysed(shown, path.name, path.suffix.lower().lstrip(".") or None, st.st_size, digest, _utc(st.st_mtime),
                         _utc(created) if created else None, owner, ex, pseudonym, keep_text, None)


def _analysed(shown: str, name: str, ext: str | None, size: int, digest: str | None, modified: str | None,
              created: str | None, owner: str | None, ex: Extracted, pseudonym, keep_text: bool,
              container: str | None) -> tuple[list[str | None], list[list[str | None]], list[list[str | None]], str | None]:
    """A document's row, its hits, who it names and (``keep_text``) its text."""
    hits = scan_text(ex.text) if ex.text else []
    row = [shown, name, ext, str(size), digest, modified, created, owner, ex.kind, ex.status,
           ex.reason if not ex.truncated else "text cut at the scanning budget", str(len(hits)), container]
    # who the file names (an e-mail address, a phone number, a full name in its text or its
    # file name) is kept as the workspace's pseudonym of the link key, never the value:
    # retention dates the file by the latest contact with that person elsewhere
    links = link_keys(ex.text, name, found=[(h.detector, ex.text[h.offset:h.end]) for h in hits
                                            if h.detector in ("email", "phone")])
    keyed = pseudonym([k for _, k in links])
    hit_rows = [[shown, "content", h.category, h.detector, "true" if h.special else "false", h.evidence, str(h.offset),
                 keyed.get(ex.text[h.offset:h.end].strip().lower()) if h.detector == "email" else None]
                for h in hits]
    link_rows = [[shown, "content", via, keyed[k]] for via, k in links if keyed.get(k)]
    return row, hit_rows, link_rows, (ex.text if keep_text and ex.text else None)


def owner_for(option, shown: str) -> str | None:
    """The owner the manifest gives a file (``options.owner``): the folder's, or that of the
    longest sub-folder pattern its path matches (``/Users/alice/*``, or an exact path)."""
    if option is None or isinstance(option, str):
        return option
    if shown in option:
        return option[shown]
    best = None
    for pattern, who in option.items():
        prefix = pattern[:-1] if pattern.endswith("*") else pattern.rstrip("/") + "/"
        if shown.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, who)
    return best[1] if best else None


def _pseudonymiser(ctx: LoadContext):
    """The workspace's keyed pseudonyms (SQL ``pseudonym``: ``Workspace.pseudonym``) of a list
    of values, computed here from the workspace's secret; nothing where the connection has no
    workspace behind it (a draft's in-memory reading)."""
    try:
        secret = ctx.con.execute("SELECT value FROM settings WHERE key = 'pseudonym_secret'").fetchone()
        ctx.con.execute("SELECT pseudonym('x')").fetchone()
    except Exception:  # noqa: BLE001 - no workspace behind this connection
        secret = None
    if secret is None:
        return lambda values: {}

    def many(values: list[str]) -> dict[str, str]:
        return {v: pseudonym_of(secret[0] or "", v) for v in values}
    return many


def pseudonym_of(secret: str, value: str) -> str:
    """SQL ``pseudonym(value)`` (``Workspace._install_macros``) computed in Python."""
    digest = hashlib.sha256(f"{secret}:{value.strip(' ').lower()}".encode()).hexdigest()
    return "P-" + digest[:10].upper()

