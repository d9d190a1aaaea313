"""Finding keys hold nothing a reload or a verdict changes, and old keys are mapped to new ones."""

from __future__ import annotations

import datetime as dt

from rgpd_audit.checks.keys import KEYS_VERSION, SETTING, migrate_keys
from rgpd_audit.checks.runner import run_checks
from rgpd_audit.ingest import load_estate, load_manifest
from rgpd_audit.pipeline import classify_if_available
from rgpd_audit.policy import load_policy
from rgpd_audit.report.history import totals_of_changes
from tests.conftest import write_manifest

SOURCES = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {delimiter: ";", dates: {dernier_contact: last_activity}}
- name: partages
  format: dropbox_sharing
  path: partages.csv
  activities: [candidates]
  use: access
  hosting: {provider: "Dropbox, Inc.", country: US}
"""
FILES = {
    "cands.csv": "nom;NIR;commentaire;dernier_contact\n"
                 "Martin;185057800608491;en arrêt maladie depuis mars;01/01/2020\n"
                 "Durand;;RAS;01/10/2026\n",
    "partages.csv": "Path,Shared with,Access level\n/Recrutement/CV Martin.pdf,martin@gmail.example.com,viewer\n",
}
AS_OF = dt.date(2026, 11, 27)
KINDS = ("special_category.free_text", "forbidden_data.candidate_identifier", "transfer.outbound_share",
         "transfer.third_country")


def _audit(tmp_path, ws):
    m = load_manifest(write_manifest(tmp_path, SOURCES))
    load_estate(ws, m, force=True)
    classify_if_available(ws, load_policy(), force=True)
    return run_checks(ws, load_policy(), AS_OF).run_id


def _keys(ws, run):
    return dict(ws.con.execute(
        "SELECT check_id, list(finding_key ORDER BY finding_key) FROM findings WHERE run_id = ? AND list_contains(?, check_id) GROUP BY 1",
        [run, list(KINDS)]).fetchall())


def _back_to_v1(ws, run) -> dict:
    """Rewrite a run's keys as rgpd-audit 0.1 stored them (the mechanism judged, the load's internal
    file id); returns the keys of this release."""
    new_keys = _keys(ws, run)
    fid = dict(ws.con.execute("SELECT source, file_id FROM load_files").fetchall())
    row = lambda key: key.rsplit("#", 1)[1]  # noqa: E731 - <file>#<row>
    old = {
        "transfer.third_country|dropbox|candidates": "transfer.third_country|partages|none",
        **{k: f"special_category.free_text|cands|{fid['cands']}|{row(k)}" for k in new_keys["special_category.free_text"]},
        **{k: f"forbidden_data.candidate_identifier|cands|{fid['cands']}#{row(k)}" for k in new_keys["forbidden_data.candidate_identifier"]},
        **{k: f"transfer.outbound_share|partages|{fid['partages']}#{row(k)}" for k in new_keys["transfer.outbound_share"]},
    }
    for new, before in old.items():
        ws.con.execute("UPDATE findings SET finding_key = ? WHERE finding_key = ? AND run_id = ?", [before, new, run])
    ws.con.execute("DELETE FROM settings WHERE key = ?", [SETTING])  # a workspace of the previous release
    return new_keys


def test_keys_survive_a_reload(tmp_path):
    from rgpd_audit.workspace import Workspace

    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        first = _audit(tmp_path, ws)
        second = _audit(tmp_path, ws)  # every source reloaded: new internal file ids
        assert set(_keys(ws, first)) == set(KINDS)
        assert _keys(ws, first) == _keys(ws, second)
        assert totals_of_changes(ws, second)["new"] == 0 and totals_of_changes(ws, second)["resolved"] == 0
        third_country = _keys(ws, second)["transfer.third_country"]
        assert third_country == ["transfer.third_country|dropbox|candidates"]  # provider and activity, no verdict


def test_old_keys_are_mapped_to_new_ones(tmp_path):
    from rgpd_audit.workspace import Workspace

    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        first = _audit(tmp_path, ws)
        new_keys = _back_to_v1(ws, first)
        assert migrate_keys(ws) == 1 and ws.get_setting(SETTING) == str(KEYS_VERSION)
        assert _keys(ws, first) == new_keys
        assert migrate_keys(ws) == KEYS_VERSION  # once only
        second = run_checks(ws, load_policy(), AS_OF).run_id
        assert totals_of_changes(ws, second)["new"] == 0 and totals_of_changes(ws, second)["resolved"] == 0


def test_old_keys_survive_a_reload_of_a_changed_export(tmp_path):
    """The mapping runs before the load: a reload would remove the file ids old keys name."""
    from rgpd_audit.pipeline import audit
    from rgpd_audit.workspace import Workspace

    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    manifest = write_manifest(tmp_path, SOURCES)
    with Workspace(tmp_path / "ws") as ws:
        first = audit(ws, AS_OF, manifest=manifest).run.run_id
        _back_to_v1(ws, first)
        # the export changes (a line added at the end): the source reloads with new file ids
        (tmp_path / "partages.csv").write_text(FILES["partages.csv"] + "/Compta/Note.pdf,comptable@inter-interim.example.fr,viewer\n",
                                                encoding="utf-8")
        second = audit(ws, AS_OF, manifest=manifest).run.run_id
        assert totals_of_changes(ws, second)["resolved"] == 0


def test_keys_are_unique_within_a_run(tmp_path):
    """A declared key column that repeats in the export does not merge two findings."""
    from rgpd_audit.workspace import Workspace

    (tmp_path / "cands.csv").write_text(
        "ref;dernier_contact\nC1;01/01/2015\nC1;01/01/2016\nC2;01/01/2015\n", encoding="utf-8")
    src = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {delimiter: ";", key: ref, dates: {dernier_contact: last_activity}}
"""
    with Workspace(tmp_path / "ws") as ws:
        load_estate(ws, load_manifest(write_manifest(tmp_path, src)))
        run = run_checks(ws, load_policy(), AS_OF, only=["retention.breach"]).run_id
        keys = [k for (k,) in ws.con.execute("SELECT finding_key FROM findings WHERE run_id = ? ORDER BY 1", [run]).fetchall()]
        assert len(keys) == 3 == len(set(keys))
        assert keys[1] == keys[0] + "~2"  # the second record with key C1
        again = run_checks(ws, load_policy(), AS_OF, only=["retention.breach"]).run_id
        assert totals_of_changes(ws, again)["new"] == 0  # the same suffixes next time


