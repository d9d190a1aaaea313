"""The monthly job: a line per stage, quiet in cron, cheap next month, a small report folder,
and nothing left in the temporary folder.

The commands run as a cron job would: in a child process, not on a terminal, with a private
``TMPDIR`` that must be empty afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from rgpd_audit.cli import main
from rgpd_audit.cli.progress import StageLines
from rgpd_audit.report import NotebookFailed, run_report
from rgpd_audit.report.annexes import PLOTLYJS_FILE
from tests.test_report_fixtures import AS_OF, IDENTIFIERS, tiny_workspace

REPO = Path(__file__).resolve().parents[1]
RGPD_AUDIT = Path(sys.executable).parent / "rgpd-audit"
FIVE_MB = 5_000_000
STAGES = ["load", "map", "check", "html", "notebook 00_chargement", "notebook 10_cartographie",
          "notebook 20_conservation", "notebook 30_transferts_acces", "notebook 40_synthese"]


def cron(args: list[str], tmpdir: Path, cwd: Path) -> subprocess.CompletedProcess:
    """``rgpd-audit ARGS`` as cron runs it: no terminal, a private TMPDIR."""
    tmpdir.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmpdir), "TMP": str(tmpdir), "TEMP": str(tmpdir)}
    env.pop("RGPD_AUDIT_WORKSPACE", None)
    return subprocess.run([str(RGPD_AUDIT), *args], capture_output=True, text=True, env=env, cwd=cwd,
                          stdin=subprocess.DEVNULL, timeout=900)


def stage_names(stderr: str) -> list[str]:
    return [line.split(":", 1)[0] for line in stderr.splitlines() if ":" in line and not line.startswith("Audit date")]


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory):
    """The sample estate's report, then the next month's on the same workspace, as cron runs them."""
    root = tmp_path_factory.mktemp("monthly")
    first = cron(["report", "--as-of", "2026-11-27", "--workspace", "ws", "--out", "reports"], root / "systmp", root)
    second = cron(["report", "--as-of", "2026-12-27", "--workspace", "ws", "--out", "reports"], root / "systmp", root)
    return root, first, second


def test_sample_report_a_line_per_stage_no_kernel_warning(sample_runs):
    _, first, _ = sample_runs
    assert first.returncode == 1, first.stderr[-2000:]  # the sample has error findings
    assert stage_names(first.stderr) == STAGES, first.stderr
    assert "WARNING" not in first.stderr and "IPKernelApp" not in first.stderr and "Traceback" not in first.stderr
    assert "\r" not in first.stderr and "\x1b" not in first.stderr  # not a terminal: no bar, no control character
    assert "load: skipped" not in first.stderr and "map: skipped" not in first.stderr


def test_next_month_skips_load_and_classification(sample_runs):
    _, _, second = sample_runs
    assert second.returncode == 1, second.stderr[-2000:]
    lines = second.stderr.splitlines()
    assert any(line.startswith("load: skipped, nothing changed") for line in lines), second.stderr
    assert any(line.startswith("map: skipped, nothing changed") for line in lines), second.stderr
    assert any(line.startswith("check: ") and "skipped" not in line for line in lines)  # depends on the date


def test_sample_report_folder_under_5_mb_with_html_annexes(sample_runs):
    root, _, _ = sample_runs
    for as_of in ("2026-11-27", "2026-12-27"):
        target = root / "reports" / as_of
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        assert size < FIVE_MB, (as_of, size)
        assert not list(target.rglob("*.ipynb"))  # no notebook duplicating the annexes
        annexes = sorted(p.name for p in (target / "annexes").iterdir())
        assert annexes == ["00_chargement.html", "10_cartographie.html", "20_conservation.html",
                           "30_transferts_acces.html", "40_synthese.html"]
        # plotly.js once in the folder, loaded by every page, embedded in none
        assert (target / PLOTLYJS_FILE).is_file()
        for page in [target / "index.html", *(target / "annexes").iterdir()]:
            text = page.read_text(encoding="utf-8")
            assert PLOTLYJS_FILE in text and "plotly.js v" not in text, page
            assert page.stat().st_size < 400_000, page


def test_cron_runs_leave_nothing_in_tmpdir(sample_runs):
    root, _, _ = sample_runs
    assert list((root / "systmp").iterdir()) == []


def test_quiet_writes_no_stage_line_and_keeps_the_summary(tmp_path):
    tiny = tiny_workspace(tmp_path)
    res = cron(["report", "--quiet", "--as-of", AS_OF.isoformat(), "--manifest", str(tiny.manifest),
                "--workspace", str(tiny.workspace), "--out", str(tmp_path / "r")], tmp_path / "systmp", tmp_path)
    assert res.returncode == 1, res.stderr
    assert res.stderr == ""
    assert "Report: " in res.stdout and "error(s)" in res.stdout
    assert list((tmp_path / "systmp").iterdir()) == []


def test_quiet_and_verbose_exclude_each_other(tmp_path):
    res = CliRunner().invoke(main, ["check", "-q", "-v", "--workspace", str(tmp_path / "ws"), "--as-of", "2026-11-27"])
    assert res.exit_code == 2 and "exclude each other" in res.output


def test_stage_lines_on_a_terminal_and_in_a_log():
    class Term(list):
        def write(self, s):
            self.append(s)

        def flush(self):
            pass

        def isatty(self):
            return self.tty

    log, term = Term(), Term()
    log.tty, term.tty = False, True
    for stream in (log, term):
        lines = StageLines(stream=stream)
        lines("check", "start", 0.0)
        lines("check", "done", 1.26)
        lines("map", "start", 0.0)
        lines("map", "skipped", 0.01)
    assert "".join(log) == "check: 1.3 s\nmap: skipped, nothing changed (0.0 s)\n"
    assert "".join(term) == "check…\r\x1b[Kcheck: 1.3 s\nmap…\r\x1b[Kmap: skipped, nothing changed (0.0 s)\n"
    verbose = Term()
    verbose.tty = False
    StageLines(verbose=True, stream=verbose)("load", "start", 0.0)
    StageLines(verbose=True, stream=verbose)("load", "done", 0.25)
    assert "".join(verbose) == "load: started\nload: 250 ms\n"
    quiet = Term()
    quiet.tty = True
    StageLines(quiet=True, stream=quiet)("load", "done", 0.25)
    assert quiet == []


def test_annexes_of_personal_data_estate_show_no_code_and_no_identifier(tmp_path):
    tiny = tiny_workspace(tmp_path)
    seen = []
    result = run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=tmp_path / "r",
                        progress=lambda stage, event, s: seen.append((stage, event)))
    assert [s for s, e in seen if e != "start"] == STAGES
    titles = {"00_chargement.html": "Chargement et qualité des exports", "20_conservation.html": "Durées de conservation",
              "40_synthese.html": "Synthèse pour la direction"}
    index = result.index_html.read_text(encoding="utf-8")
    for annex in result.notebooks:
        page = annex.read_text(encoding="utf-8")
        assert "panels." not in page and "import " not in page and "as_of: str" not in page  # outputs only
        for ident in IDENTIFIERS:
            assert ident not in page, (annex.name, ident)
        if annex.name in titles:
            assert f"<title>{titles[annex.name]}</title>" in page
            assert f'href="annexes/{annex.name}">{titles[annex.name]}</a>' in index
    assert "<table" in (result.out_dir / "annexes" / "00_chargement.html").read_text(encoding="utf-8")
    assert 'class="plotly-graph-div"' in (result.out_dir / "annexes" / "20_conservation.html").read_text(encoding="utf-8")


def test_english_annex_titles(tmp_path):
    tiny = tiny_workspace(tmp_path)
    result = run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=tmp_path / "r", lang="en",
                        notebooks=[REPO / "notebooks" / "20_conservation.ipynb"])
    page = result.notebooks[0].read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<title>Retention periods</title>" in page


def test_failing_notebook_in_the_report_names_cell_and_saved_notebook(tmp_path):
    tiny = tiny_workspace(tmp_path)
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    nb.cells = [nbformat.v4.new_code_cell('as_of = "2026-11-27"', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('boom ' + as_of)")]
    src = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, src)
    with pytest.raises(NotebookFailed) as info:
        run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=tmp_path / "r", notebooks=[src])
    err = info.value
    assert err.notebook.name == "99_broken.ipynb" and err.ename == "ValueError"
    assert f"boom {AS_OF.isoformat()}" in err.evalue  # the report's parameter was injected
    saved = nbformat.read(err.saved, as_version=4)
    assert saved.cells[err.cell_index].source.startswith("raise ValueError")
    assert saved.cells[err.cell_index].outputs[-1].output_type == "error"
    assert "x" not in __import__("rgpd_audit.report.inprocess", fromlist=["_shell"])._shell().user_ns  # namespace cleared


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)")
def test_report_folder_charts_render_offline_from_the_shared_plotlyjs(tmp_path):
    """index.html and an annex, opened from the disk with the network cut: plotly.js is inflated
    from the folder's one copy and every chart is drawn, without a console error."""
    from playwright.sync_api import sync_playwright

    tiny = tiny_workspace(tmp_path)
    result = run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=tmp_path / "r",
                        notebooks=[REPO / "notebooks" / "20_conservation.ipynb"])
    errors, blocked = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()

            def route(r):
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            for url, n in ((result.index_html.as_uri(), 4), (result.notebooks[0].as_uri(), 1)):
                page.goto(url, wait_until="load")
                page.wait_for_function(
                    f"() => document.querySelectorAll('.plotly-graph-div .main-svg').length >= {n}", timeout=20_000)
                assert page.locator(".plotly-graph-div").count() == n, url
        finally:
            browser.close()
    assert errors == [] and blocked == [], (errors, blocked)


