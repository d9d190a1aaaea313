"""The report runner: one function wrapping papermill, and ``run_report`` for a whole audit.

``execute_notebook`` runs one parameterised notebook: primitive parameters only, unknown
parameters rejected (listing those the notebook declares in its ``parameters`` cell), and
a failing cell raised as :class:`NotebookFailed` naming the notebook, the cell and the
saved failed notebook. ``run_report`` loads the estate, runs the checks, exports the
findings, executes every notebook into ``<out>/<as-of>/notebooks/`` and writes
``<out>/<as-of>/index.html``, the management report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RgpdAuditError
from ..resources import bundled_policy, sample_manifest
from ..resources import notebooks_dir as package_notebooks

PRIMITIVES = (str, int, float, bool, type(None))
NOTEBOOK_GLOB = "[0-4][0-9]_*.ipynb"  # 00 … 49: the report's notebooks (50+ are tools of their own)


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

    @property
    def errors(self) -> int:
        return sum(c.get("error", 0) for c in self.counts.values())

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
) -> ReportResult:
    """Audit (:func:`rgpd_audit.pipeline.audit`: load, map, check), export the findings, run the
    notebooks and write ``<out>/<as-of>/index.html``. ``allow_outside``: the manifest may name
    files outside its folder."""
    from ..checks.runner import export_findings
    from ..pipeline import LoadFailed, audit
    from ..workspace import Workspace, io_errors
    from . import panels
    from .history import totals_of_changes
    from .html import Links, render_report
    from .labels import check_lang

    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    lang = check_lang(lang)
    notebooks = list(notebooks) if notebooks is not None else report_notebooks(notebooks_dir)
    workspace = Path(workspace).resolve()
    manifest_path = Path(manifest).resolve() if manifest else sample_manifest()
    policy_path = Path(policy).resolve() if policy else bundled_policy()
    target = report_dir(Path(out_dir), as_of).resolve()
    nb_dir = target / "notebooks"

    with Workspace(workspace) as ws:
        try:
            result = audit(ws, as_of, manifest=manifest_path, policy_path=policy_path, strict=True,
                           allow_outside=allow_outside)
        except LoadFailed as exc:
            raise ReportError(str(exc)) from None
        pol, run = result.policy, result.run
        csv_path, pq_path = export_findings(ws, run.run_id, target)
        links = Links(
            findings_csv=csv_path.name,
            notebooks=[(nb.stem.replace("_", " "), f"notebooks/{nb.name}") for nb in notebooks],
        )
        page = render_report(ws, run.run_id, pol, lang, links)
        ch = totals_of_changes(ws, run.run_id)
        top = panels.urgent_actions(ws, run.run_id, pol, lang)
        urgent = [f"{a} {d}" for a, d in zip(top["action"], top["detail"])]  # what to do, then what and where
    # The workspace is closed: each notebook's kernel opens it in turn (DuckDB allows one writer).
    params = {
        "as_of": as_of.isoformat(), "workspace": str(workspace), "manifest": str(manifest_path) if manifest else "",
        "policy": str(policy_path) if policy else "", "lang": lang,
    }
    executed = []
    for nb in notebooks:
        declared = notebook_parameters(nb)
        executed.append(execute_notebook(nb, nb_dir / nb.name, {k: v for k, v in params.items() if k in declared}))
    index = target / "index.html"
    with io_errors(index, ReportError):
        index.write_text(page, encoding="utf-8")
    result = ReportResult(
        as_of=as_of, run_id=run.run_id, out_dir=target, index_html=index, notebooks=executed,
        findings_csv=csv_path, findings_parquet=pq_path, counts=run.counts, previous_run=ch["previous_run"],
        previous_as_of=ch["previous_as_of"],
        new=ch["new"], resolved=ch["resolved"], still_open=ch["still_open"], urgent=urgent,
    )
    if pdf:
        from .pdf import print_pdf

        result.pdf = print_pdf(index, target / "rapport.pdf" if lang == "fr" else target / "report.pdf")
    return result