def test_rejected_rows_keyed_by_record_number_across_the_v4_upgrade(tmp_path):
    """0.2 keyed a rejected row by its line (-1 when unknown) and record; 0.3 by its record
    number only: the stored keys are rewritten, so the rows are neither new nor resolved."""
    from rgpd_audit.workspace import Workspace

    files = {**FILES, "cands.csv": FILES["cands.csv"] + "Petit;;RAS;31/02/2021\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        first = _audit(tmp_path, ws)
        (key,) = [k for (k,) in ws.con.execute(
            "SELECT finding_key FROM findings WHERE run_id = ? AND check_id = 'load.rejected_rows'", [first]).fetchall()]
        assert key == "load.rejected_rows|cands|cands.csv|3"
        line = ws.con.execute("SELECT line FROM load_rejects").fetchone()[0]
        for old in (f"load.rejected_rows|cands|cands.csv|{line}|3", "load.rejected_rows|cands|cands.csv|-1|3"):
            ws.con.execute("UPDATE findings SET finding_key = ? WHERE run_id = ? AND check_id = 'load.rejected_rows'", [old, first])
            ws.set_setting(SETTING, "3")
            assert migrate_keys(ws) == 3
            assert ws.con.execute("SELECT finding_key FROM findings WHERE run_id = ? AND check_id = 'load.rejected_rows'",
                                  [first]).fetchone()[0] == key
        second = run_checks(ws, load_policy(), AS_OF).run_id
        assert totals_of_changes(ws, second)["new"] == 0 and totals_of_changes(ws, second)["resolved"] == 0


def test_old_runs_with_a_repeated_key_are_numbered_once(tmp_path):
    """Version 5: a run stored before keys were unique gets ~2 on its repeated key, so that the
    history (which compares keys without de-duplicating them) counts it as before the
    upgrade counted distinct keys, and a later run still compares like with like."""
    from rgpd_audit.report.history import changes_by_check
    from rgpd_audit.workspace import Workspace

    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        first = _audit(tmp_path, ws)
        con = ws.con
        # an old run: one finding stored twice under the same key, keys at version 4
        con.execute("INSERT INTO findings SELECT * FROM findings WHERE run_id = ? AND check_id = 'special_category.free_text'",
                    [first])
        ws.set_setting(SETTING, "4")
        total = con.execute("SELECT count(*) FROM findings WHERE run_id = ?", [first]).fetchone()[0]
        assert migrate_keys(ws) == 4
        keys = [r[0] for r in con.execute("SELECT finding_key FROM findings WHERE run_id = ?", [first]).fetchall()]
        assert len(keys) == len(set(keys)) == total and any(k.endswith("~2") for k in keys)
        second = run_checks(ws, load_policy(), AS_OF).run_id
        changes = changes_by_check(ws, second, first).set_index("check_id")
        assert changes.loc["special_category.free_text", "resolved"] == 1  # the copy, not the finding
        assert changes["new"].sum() == 0 and changes["still_open"].sum() == total - 1
