"""The notebooks' workspace: found by the shared rule, opened for each call and released.

A notebook holds a :class:`WorkspaceHandle`, not a connection: every view opens the
workspace read-only, reads, and closes it, so that ``rgpd-audit check`` (which writes) can
run while the notebook is open — DuckDB lets no process write a file another one holds.
A workspace that is missing, empty, unreadable (encrypted without ``RGPD_AUDIT_KEY``, a
wrong key, held by a writer) is never shown as "nothing to report": every view then returns
a :class:`Notice` saying what is wrong and how to load.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import inspect
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..errors import WorkspaceError
from ..workspace import KEY_ENV, Workspace
from ..workspace import Workspace as _Workspace  # the class, whatever a test puts in Workspace's place
from ..workspace.locate import Located, locate, not_found


class Notice:
    """What a view shows instead of a table when there is nothing to show from: a sentence
    (French or English) saying why and how to load. Never empty, never "nothing to report"."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return (f'<div class="rgpd-notice" style="border-left:4px solid #b45309;background:#fffbeb;padding:.6em 1em">'
                f"<strong>⚠</strong> {html.escape(self.text)}</div>")

    def __bool__(self) -> bool:  # `as_of or …`: a notice is no value
        return False


# Workspaces kept open read-only while ``rgpd-audit report`` runs its notebooks in its own
# process (:func:`kept_open`): every view of every notebook reads through that one opening.
_KEPT: dict[Path, Workspace] = {}


@contextmanager
def kept_open(path: Path):
    """Open the workspace at ``path`` read-only once for the views called inside (the report's
    in-process notebooks), instead of once per view (a few tens of milliseconds each, 35 views
    in a report). Nothing else may write it meanwhile: the report holds no other connection."""
    key = Path(path).resolve()
    try:
        ws = Workspace(key, create=False, read_only=True)
    except WorkspaceError:  # each view says why, as without this
        yield None
        return
    _KEPT[key] = ws
    try:
        yield ws
    finally:
        _KEPT.pop(key, None)
        ws.close()


class WorkspaceHandle:
    """Where the notebook's workspace is, and whether it can be read; no connection kept."""

    def __init__(self, located: Located | None, start: Path, lang: str = "fr"):
        self.located, self.start, self.lang = located, start, lang
        self.path = located.path if located else None
        self._problem: str | None = None

    # -- what is wrong ---------------------------------------------------------------
    def _how_to_load(self) -> str:
        target = self.path if self.path is not None else Path(self.start) / ".rgpd-audit"
        if self.lang == "fr":
            return (f"Pour charger : `rgpd-audit load MANIFESTE --workspace {target}` (ou `rgpd-audit report`), "
                    "puis relancer le notebook.")
        return f"To load: `rgpd-audit load MANIFEST --workspace {target}` (or `rgpd-audit report`), then run the notebook again."

    def problem(self) -> str | None:
        """Why nothing can be shown (a sentence with how to load), or None when data is loaded."""
        with self.session() as (_, problem):
            return problem

    @contextmanager
    def session(self):
        """``(workspace, None)``: the workspace opened read-only for one call, closed after it;
        or ``(None, problem)`` when it cannot be shown (missing, empty, unreadable)."""
        fr = self.lang == "fr"
        nothing = "Rien de chargé" if fr else "Nothing loaded"
        if self.located is None:
            yield None, f"{nothing} : {not_found(self.start, self.lang)}. {self._how_to_load()}"
            return
        if not (self.path / "workspace.duckdb").exists():
            what = "aucun espace de travail dans" if fr else "no workspace in"
            yield None, f"{nothing} : {what} {self.located.describe(self.lang)}. {self._how_to_load()}"
            return
        kept = _KEPT.get(Path(self.path).resolve())
        if kept is not None:
            ws = kept
        else:
            try:
                ws = Workspace(self.path, create=False, read_only=True)
            except WorkspaceError as exc:
                yield None, self._unreadable(str(exc))
                return
        try:
            if ws.con.execute("SELECT count(*) FROM load_files").fetchone()[0] == 0:
                what = "l'espace de travail ne contient aucune donnée chargée" if fr else "the workspace holds no loaded data"
                yield None, f"{nothing} : {what} ({self.located.describe(self.lang)}). {self._how_to_load()}"
            else:
                yield ws, None
        finally:
            if ws is not kept:
                ws.close()

    def _unreadable(self, msg: str) -> str:
        fr = self.lang == "fr"
        if KEY_ENV in msg and "encrypted" in msg:
            return (f"L'espace de travail {self.path} est chiffré : définir {KEY_ENV} (sa clé) dans l'environnement "
                    "de JupyterLab, puis redémarrer le noyau." if fr else
                    f"The workspace {self.path} is encrypted: set {KEY_ENV} (its key) in JupyterLab's environment, "
                    "then restart the kernel.")
        return f"Espace de travail illisible : {msg}" if fr else f"Unreadable workspace: {msg}"

    @contextmanager
    def open(self):
        """The workspace, opened read-only for one call, closed after it (raises when it cannot be)."""
        with self.session() as (ws, problem):
            if ws is None:
                raise WorkspaceError(problem)
            yield ws

    def latest_audit_date(self) -> str | None:
        """The audit date of the latest recorded audit, None when there is none (or no data)."""
        from .history import latest_audit_date

        with self.session() as (ws, _):
            d = latest_audit_date(ws) if ws is not None else None
        return d.isoformat() if isinstance(d, dt.date) else None

    def close(self) -> None:
        """Nothing to release (kept for notebooks ending with ``ws.close()``)."""

    def __repr__(self) -> str:
        where = self.located.describe(self.lang) if self.located else not_found(self.start, self.lang)
        problem = self.problem()
        return f"Workspace: {where}" + (f"\n{problem}" if problem else "")

    def _repr_html_(self) -> str:
        where = self.located.describe(self.lang) if self.located else not_found(self.start, self.lang)
        problem = self.problem()
        label = "Espace de travail" if self.lang == "fr" else "Workspace"
        out = f"<p><strong>{label}</strong> : {html.escape(where)}</p>"
        return out + (Notice(problem)._repr_html_() if problem else "")


