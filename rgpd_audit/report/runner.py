"""The report runner: one function wrapping papermill, and ``run_report`` for a whole audit.

``execute_notebook`` runs one parameterised notebook: primitive parameters only, unknown
parameters rejected (listing those the notebook declares in its ``parameters`` cell), and
a failing cell raised as :class:`NotebookFailed` naming the notebook, the cell and the
saved failed notebook. ``run_report`` loads the estate, runs the checks, exports the
findings, executes every notebook into ``<out>/<as-of>/notebooks/`` and writes
``<out>/<as-of>/index.html``, the management report.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RgpdAuditError
from ..resources import bundled_policy, sample_manifest
from ..resources import notebooks_dir as package_notebooks

PRIMITIVES = (str, int, float, bool, type(None))
# The report's spreadsheet holds the first findings, most severe first (a spreadsheet opens
# about a million rows; at 10M records a run has 2M findings, a 1.6 GB CSV); every finding
# is in findings.parquet. `rgpd-audit check --out` writes them all.
REPORT_CSV_ROWS = 100_000
NOTEBOOK_GLOB = "[0-4][0-9]_*.ipynb"  # 00 … 49: the report's notebooks (50+ are tools of their own)
# The kernel logs errors only: its start-up warnings (« Kernel is running over TCP without
# encryption », on a kernel bound to 127.0.0.1) would land in the cron log of every run.
KERNEL_QUIET = ["--IPKernelApp.log_level=ERROR"]


class ReportError(RgpdAuditError):
    """The report cannot be produced (bad parameter, failed load, missing notebook)."""


class UnknownParameter(ReportError):
    def __init__(self, notebook: Path, unknown: list[str], known: list[str]):
        self.notebook, self.unknown, self.known = Path(notebook), unknown, known
        super().__init__(
            f"{self.notebook.name}: unknown parameter(s) {', '.join(unknown)}; "
            f"known: {', '.join(known) if known else '(none: the notebook has no parameters cell)'}"
        )


class NotebookFailed(ReportError):
    """A cell raised: names the notebook, the cell index and the saved failed notebook."""

    def __init__(self, notebook: Path, cell_index: int, saved: Path, ename: str, evalue: str):
        self.notebook, self.cell_index, self.saved = Path(notebook), cell_index, Path(saved)
        self.ename, self.evalue = ename, evalue
        super().__init__(
            f"{self.notebook.name}: cell {cell_index} of the saved notebook failed: {ename}: {evalue.strip().splitlines()[0] if evalue.strip() else ''} "
            f"(failed notebook saved to {self.saved})"
        )


@dataclass
class ReportResult:
    as_of: dt.date
    run_id: int
    out_dir: Path
    index_html: Path
    notebooks: list[Path]
    findings_csv: Path
    findings_parquet: Path
    counts: dict[str, dict[str, int]]
    previous_run: int | None = None
    previous_as_of: dt.date | None = None
    new: int | None = None
    resolved: int | None = None
    still_open: int | None = None
    urgent: list[str] = field(default_factory=list)
    pdf: Path | None = None
    findings_in_csv: int | None = None  # when findings.csv holds only the first ones (REPORT_CSV_ROWS)

    @property
    def errors(self) -> int:
        return sum(c.get("error", 0) for c in self.counts.values())

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    @property
    def warnings(self) -> int:
        return sum(c.get("warning", 0) for c in self.counts.values())


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    """The parameters a notebook declares: name -> {default, inferred_type_name, help}."""
    import papermill

    return papermill.inspect_notebook(str(notebook))


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Reject non-primitive values and parameters the notebook does not declare."""
    bad = sorted(k for k, v in parameters.items() if not isinstance(v, PRIMITIVES))
    if bad:
        raise ReportError(
            f"{Path(notebook).name}: parameter(s) {', '.join(bad)} must be str, int, float, bool or None "
            f"(got {', '.join(type(parameters[k]).__name__ for k in bad)})"
        )
    known = list(notebook_parameters(notebook))
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise UnknownParameter(notebook, unknown, known)