def test_notebook_in_a_kernel_is_quiet_and_leaves_nothing_in_tmpdir(tmp_path):
    """``execute_notebook`` (papermill, a kernel) on no workspace: the kernel's start-up warnings
    are not written, and the empty workspace the notebook opened is gone with the kernel."""
    tmpdir = tmp_path / "systmp"
    tmpdir.mkdir()
    code = ("from pathlib import Path\nfrom rgpd_audit.report import execute_notebook\n"
            f"execute_notebook(Path({str(REPO / 'notebooks' / '20_conservation.ipynb')!r}), "
            f"Path({str(tmp_path / 'out' / '20.ipynb')!r}), {{'workspace': {str(tmp_path / 'none')!r}}})\n")
    env = {**os.environ, "TMPDIR": str(tmpdir), "TMP": str(tmpdir), "TEMP": str(tmpdir)}
    env.pop("RGPD_AUDIT_WORKSPACE", None)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "WARNING" not in res.stderr and "IPKernelApp" not in res.stderr, res.stderr
    assert list(tmpdir.iterdir()) == []
    assert (tmp_path / "out" / "20.ipynb").is_file()


def _pdf_drawing_bytes(pdf: Path) -> int:
    """Bytes of the PDF's content streams, inflated: what is drawn, text and charts."""
    import re
    import zlib

    total = 0
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf.read_bytes(), re.S):
        try:
            total += len(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return total


def _pdf_words(pdf: Path) -> set[str]:
    from pypdf import PdfReader

    return {w for page in PdfReader(pdf).pages for w in (page.extract_text() or "").split()}


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)")
def test_pdf_draws_the_charts_from_the_shared_plotlyjs(tmp_path):
    """--pdf prints index.html once plotly.js is inflated: the charts are in the PDF (the same
    page with its charts' calls removed draws much less)."""
    from rgpd_audit.report.pdf import print_pdf

    tiny = tiny_workspace(tmp_path)
    result = run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=tmp_path / "r", pdf=True,
                        notebooks=[REPO / "notebooks" / "20_conservation.ipynb"])
    assert result.pdf.name == "rapport.pdf" and result.pdf.read_bytes().startswith(b"%PDF")
    bare = result.out_dir / "bare.html"
    bare.write_text(result.index_html.read_text(encoding="utf-8").replace("Plotly.newPlot(", "(function () {})("),
                    encoding="utf-8")
    without = print_pdf(bare, tmp_path / "bare.pdf")
    assert _pdf_drawing_bytes(result.pdf) > _pdf_drawing_bytes(without)
    # the charts' own words (axis ticks, legends, labels) are printed only when plotly.js ran
    drawn = _pdf_words(result.pdf) - _pdf_words(without)
    assert len(drawn) >= 3, drawn


