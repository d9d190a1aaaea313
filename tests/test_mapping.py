"""The mapping file: round trip with analyst decisions, new and disappeared columns, errors."""

from __future__ import annotations

import pytest
import yaml

from rgpd_audit.errors import SpecError
from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.mapping.classify import needs_review, suggest
from rgpd_audit.mapping.file import apply_mapping, read_mapping, sync_mapping, write_mapping
from tests.conftest import write_manifest

SRC = """
- name: cands
  format: csv
  path: a.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {delimiter: ";"}
"""

V1 = ("Nom;Prénom;E-mail;Référence;Statut;Commentaires;Vieux champ\n"
      "Dupont;Jean;jean.dupont@example.fr;A12;Nouveau;Bon profil, disponible immédiatement.;x\n"
      "Martin;Marie;marie.martin@example.fr;B7;Refusé;Enceinte, à recontacter après son congé.;y\n")
V2 = ("Nom;Prénom;E-mail;Référence;Statut;Commentaires;Ville\n"
      "Dupont;Jean;jean.dupont@example.fr;A12;Nouveau;Bon profil, disponible immédiatement.;Lyon\n"
      "Martin;Marie;marie.martin@example.fr;B7;Refusé;Enceinte, à recontacter après son congé.;Paris\n")


def _col(ws, column):
    return ws.con.execute(
        "SELECT category, status, subject_key FROM column_map WHERE table_name = 'cands' AND column_name = ?", [column]
    ).fetchone()


def test_round_trip_keeps_analyst_decisions(load_tiny, tmp_path):
    ws, _ = load_tiny(SRC, {"a.csv": V1})
    suggest(ws)
    path = tmp_path / "mapping.yaml"
    diff = sync_mapping(ws, path)
    assert diff.created and diff.new == [] and diff.disappeared == []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cols = data["tables"]["cands"]["columns"]
    assert data["version"] == 2 and data["tables"]["cands"]["source"] == "cands"
    assert cols["E-mail"]["category"] == "user.contact.email" and cols["E-mail"]["status"] == "suggested"
    assert cols["E-mail"]["evidence"]["rule"] == "value:email"
    assert cols["E-mail"]["evidence"]["examples"][0] == "j***@e***.fr"
    assert "jean.dupont@example.fr" not in path.read_text(encoding="utf-8")

    # the analyst: confirms one, changes the category of another, marks one not personal
    cols["E-mail"]["status"] = "confirmed"
    cols["Référence"]["category"] = "user.unique_id"           # status left 'suggested'
    cols["Statut"]["status"] = "not_personal"
    cols["Statut"]["category"] = None
    cols["Nom"]["status"] = "confirmed"
    cols["Nom"]["subject_key"] = False
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    # a new load: one column removed, one added
    (tmp_path / "a.csv").write_text(V2, encoding="utf-8")
    load_estate(ws, load_manifest(write_manifest(tmp_path, SRC)))
    suggest(ws)
    diff = sync_mapping(ws, path)
    assert diff.new == [("cands", "Ville")]
    assert diff.disappeared == [("cands", "Vieux champ")]
    assert diff.edited == [("cands", "Référence")]
    assert _col(ws, "E-mail")[:2] == ("user.contact.email", "confirmed")
    assert _col(ws, "Référence")[:2] == ("user.unique_id", "confirmed")
    assert _col(ws, "Statut")[:2] == (None, "not_personal")
    assert _col(ws, "Nom") == ("user.name", "confirmed", False)
    assert _col(ws, "Ville")[:2] == ("user.contact.address", "suggested")

    # a later suggestion run does not overwrite the decisions kept in the workspace
    suggest(ws)
    assert _col(ws, "Référence")[:2] == ("user.unique_id", "confirmed")
    assert _col(ws, "Nom") == ("user.name", "confirmed", False)
    reviewed = {r.column for r in needs_review(ws)}
    assert {"E-mail", "Référence", "Statut", "Nom"}.isdisjoint(reviewed) and "Ville" in reviewed

    m = read_mapping(path)
    cols = m.tables["cands"].columns
    assert "Vieux champ" in cols and "Ville" in cols
    assert cols["Référence"].status == "confirmed" and cols["Statut"].status == "not_personal"
    # a third sync with nothing changed reports nothing
    diff = sync_mapping(ws, path)
    assert (diff.new, diff.edited) == ([], []) and diff.disappeared == [("cands", "Vieux champ")]


def test_decision_changes_free_text_scan(load_tiny, tmp_path):
    ws, _ = load_tiny(SRC, {"a.csv": V1})
    suggest(ws)
    assert ws.con.execute("SELECT count(*) FROM special_hits").fetchone()[0] == 1
    path = write_mapping(ws, tmp_path / "m.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tables"]["cands"]["columns"]["Commentaires"].update(status="not_personal", category=None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert apply_mapping(ws, path) == 1
    assert ws.con.execute("SELECT count(*) FROM special_hits").fetchone()[0] == 0


def test_invalid_mapping_names_key_paths(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(
        "version: 1\n"
        "tables:\n"
        "  cands:\n"
        "    source: cands\n"
        "    columns:\n"
        "      Nom: {category: user.nmae, status: suggested}\n"
        "      Statut: {category: user.name, status: not_personal}\n"
        "      Email: {category: user.contact.email, status: maybe, colour: red}\n"
        "      Date: {date_role: someday, status: confirmed}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as exc:
        read_mapping(p)
    where = {i.location for i in exc.value.issues}
    assert "tables.cands.columns.Nom.category" in where
    assert "tables.cands.columns.Email.status" in where
    assert "tables.cands.columns.Email.colour" in where
    assert "tables.cands.columns.Date.date_role" in where
    assert "tables.cands.columns.Statut" in where
    msg = str(exc.value)
    assert "did you mean 'user.name'" in msg and str(p) in msg


def test_wrong_version(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("version: 9\ntables: {}\n", encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        read_mapping(p)
    assert exc.value.issues[0].location == "version"