def execute_notebook(notebook: Path, output: Path, parameters: dict, *, cwd: Path | None = None,
                     timeout: int = 600) -> Path:
    """Run ``notebook`` with ``parameters`` into ``output``; raises :class:`NotebookFailed`."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook, output = Path(notebook), Path(output)
    if not notebook.exists():
        raise ReportError(f"{notebook}: no such notebook")
    check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, cwd=str(cwd or output.parent),
            kernel_name="python3", progress_bar=False, log_output=False, execution_timeout=timeout,
            extra_arguments=KERNEL_QUIET,
        )
    except PapermillExecutionError as exc:
        raise NotebookFailed(notebook, _failed_cell(output, exc.cell_index), output, exc.ename, exc.evalue) from None
    return output


def _failed_cell(saved: Path, fallback: int) -> int:
    """Index of the failing cell in the saved notebook (after papermill's banner and parameters)."""
    import nbformat

    try:
        nb = nbformat.read(saved, as_version=4)
    except Exception:  # the saved notebook is unreadable: papermill's own index
        return fallback
    for i, cell in enumerate(nb.cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i
    return fallback


def report_notebooks(notebooks_dir: Path | None = None) -> list[Path]:
    """The report's notebooks, 00 to 49, in order."""
    folder = Path(notebooks_dir) if notebooks_dir else package_notebooks()
    found = sorted(folder.glob(NOTEBOOK_GLOB))
    if not found:
        raise ReportError(f"{folder}: no report notebooks (00_*.ipynb … 40_*.ipynb)")
    return found


def report_dir(out_dir: Path, as_of: dt.date) -> Path:
    """Where a report goes: ``<out>/<as-of>/``."""
    return Path(out_dir) / as_of.isoformat()


def run_report(
    as_of: dt.date | str,
    workspace: str | Path,
    manifest: str | Path | None = None,
    policy: str | Path | None = None,
    out_dir: str | Path = "reports",
    lang: str = "fr",
    *,
    pdf: bool = False,
    notebooks: list[Path] | None = None,
    notebooks_dir: Path | None = None,
    allow_outside: bool = False,
    progress=None,
) -> ReportResult:
    """Audit (:func:`rgpd_audit.pipeline.audit`: load, map, check), export the findings, run the
    notebooks into HTML annexes and write ``<out>/<as-of>/index.html``. ``allow_outside``: the
    manifest may name files outside its folder. ``progress``: told of each stage (load, map,
    check, html, each notebook), see :data:`rgpd_audit.pipeline.Progress`.

    The notebooks run in this process, one after the other in one IPython shell (no kernel;
    see :mod:`rgpd_audit.report.inprocess`), unless this process is itself a kernel (a report
    started from a notebook), where each runs in a kernel of its own with papermill. Each
    executed notebook is written as an annex, ``annexes/<notebook>.html``: its outputs, no
    code. ``index.html`` and the annexes share the folder's one plotly.js
    (:data:`rgpd_audit.report.annexes.PLOTLYJS_FILE`).
    """
    from . import warmup

    warmup.start()  # the page's and the notebooks' modules imported while the audit's SQL runs
    from ..checks.runner import FINDINGS_CSV, exporting
    from ..pipeline import LoadFailed, audit, stage
    from ..workspace import Workspace, io_errors
    from .history import remembered
    from .labels import check_lang, fmt_int, word

    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    lang = check_lang(lang)
    notebooks = list(notebooks) if notebooks is not None else report_notebooks(notebooks_dir)
    workspace = Path(workspace).resolve()
    manifest_path = Path(manifest).resolve() if manifest else sample_manifest()
    policy_path = Path(policy).resolve() if policy else bundled_policy()
    target = report_dir(Path(out_dir), as_of).resolve()
    annex_dir = target / ANNEX_DIR

    # the run's changes are computed once for the page, the summary and the notebooks
    with remembered():
        with Workspace(workspace) as ws:
            try:
                result = audit(ws, as_of, manifest=manifest_path, policy_path=policy_path, strict=True,
                               allow_outside=allow_outside, progress=progress)
            except LoadFailed as exc:
                raise ReportError(str(exc)) from None
            pol, run = result.policy, result.run
            from . import panels, present
            from .annexes import PLOTLYJS_FILE, annex_name, annex_title, plotlyjs_tags, write_plotlyjs
            from .history import totals_of_changes
            from .html import Links, render_report

            with stage(progress, "html"), exporting(ws, run.run_id, target, csv_rows=REPORT_CSV_ROWS) as exported:
                # the findings are written by DuckDB in a thread while the page is built
                capped = REPORT_CSV_ROWS if run.total > REPORT_CSV_ROWS else None
                links = Links(
                    findings_csv=FINDINGS_CSV,
                    findings_note=word("annex_findings_capped", lang).format(
                        shown=fmt_int(REPORT_CSV_ROWS, lang), total=fmt_int(run.total, lang)) if capped else None,
                    notebooks=[(annex_title(nb, lang), f"{ANNEX_DIR}/{annex_name(nb)}") for nb in notebooks],
                )
                page = render_report(ws, run.run_id, pol, lang, links, plotlyjs_tags=plotlyjs_tags(PLOTLYJS_FILE))
                ch = totals_of_changes(ws, run.run_id)
                top = panels.urgent_actions(ws, run.run_id, pol, lang)
                tables = present.context_for(ws, pol, lang)  # the annexes' tables in words
                urgent = [f"{a} {d}" for a, d in zip(top["action"], top["detail"])]  # what to do, then what and where
            csv_path, pq_path = exported.result()
        # The workspace is closed: each notebook opens it in turn (DuckDB allows one writer).
        params = {
            "as_of": as_of.isoformat(), "workspace": str(workspace), "manifest": str(manifest_path) if manifest else "",
            "policy": str(policy_path) if policy else "", "lang": lang,
        }
        with io_errors(target, ReportError):
            annex_dir.mkdir(parents=True, exist_ok=True)
            write_plotlyjs(target)
        annexes = []
        from . import inprocess
        from .handle import kept_open

        # in this process, the notebooks' views share one read-only opening of the workspace
        with kept_open(workspace) if inprocess.available() else contextlib.nullcontext():
            for nb in notebooks:
                with stage(progress, f"notebook {nb.stem}"):
                    annexes.append(_annex(nb, annex_dir, params, lang, word("title", lang), tables=tables))
    _remove_stale(annex_dir, {p.name for p in annexes})
    index = target / "index.html"
    with io_errors(index, ReportError):
        index.write_text(page, encoding="utf-8")
    result = ReportResult(
        as_of=as_of, run_id=run.run_id, out_dir=target, index_html=index, notebooks=annexes,
        findings_csv=csv_path, findings_parquet=pq_path, counts=run.counts, previous_run=ch["previous_run"],
        previous_as_of=ch["previous_as_of"],
        new=ch["new"], resolved=ch["resolved"], still_open=ch["still_open"], urgent=urgent,
        findings_in_csv=capped,
    )
    if pdf:
        from .pdf import print_pdf

        with stage(progress, "pdf"):
            result.pdf = print_pdf(index, target / "rapport.pdf" if lang == "fr" else target / "report.pdf")
    return result


ANNEX_DIR = "annexes"


def _annex(notebook: Path, annex_dir: Path, params: dict, lang: str, back_label: str, *, tables=None) -> Path:
    """Run ``notebook`` with the parameters it declares and write its HTML annex (``tables``:
    the :class:`rgpd_audit.report.present.Context` its tables are worded with)."""
    from . import inprocess

    inprocess.skip_iri_grammar()
    from ..workspace import io_errors
    from .annexes import PLOTLYJS_FILE, annex_name, annex_title, render_annex
    from .nbhtml import read_notebook

    failed = annex_dir / f"{notebook.stem}.failed.ipynb"
    if inprocess.available():
        # papermill's parameter cell, without importing papermill (a second of the report)
        try:
            nb = read_notebook(notebook)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
        declared = inprocess.declared_parameters(nb)
        nb = inprocess.parameterize(nb, {k: v for k, v in params.items() if k in declared})
        try:
            from .present import formatter

            inprocess.execute_inprocess(nb, cwd=annex_dir, table_html=formatter(tables) if tables is not None else None)
        except inprocess.CellError as exc:
            import nbformat

            nbformat.write(nbformat.from_dict(nb), failed)
            raise NotebookFailed(notebook, exc.cell_index, failed, exc.ename, exc.evalue) from None
    else:  # this process is a kernel already: one kernel per notebook, with papermill
        import tempfile

        declared = notebook_parameters(notebook)
        wanted = {k: v for k, v in params.items() if k in declared}
        with tempfile.TemporaryDirectory(prefix="rgpd-audit-nb-") as tmp:
            staged = _with_annex_tables(notebook, Path(tmp) / "staged", params)
            try:
                executed = execute_notebook(staged, Path(tmp) / notebook.name, wanted, cwd=annex_dir)
            except NotebookFailed as exc:
                failed.write_bytes(exc.saved.read_bytes())
                raise NotebookFailed(notebook, exc.cell_index, failed, exc.ename, exc.evalue) from None
            nb = read_notebook(executed)
    failed.unlink(missing_ok=True)
    out = annex_dir / annex_name(notebook)
    page = render_annex(nb, annex_title(notebook, lang, nb), lang, plotlyjs_href=f"../{PLOTLYJS_FILE}",
                        back_href="../index.html", back_label=back_label, name=f"{ANNEX_DIR}/{out.name}")
    with io_errors(out, ReportError):
        out.write_text(page, encoding="utf-8")
    return out


ANNEX_TABLES_TAG = "rgpd-audit-annex-tables"


def _with_annex_tables(notebook: Path, folder: Path, params: dict) -> Path:
    """A copy of ``notebook`` in ``folder`` whose tables are worded as in the in-process
    annexes: a cell after the ``parameters`` one (after papermill's, once it injects them)
    calls :func:`rgpd_audit.report.present.install` with the report's parameters. It shows
    nothing, and an annex shows no code."""
    import nbformat

    from .inprocess import after_parameters

    nb = nbformat.read(notebook, as_version=4)
    at = after_parameters(nb)
    args = ", ".join(f"{k}={params.get(k, '')!r}" for k in ("workspace", "policy", "lang"))
    cell = nbformat.v4.new_code_cell(f"import rgpd_audit.report.present\nrgpd_audit.report.present.install({args})",
                                     metadata={"tags": [ANNEX_TABLES_TAG]})
    nb.cells.insert(at, cell)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / notebook.name
    nbformat.write(nb, out)
    return out


def _remove_stale(annex_dir: Path, keep: set[str]) -> None:
    """Annexes of notebooks no longer in the report (a re-run into the same folder) go."""
    for p in annex_dir.glob("*.html"):
        if p.name not in keep:
            p.unlink()