def test_changes_computed_once_while_a_report_renders(tmp_path):
    """Inside ``remembered()`` (what run_report holds while it renders) a run's changes are
    computed once; outside it, every call reads the findings again."""
    from rgpd_audit.report import history
    from rgpd_audit.workspace import Workspace

    tiny = tiny_workspace(tmp_path)
    with Workspace(tiny.workspace) as ws:
        before = history.changes_by_check(ws, tiny.run_now)
        assert before["current"].sum() > 0
        with history.remembered():
            first = history.changes_by_check(ws, tiny.run_now)
            ws.con.execute("DELETE FROM findings WHERE run_id = ?", [tiny.run_now])
            assert history.changes_by_check(ws, tiny.run_now).equals(first)  # kept, not read again
            assert history.totals_of_changes(ws, tiny.run_now)["still_open"] == int(first["still_open"].sum())
        assert history.changes_by_check(ws, tiny.run_now)["current"].sum() == 0  # read again
    assert history._MEMO is None


def test_report_spreadsheet_capped_all_findings_in_parquet(tmp_path, monkeypatch):
    """Over REPORT_CSV_ROWS findings, findings.csv holds the first ones (most severe first) and
    says so in the report; findings.parquet holds them all. Under it, nothing is said."""
    import csv

    import duckdb

    from rgpd_audit.report import runner

    tiny = tiny_workspace(tmp_path)
    nb = [REPO / "notebooks" / "20_conservation.ipynb"]
    full = run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=tmp_path / "full", notebooks=nb)
    assert full.findings_in_csv is None and full.total > 3
    assert "findings.parquet" not in full.index_html.read_text(encoding="utf-8")
    monkeypatch.setattr(runner, "REPORT_CSV_ROWS", 3)
    capped = run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=tmp_path / "capped", notebooks=nb)
    assert capped.findings_in_csv == 3
    rows = list(csv.DictReader(capped.findings_csv.open(encoding="utf-8")))
    every = list(csv.DictReader(full.findings_csv.open(encoding="utf-8")))
    assert [r["finding_key"] for r in rows] == [r["finding_key"] for r in every[:3]]
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{capped.findings_parquet}')").fetchone()[0] == capped.total
    total = f"{capped.total:,}".replace(",", "\u202f")
    assert f"(les 3 premières par gravité, sur {total} ; toutes dans findings.parquet)" in capped.index_html.read_text(encoding="utf-8")


def test_report_notebooks_open_the_workspace_once(tmp_path, monkeypatch):
    """The in-process notebooks' views read through one read-only opening (handle.kept_open),
    not one per view; the views are no fewer."""
    from rgpd_audit.report import handle

    tiny = tiny_workspace(tmp_path)
    opened, sessions = [], []
    real_ws, real_session = handle.Workspace, handle.WorkspaceHandle.session

    def counting_ws(*args, **kwargs):
        opened.append(kwargs.get("read_only"))
        return real_ws(*args, **kwargs)

    def counting_session(self):
        sessions.append(1)
        return real_session(self)

    monkeypatch.setattr(handle, "Workspace", counting_ws)
    monkeypatch.setattr(handle.WorkspaceHandle, "session", counting_session)
    run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=tmp_path / "r")
    assert opened == [True] and len(sessions) > 10
