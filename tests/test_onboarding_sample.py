"""The draft manifest of the sample estate, once a person has answered exactly the questions it
lists (copied from the committed manifest), finds what the committed manifest finds."""

from __future__ import annotations

import collections
import copy
import datetime as dt
import shutil
from pathlib import Path

import yaml

from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.mapping.onboarding import draft_manifest
from rgpd_audit.pipeline import audit
from rgpd_audit.workspace import Workspace

REPO_DIR = Path(__file__).resolve().parents[1]
SAMPLE = REPO_DIR / "data" / "sample"
AS_OF = dt.date.fromisoformat(yaml.safe_load((SAMPLE / "expected.yaml").read_text(encoding="utf-8"))["as_of"])


def _answer(draft, committed: dict, committed_files: dict[frozenset, dict]) -> dict:
    """The draft with the person's answers: for each question the draft lists, the committed
    manifest's value (or its absence); nothing else is touched."""
    out = copy.deepcopy(yaml.safe_load(draft.text()))
    out["organisation"] = committed["organisation"]
    for src, prop in zip(out["sources"], draft.proposals, strict=True):
        mine = committed_files[frozenset(prop.files)]
        for q in prop.questions:
            if q.key.startswith("options."):
                opt = q.key.split(".", 1)[1]
                if opt in mine.get("options", {}):
                    src["options"][opt] = mine["options"][opt]
                else:
                    src["options"].pop(opt, None)
            elif q.key in mine:
                src[q.key] = mine[q.key]
            elif q.key == "use":
                src["use"] = "records"
    return out


def _findings(ws_path: Path, manifest: Path, secret: str | None) -> tuple[collections.Counter, str]:
    ws = Workspace(ws_path)
    if secret is not None:  # pseudonyms (in some finding keys) are keyed per workspace: the same key
        ws.set_setting("pseudonym_secret", secret)
        ws.close()
        ws = Workspace(ws_path)
    try:
        result = audit(ws, AS_OF, manifest=manifest)
        rows = ws.con.execute("SELECT check_id, coalesce(activity, '-'), coalesce(source, '-'), finding_key FROM findings "
                              "WHERE run_id = ?", [result.run.run_id]).fetchall()
        return collections.Counter(rows), ws.get_setting("pseudonym_secret")
    finally:
        ws.close()


def test_drafted_sample_manifest_gives_the_committed_findings(tmp_path):
    estate = tmp_path / "estate"
    shutil.copytree(SAMPLE, estate)
    (estate / "manifest.yaml").unlink()
    draft = draft_manifest(estate)

    committed = yaml.safe_load((SAMPLE / "manifest.yaml").read_text(encoding="utf-8"))
    cm = load_manifest(SAMPLE / "manifest.yaml")
    files = {frozenset(p.relative_to(SAMPLE.resolve()).as_posix() for p in cm.files_of(s)): raw
             for s, raw in zip(cm.sources, committed["sources"], strict=True)}
    # the same sources: each committed source is one drafted source, with the same files
    assert sorted(map(sorted, files)) == sorted(sorted(p.files) for p in draft.proposals)
    assert {"name", "activities", "hosting", "use"} <= {q.key for q in draft.proposals[0].questions}
    # what the person need not give was read from the files: formats, keys, date roles
    by_name = {files[frozenset(p.files)]["name"]: p for p in draft.proposals}
    assert {n: p.format for n, p in by_name.items()} == {s["name"]: s["format"] for s in committed["sources"]}
    assert by_name["crm_contacts"].options["key"] == "Record ID"
    assert by_name["crm_contacts"].options["dates"] == {"Last Activity Date": "last_activity"}
    assert by_name["candidates"].options["dates"] == {"Date de candidature": "creation", "Dernier contact": "last_activity"}
    assert by_name["sage_tiers"].options["dates"] == {"CT_DateCreate": "creation", "cbModification": "record_change"}
    assert by_name["partners_google"].options["dates"] == {"Custom Field 1 - Value": "last_activity"}
    assert by_name["client_contracts"].options["retention_column"] == "Conservation des données (mois après fin)"
    assert by_name["fec"].path == "compta/fec/*FEC*.txt"
    assert by_name["crm_contacts"].path == "crm/hubspot-crm-exports-all-contacts-*.csv"
    assert by_name["staff"].options["encoding"] == "cp1252" and by_name["staff"].options["delimiter"] == ";"
    assert draft.domains == ["inter-interim.example.fr"]

    answered = _answer(draft, committed, files)
    (estate / "manifest.yaml").write_text(yaml.safe_dump(answered, allow_unicode=True, sort_keys=False), encoding="utf-8")
    expected, secret = _findings(tmp_path / "ws_committed", SAMPLE / "manifest.yaml", None)
    got, _ = _findings(tmp_path / "ws_draft", estate / "manifest.yaml", secret)
    assert sum(expected.values()) > 1000
    assert got == expected
