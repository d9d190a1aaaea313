"""A tiny estate full of personal data, shared by the report, view and notebook tests.

Not a test module of its own: ``tiny_workspace(root)`` writes the exports, loads them and
runs the checks twice (a past audit, then the audit date), and returns the paths.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rgpd_audit.checks.runner import run_checks
from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.policy import load_policy
from rgpd_audit.workspace import Workspace
from tests.conftest import write_manifest

AS_OF = dt.date(2026, 11, 27)
PAST = dt.date(2025, 11, 27)


def nir(base13: str) -> str:
    """A NIR with its valid key, written with spaces as on a payslip."""
    key = 97 - int(base13) % 97
    b = base13
    return f"{b[0]} {b[1:3]} {b[3:5]} {b[5:7]} {b[7:10]} {b[10:13]} {key:02d}"


NIRS = [nir("1841275115042"), nir("2920613055123"), nir("1750599350001")]
EMAILS = ["jean.dupont@example.fr", "aissa.ndiaye@example.fr", "marie.lefevre@example.com"]
PHONES = ["06 12 34 56 78", "+33 7 98 76 54 32", "0145678901"]

CANDIDATES = (
    "Nom,Prénom,E-mail,Téléphone,NIR,Dernier contact,Date de candidature\n"
    f"Dupont,Jean,{EMAILS[0]},{PHONES[0]},{NIRS[0]},12/03/2019,01/02/2019\n"      # breach at both audits
    f"N'Diaye,Aïssa,{EMAILS[1]},{PHONES[1]},{NIRS[1]},15/01/2024,10/01/2024\n"   # ok in 2025, breach in 2026
    f"Lefèvre,Marie,{EMAILS[2]},{PHONES[2]},{NIRS[2]},,\n"                        # unverifiable
    "Martin,Paul,paul.martin@example.fr,0611223344,,01/10/2026,01/09/2026\n"      # ok
    "Bernard,Luc,luc.bernard@example.fr,0622334455,,31/02/2021,01/01/2021\n"      # rejected: impossible date
)
NEWSLETTER = (
    "email,created\n"
    "claire.petit@example.org,2018-05-04\n"
    "hugo.roux@example.org,2026-01-10\n"
)
SOURCES = """
- name: cands
  title: Suivi des candidats
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options:
    date_format: '%d/%m/%Y'
    subject: {email: E-mail, phone: Téléphone, name: [Nom, Prénom]}
    dates: {Dernier contact: last_activity, Date de candidature: creation}
- name: news
  title: Newsletter
  format: csv
  path: news.csv
  activities: [newsletters]
  hosting: {provider: Google LLC, country: US}
  options:
    subject: {email: email}
    dates: {created: creation}
"""
IDENTIFIERS = EMAILS + PHONES + NIRS + ["paul.martin@example.fr", "claire.petit@example.org", "Dupont", "Lefèvre"]


@dataclass
class Tiny:
    root: Path
    workspace: Path
    manifest: Path
    run_past: int
    run_now: int


def write_estate(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cands.csv").write_text(CANDIDATES, encoding="utf-8")
    (root / "news.csv").write_text(NEWSLETTER, encoding="utf-8")
    return write_manifest(root, SOURCES)


def tiny_workspace(root: Path, *, audits: bool = True) -> Tiny:
    """Write, load and (optionally) audit the tiny estate twice; the workspace is closed after."""
    manifest = write_estate(root)
    policy = load_policy()
    runs = [None, None]
    with Workspace(root / "ws") as ws:
        load_estate(ws, load_manifest(manifest, policy=policy))
        if audits:
            runs = [run_checks(ws, policy, PAST).run_id, run_checks(ws, policy, AS_OF).run_id]
    return Tiny(root, root / "ws", manifest, runs[0], runs[1])
