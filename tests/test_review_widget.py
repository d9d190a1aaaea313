"""The mapping review form: its methods and button callbacks on a tiny estate, and its notebook."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest

from rgpd_audit.mapping.classify import needs_review, suggest
from rgpd_audit.mapping.file import read_mapping, sync_mapping
from rgpd_audit.mapping.review import MappingReview
from rgpd_audit.workspace import Workspace
from tests.test_mapping import SRC, V1

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "55_revue_mapping.ipynb"
RAW = ["jean.dupont@example.fr", "marie.martin@example.fr", "Dupont", "Martin", "Enceinte", "A12"]


@pytest.fixture
def ws_path(load_tiny):
    """A tiny suggested workspace, closed (the form opens it itself)."""
    ws, _ = load_tiny(SRC, {"a.csv": V1})
    suggest(ws)
    ws.close()
    return ws.path


def row(review: MappingReview, column: str) -> int:
    return next(i for i, r in enumerate(review.rows) if r.column == column)


def row_widgets(review: MappingReview, i: int) -> dict:
    """The widgets showing row ``i`` (it must be on the page shown)."""
    return review._row_widgets[i]


def button(review: MappingReview, i: int, description: str) -> widgets.Button:
    return next(w for w in row_widgets(review, i).values() if isinstance(w, widgets.Button) and w.description == description)


def texts(w) -> list[str]:
    """Every text the form shows: labels, text cells, button captions, dropdown options."""
    out = []
    if isinstance(w, (widgets.Label, widgets.Button, widgets.HTML)):
        out.append(w.description if isinstance(w, widgets.Button) else re.sub(r"<[^>]+>", "", w.value))
    if isinstance(w, widgets.Dropdown):
        out.extend(str(o) for o in w.options)
    for c in getattr(w, "children", ()):
        out.extend(texts(c))
    return out


def entry(path, column):
    return read_mapping(path).tables["cands"].columns[column]


def test_decisions_saved_and_kept_by_later_runs(ws_path, tmp_path):
    path = tmp_path / "mapping.yaml"
    review = MappingReview(ws_path, path)
    assert len(review.rows) == 7 and "7 colonne(s) à revoir" in review.status.value

    button(review, row(review, "E-mail"), "Accepter").click()
    pick = row_widgets(review, row(review, "Référence"))["category"]
    pick.value = "user.unique_id"                       # as the analyst picks it in the dropdown
    button(review, row(review, "Statut"), "Non personnel").click()
    review.set_category(row(review, "Commentaires"), "user.x_rgpd.cover_letter")
    review.accept(row(review, "Nom"))
    assert len(review.decisions) == 5 and "5 décision(s) non enregistrée(s)" in review.status.value
    assert row_widgets(review, row(review, "Statut"))["state"].value == "non personnel"

    review.save_button.click()
    assert review.status.value.startswith("Enregistré : 5 décision(s)"), review.status.value
    assert {r.column for r in review.rows} == {"Prénom", "Vieux champ"}  # the form shows what is left

    assert (entry(path, "E-mail").status, entry(path, "E-mail").category) == ("confirmed", "user.contact.email")
    assert (entry(path, "Référence").status, entry(path, "Référence").category) == ("confirmed", "user.unique_id")
    assert (entry(path, "Statut").status, entry(path, "Statut").category) == ("not_personal", None)
    assert entry(path, "Commentaires").category == "user.x_rgpd.cover_letter"
    assert entry(path, "Nom").status == "confirmed" and entry(path, "Nom").subject_key
    assert entry(path, "Prénom").status == "suggested"
    assert entry(path, "E-mail").evidence.examples[0] == "j***@e***.fr"  # evidence kept with the decision
    assert not any(v in path.read_text(encoding="utf-8") for v in RAW)

    # a later suggestion run and merge keep every decision
    with Workspace(ws_path) as ws:
        suggest(ws)
        diff = sync_mapping(ws, path)
        assert diff.new == [] and diff.disappeared == []
        undecided = {r.column for r in needs_review(ws)}
        got = dict(ws.con.execute("SELECT column_name, status FROM column_map").fetchall())
    assert undecided == {"Prénom", "Vieux champ"}
    assert got["Référence"] == "confirmed" and got["Statut"] == "not_personal"
    assert entry(path, "Référence").category == "user.unique_id" and entry(path, "Statut").status == "not_personal"
    assert len(MappingReview(ws_path, path).rows) == 2


def test_no_raw_values_and_french_labels(ws_path):
    review = MappingReview(ws_path)
    shown = "\n".join(texts(review.widget))
    assert not any(v in shown for v in RAW)
    assert "j***@e***.fr" in shown and "Adresse e-mail" in shown and "Nom et prénom" in shown
    assert review.mapping_path == ws_path / "mapping.yaml"
    en = MappingReview(ws_path, lang="en")
    assert "E-mail address" in "\n".join(texts(en.widget)) and en.save_button.description == "Save"


def test_workspace_not_held_between_operations(ws_path):
    review = MappingReview(ws_path)
    review.accept(0)
    with Workspace(ws_path) as ws:  # would fail if the form kept the database attached
        assert ws.con.execute("SELECT count(*) FROM column_map").fetchone()[0] == 7
    review.save()
    with Workspace(ws_path) as ws:
        assert ws.con.execute("SELECT count(*) FROM column_map WHERE status = 'confirmed'").fetchone()[0] == 1


def test_edge_cases(ws_path, tmp_path):
    review = MappingReview(ws_path, tmp_path / "m.yaml")
    i = row(review, "Vieux champ")               # no suggested category: accepting it means not personal
    assert review.accept(i).status == "not_personal"
    with pytest.raises(ValueError, match="unknown data category"):
        review.set_category(0, "user.nmae")
    with pytest.raises(IndexError):
        review.accept(99)
    assert review.set_category(i, None).status == "not_personal"
    (ws_path / "workspace.duckdb").rename(ws_path / "moved.duckdb")
    review.save_button.click()                   # a button's error goes to the status label
    assert review.status.value.startswith("Erreur : ") and "no workspace" in review.status.value
    with pytest.raises(ValueError, match="language"):
        MappingReview(ws_path, lang="de")


def test_decisions_already_in_the_file_are_not_listed(ws_path, tmp_path):
    path = tmp_path / "m.yaml"
    with Workspace(ws_path) as ws:
        sync_mapping(ws, path)
    text = path.read_text(encoding="utf-8")
    data = read_mapping(path)
    data.tables["cands"].columns["Statut"] = data.tables["cands"].columns["Statut"].model_copy(
        update={"status": "not_personal", "category": None})
    from rgpd_audit.mapping.file import write_mapping_file

    write_mapping_file(data, path)
    assert path.read_text(encoding="utf-8") != text
    review = MappingReview(ws_path, path)
    assert "Statut" not in {r.column for r in review.rows} and len(review.rows) == 6


def test_notebook_committed_thin_and_without_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1
    src = "".join(params[0]["source"])
    assert 'workspace: str = ""  # workspace folder; empty: $RGPD_AUDIT_WORKSPACE, else the nearest .rgpd-audit/' in src
    assert 'mapping: str = ""  # mapping file; empty: <workspace>/mapping.yaml' in src and 'lang: str = "fr"' in src
    import papermill as pm
    declared = pm.inspect_notebook(str(NOTEBOOK))  # one '=' per line, or papermill skips the line
    assert list(declared) == ["workspace", "mapping", "lang"]
    assert not any("def " in "".join(c["source"]) for c in code)


def test_notebook_runs_headless_with_papermill(ws_path, tmp_path):
    from rgpd_audit.report.runner import execute_notebook

    out = tmp_path / "run.ipynb"
    execute_notebook(NOTEBOOK, out, {"workspace": str(ws_path), "mapping": str(tmp_path / "m.yaml"), "lang": "fr"})
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
    shown = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(shown) == 1 and "VBox" in "".join(shown[0]["data"]["text/plain"])
    assert not any(v in json.dumps(outputs) for v in RAW)
    assert not (tmp_path / "m.yaml").exists()   # showing the form writes nothing


def test_notebook_without_a_workspace_says_so(tmp_path):
    # the workspace rule, and no WorkspaceError traceback: "nothing loaded; how to load"
    from rgpd_audit.report.runner import execute_notebook

    out = tmp_path / "run.ipynb"
    execute_notebook(NOTEBOOK, out, {"workspace": str(tmp_path / "missing"), "lang": "fr"})
    outputs = [o for c in json.loads(out.read_text(encoding="utf-8"))["cells"] for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
    assert "Rien de chargé" in json.dumps(outputs, ensure_ascii=False) and "rgpd-audit load" in json.dumps(outputs)
