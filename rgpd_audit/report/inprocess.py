"""Run a report notebook in this process: no kernel to start, no TCP port, modules imported once.

The report's notebooks are thin (one call to :mod:`rgpd_audit.report.panels` per cell), so
a kernel per notebook cost more than their computations: five kernel start-ups, five imports
of pandas, DuckDB and plotly, and the « Kernel is running over TCP without encryption »
warning in the cron log. :func:`execute_inprocess` runs the cells of a parameterised
notebook (papermill's injected-parameters cell included) in one IPython shell of this
process, the same shell for every notebook of a report with a fresh namespace each time, and
fills the notebook's outputs as a kernel would (streams, rich displays, execution results,
errors with their traceback).

Used by :func:`rgpd_audit.report.run_report` only when this process is not itself an IPython
kernel (a report started from a notebook runs its notebooks with papermill, in kernels).
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path


class CellError(Exception):
    """A cell raised: its index in the notebook, the exception's name and value."""

    def __init__(self, cell_index: int, ename: str, evalue: str):
        self.cell_index, self.ename, self.evalue = cell_index, ename, evalue
        super().__init__(f"cell {cell_index}: {ename}: {evalue}")


def available() -> bool:
    """Whether notebooks can run here: no other IPython shell already owns this process."""
    from IPython.core.interactiveshell import InteractiveShell

    return not InteractiveShell.initialized() or isinstance(InteractiveShell.instance(), _shell_class())


_SHELL_CLASS = None


def output(output_type: str, **fields):
    """A cell output as a kernel sends it (as ``nbformat.v4.new_output`` makes it, without
    importing nbformat nor validating each output, which cost more than the notebooks' cells)."""
    from .nbhtml import Node

    return Node(output_type=output_type, **fields)


def _shell_class():
    """The shell class, built on first use (IPython is imported only when a report runs)."""
    global _SHELL_CLASS
    if _SHELL_CLASS is not None:
        return _SHELL_CLASS
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class Publisher(DisplayPublisher):
        """``display(...)`` in a cell: a ``display_data`` output of the running cell."""

        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            self.shell.cell_outputs.append(output("display_data", data=data, metadata=metadata or {}))

        def clear_output(self, wait=False):
            self.shell.cell_outputs.clear()

    class Hook(DisplayHook):
        """The value of a cell's last expression: an ``execute_result`` output."""

        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.cell_outputs.append(output(
                "execute_result", data=format_dict, metadata=md_dict or {}, execution_count=self.shell.cell_count))

        def log_output(self, format_dict):
            pass

        def finish_displayhook(self):
            pass

    class ReportShell(InteractiveShell):
        cell_outputs: list = []
        cell_count: int = 0

    ReportShell.display_pub_class = Publisher
    ReportShell.displayhook_class = Hook
    _SHELL_CLASS = ReportShell
    return ReportShell


def _shell():
    from traitlets.config import Config

    cls = _shell_class()
    if cls.initialized():
        return cls.instance()
    cfg = Config()
    cfg.HistoryManager.enabled = False  # nothing written to ~/.ipython
    cfg.InteractiveShell.colors = "nocolor"
    cfg.InteractiveShell.warn_venv = False
    cfg.InteractiveShell.automagic = False
    cfg.InteractiveShell.cache_size = 0  # no Out[] cache keeping every result alive
    shell = cls.instance(config=cfg)
    shell.initial_names = set(shell.user_ns)
    return shell


def skip_iri_grammar() -> None:
    """jsonschema (imported by nbformat) spends seconds building an optional IRI grammar at
    import; notebooks are never validated against IRIs, so that module is left out."""
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def declared_parameters(nb) -> list[str]:
    """The names the cell tagged ``parameters`` assigns (what papermill's inspection lists)."""
    import ast

    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            names = []
            for node in ast.parse(cell.source).body:
                targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
                names += [t.id for t in targets if isinstance(t, ast.Name)]
            return names
    return []


def parameterize(nb, parameters: dict):
    """``nb`` with papermill's injected-parameters cell after its ``parameters`` cell (or first).

    The values are primitives (checked by the runner), written as Python literals."""
    import uuid

    from .nbhtml import Node

    source = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    injected = Node(id=uuid.uuid4().hex[:8], cell_type="code", metadata=Node(tags=["injected-parameters"]),
                    execution_count=None, source=source, outputs=[])
    nb.cells.insert(after_parameters(nb), injected)
    return nb


def after_parameters(nb) -> int:
    """Where papermill puts its injected cell: just after the cell tagged ``parameters`` (first
    when there is none)."""
    return next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), 0)


def execute_inprocess(nb, cwd: Path | None = None, *, table_html=None):
    """Run every code cell of ``nb`` (an nbformat notebook) in order; outputs filled in place.

    Raises :class:`CellError` at the first cell that raises (the outputs up to it, and its
    error output, are in ``nb``). ``cwd``: the working directory while the cells run.
    ``table_html``: how a DataFrame is shown as HTML while they run (the report's annexes:
    :func:`rgpd_audit.report.present.formatter`); pandas' own HTML otherwise.
    """
    shell = _shell()
    _clear(shell)
    count = 0
    old_cwd = os.getcwd()
    html_formatter = shell.display_formatter.formatters["text/html"]
    if table_html is not None:
        import pandas as pd

        html_formatter.for_type(pd.DataFrame, table_html)
    try:
        if cwd:
            os.chdir(cwd)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            shell.cell_outputs = cell.outputs = []
            shell.cell_count = cell.execution_count = count
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                result = shell.run_cell(cell.source, store_history=False, silent=False)
            streams = [output("stream", name=name, text=buf.getvalue())
                       for name, buf in (("stdout", out), ("stderr", err)) if buf.getvalue()]
            failure = result.error_before_exec or result.error_in_exec
            if failure is not None:
                import traceback

                tb = traceback.format_exception(type(failure), failure, failure.__traceback__)
                cell.outputs = cell.outputs + [output(
                    "error", ename=type(failure).__name__, evalue=str(failure), traceback=tb)]
                raise CellError(index, type(failure).__name__, str(failure))
            cell.outputs = streams + cell.outputs
    except BaseException:
        _clear(shell)
        import gc
        import sys

        # the failed cell's frames (kept by IPython as the last traceback) held the notebook's
        # workspace connection: let them go, so that the workspace can be opened again
        for name in ("last_type", "last_value", "last_traceback", "last_exc"):
            if hasattr(sys, name):
                setattr(sys, name, None)
        gc.collect()
        raise
    finally:
        os.chdir(old_cwd)
        if table_html is not None:
            import pandas as pd

            html_formatter.pop(pd.DataFrame, None)
    _clear(shell)  # the notebook's objects (its closed workspace) go now
    return nb


def _clear(shell) -> None:
    """A fresh namespace for the next notebook: the names cells defined are removed.

    Lighter than ``InteractiveShell.reset``, whose full garbage collection costs more than a
    notebook here; the notebooks close their workspace themselves."""
    for name in set(shell.user_ns) - shell.initial_names:
        del shell.user_ns[name]
    shell.user_ns["__name__"] = "__main__"
    shell.cell_outputs = []
