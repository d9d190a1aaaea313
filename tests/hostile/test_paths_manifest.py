"""Hostile corpus — paths: nothing a manifest names is read from outside the estate.

Every path or glob of a manifest must lead inside the manifest's folder (or the folder its
``root:`` names), links followed, unless ``--allow-outside``. Each refusal is one line naming
the path, exit 2, and nothing of the outside file reaches the workspace or the outputs; a
``**`` glob over a link loop ends.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from rgpd_audit.errors import SpecError
from rgpd_audit.ingest.manifest import OutsideEstate, load_manifest, resolve_files
from tests.hostile.harness import assert_counts_add_up, assert_no_leak, one_line_error, run_cli

# what the outside files hold: none of it may reach the workspace or the outputs
SECRET_EMAIL = "outside.secret@example.org"
SECRET_ROWS = f"Nom,Email\nSecret,{SECRET_EMAIL}\n"
PASSWD_MARK = "root:x:0:0"


def _manifest(folder: Path, path: str, *, root: str | None = None, title: str = "t") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = textwrap.dedent(f"""\
        version: 1
        name: hostile paths
        {f'root: {root!r}' if root else ''}
        organisation: {{name: T, domains: [example.fr]}}
        sources:
          - name: src
            title: {title}
            format: csv
            path: {path!r}
            activities: [candidates]
            hosting: {{provider: OVH SAS, country: FR}}
        """)
    p = folder / "manifest.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def layout(tmp_path):
    """<tmp>/estate (the manifest's folder, an export in exp/) and <tmp>/secret/shadow.csv outside it."""
    estate = tmp_path / "estate"
    (estate / "exp").mkdir(parents=True)
    (estate / "exp" / "ok.csv").write_text("Nom,Email\nDupont,jean.dupont@example.fr\n", encoding="utf-8")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "shadow.csv").write_text(SECRET_ROWS, encoding="utf-8")
    return estate, secret


def _refused(proc, written: str, target: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    line = one_line_error(proc)
    assert written in line and target in line and "outside the estate" in line, line
    assert "--allow-outside" in line and "root:" in line, line
    return line


@pytest.mark.parametrize("written, target", [
    ("../" * 30 + "etc/passwd", "/etc/passwd"),
    ("/etc/passwd", "/etc/passwd"),
])
def test_a_path_leaving_the_estate_is_refused(layout, written, target):
    estate, _ = layout
    assert PASSWD_MARK in Path("/etc/passwd").read_text()  # the file exists: the refusal is not "no file"
    m = _manifest(estate, written)
    ws, out = estate.parent / "ws", estate.parent / "out"
    proc = run_cli(["load", str(m), "--workspace", str(ws)], cwd=estate.parent)
    _refused(proc, written, target)
    assert not ws.exists()  # refused before the workspace is even opened
    proc = run_cli(["report", "--manifest", str(m), "--workspace", str(ws), "--out", str(out), "--as-of", "2026-11-27"],
                   cwd=estate.parent)
    _refused(proc, written, target)
    assert not (out / "2026-11-27").exists()
    assert_no_leak([ws, out], [PASSWD_MARK])  # the report opened the workspace: nothing of the file in it


def test_a_link_to_a_file_outside_is_refused(layout):
    estate, secret = layout
    (estate / "exp" / "shadow.csv").symlink_to(secret / "shadow.csv")
    for written in ("exp/shadow.csv", "exp/*.csv", "**/*.csv"):
        m = _manifest(estate, written)
        proc = run_cli(["load", str(m), "--workspace", str(estate.parent / "ws")], cwd=estate)
        line = _refused(proc, written, str(secret / "shadow.csv"))
        if written != "exp/shadow.csv":
            assert "matches exp/shadow.csv" in line, line  # the glob names the file that leads out
    assert not (estate.parent / "ws").exists()  # refused before the workspace is opened: nothing read


def test_a_glob_climbing_out_is_refused_before_anything_is_listed(layout, monkeypatch):
    estate, _ = layout
    m = _manifest(estate, "../../**/*.csv")
    listed = []
    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda p=".": listed.append(p) or real_listdir(p))
    with pytest.raises(SpecError) as exc:
        load_manifest(m)
    top = str(estate.parent.parent)
    assert not [p for p in listed if str(p).startswith(top)]  # the folder it starts from was checked first: no walk
    (issue,) = exc.value.issues
    assert issue.location == "sources[0].path" and "'../../**/*.csv' leads to" in issue.message
    assert str(estate.parent.parent) in issue.message
    proc = run_cli(["load", str(m), "--workspace", str(estate.parent / "ws")], cwd=estate)
    _refused(proc, "../../**/*.csv", str(estate.parent.parent))