def find(workspace: str = "", lang: str = "fr", start: str | Path | None = None) -> WorkspaceHandle:
    """The notebook's workspace by the shared rule (parameter, ``$RGPD_AUDIT_WORKSPACE``, the
    nearest ``.rgpd-audit/`` from the notebook's folder up); never creates one. ``start`` is
    the notebook's folder (the kernel's current folder in JupyterLab and under papermill)."""
    start = Path.cwd() if start is None else Path(start)
    return WorkspaceHandle(locate(workspace or None, start=start), start, lang)


def per_call(func):
    """Let a view taking an open workspace first take a :class:`WorkspaceHandle`: the
    workspace is then opened for the call and closed after it, and a workspace with nothing
    to show gives a :class:`Notice` instead of an empty table."""
    if "ws" not in inspect.signature(func).parameters:
        return func

    @functools.wraps(func)
    def wrapper(ws, *args, **kwargs):
        key = _memo_key(func, ws, args, kwargs)
        if key is not None and key in _memo():
            return _memo()[key].copy()
        if not isinstance(ws, WorkspaceHandle):
            out = func(ws, *args, **kwargs)
        else:
            with ws.session() as (opened, problem):
                if opened is None:
                    return Notice(problem)
                out = func(opened, *args, **kwargs)
        if key is not None and isinstance(out, pd.DataFrame):
            _memo()[key] = out.copy()
        return out

    return wrapper


def _memo():
    from .history import view_memo

    return view_memo()


_PLAIN = (str, int, float, bool, type(None), dt.date)


def _memo_key(func, ws, args, kwargs) -> tuple | None:
    """While a report renders (:func:`rgpd_audit.report.history.remembered`: its findings are
    written, nothing changes them until it is done), a table view asked again with the same
    arguments — by ``index.html``, the command's summary and the notebooks, which run in the
    same process — is answered from the first call. Its key: the view, the workspace's
    folder, the arguments (plain values, or a policy: one object per file, see
    :func:`rgpd_audit.policy.load_policy`). None: not remembered."""
    if _memo() is None:
        return None
    if isinstance(ws, WorkspaceHandle):
        if ws.path is None:
            return None
        where = Path(ws.path).resolve()
    elif isinstance(ws, _Workspace):
        where = Path(ws.path).resolve()
    else:
        return None
    from ..policy import Policy

    try:
        bound = inspect.signature(func).bind(ws, *args, **kwargs)
    except TypeError:
        return None  # the call itself will say what is wrong
    bound.apply_defaults()
    parts = []
    for name, v in list(bound.arguments.items())[1:]:
        if name == "policy" and isinstance(v, (str, Path, type(None))):
            from ..policy import load_policy

            try:
                v = load_policy(v or None)  # the same object as the report's own, by its file
            except Exception:  # noqa: BLE001 - the view itself will say what is wrong
                return None
        if isinstance(v, Policy):
            _memo()[("alive", id(v))] = v  # its id stays its own while the memo lives
            v = ("policy", id(v))
        elif not isinstance(v, _PLAIN):
            return None
        parts.append((name, v))
    return ("view", func.__module__, func.__qualname__, str(where), tuple(parts))