def test_a_link_to_a_folder_outside_under_a_deep_glob_is_refused(layout):
    estate, secret = layout
    (estate / "exp" / "more").symlink_to(secret, target_is_directory=True)
    with pytest.raises(OutsideEstate) as exc:
        resolve_files(estate, "**/*.csv", estate)
    assert "matches exp/more" in str(exc.value) and str(secret) in str(exc.value)


def test_a_link_loop_under_a_deep_glob_ends_and_loads_each_file_once(layout):
    estate, _ = layout
    (estate / "exp" / "loop").symlink_to(estate / "exp", target_is_directory=True)
    (estate / "exp" / "up").symlink_to(estate, target_is_directory=True)
    (estate / "exp" / "sub").mkdir()
    (estate / "exp" / "sub" / "deep.csv").write_text("Nom,Email\nMartin,paul.martin@example.fr\n", encoding="utf-8")
    (estate / "exp" / "sub" / "back").symlink_to(estate / "exp", target_is_directory=True)
    assert resolve_files(estate, "**/*.csv", estate) == [estate / "exp" / "ok.csv", estate / "exp" / "sub" / "deep.csv"]
    m = _manifest(estate, "**/*.csv")
    ws = estate.parent / "ws"
    proc = run_cli(["load", str(m), "--workspace", str(ws)], cwd=estate, timeout=120)  # used to hang
    assert proc.returncode == 0, proc.stderr
    rows = assert_counts_add_up(ws)
    assert sorted(r[0] for r in rows) == ["exp/ok.csv", "exp/sub/deep.csv"]
    assert sum(r[3] for r in rows) == 2


def test_allow_outside_and_root_say_otherwise(layout):
    estate, secret = layout
    ws = estate.parent / "ws"
    m = _manifest(estate, "../secret/shadow.csv")
    proc = run_cli(["load", str(m), "--workspace", str(ws)], cwd=estate)
    _refused(proc, "../secret/shadow.csv", str(secret / "shadow.csv"))
    # the command line says otherwise
    proc = run_cli(["load", str(m), "--workspace", str(ws), "--allow-outside"], cwd=estate)
    assert proc.returncode == 0, proc.stderr
    assert [r[0] for r in assert_counts_add_up(ws)] == [str(secret / "shadow.csv")]  # shown as the absolute path
    # the manifest says otherwise: root: names a wider folder, paths stay relative to the manifest
    m = _manifest(estate, "../secret/shadow.csv", root="..")
    proc = run_cli(["load", str(m), "--workspace", str(estate.parent / "ws2")], cwd=estate)
    assert proc.returncode == 0, proc.stderr
    # … and the wider root is a root too
    m = _manifest(estate, "../" * 30 + "etc/passwd", root="..")
    proc = run_cli(["load", str(m), "--workspace", str(estate.parent / "ws3")], cwd=estate)
    _refused(proc, "etc/passwd", "/etc/passwd")
    assert not (estate.parent / "ws3").exists()
    # a root that is not a folder is an error on root:
    m = _manifest(estate, "exp/ok.csv", root="nowhere")
    proc = run_cli(["load", str(m), "--workspace", str(estate.parent / "ws4")], cwd=estate)
    assert proc.returncode == 2 and "root: 'nowhere' is not a folder" in one_line_error(proc)


def test_a_root_is_resolved_like_the_paths(layout):
    """A manifest reached through a link keeps its estate: the root is the real folder."""
    estate, _ = layout
    link = estate.parent / "link-to-estate"
    link.symlink_to(estate, target_is_directory=True)
    m = load_manifest(_manifest(estate, "exp/*.csv").parent.parent / "link-to-estate" / "manifest.yaml")
    assert m.estate_root() == estate.resolve()
    assert m.files_of(m.sources[0]) == [estate / "exp" / "ok.csv"]



def test_an_estate_folder_whose_name_looks_like_a_glob(tmp_path):
    """The manifest's folder is a folder, not a pattern, whatever characters its name holds."""
    estate = tmp_path / "exports[2026]*"
    (estate / "sub").mkdir(parents=True)
    (estate / "a.csv").write_text("x\n1\n")
    (estate / "sub" / "b.csv").write_text("x\n1\n")
    m = load_manifest(_manifest(estate, "**/*.csv"))
    assert m.files_of(m.sources[0]) == [estate / "a.csv", estate / "sub" / "b.csv"]
