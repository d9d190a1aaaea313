"""A document linked to the people it names, by e-mail, phone or full name, through
pseudonyms only; its retention clock from the latest contact with any of them."""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import pytest

from rgpd_audit.detect.people import (
    link_keys,
    name_key,
    name_key_sql,
    name_keys,
    phone_key,
    phone_key_sql,
)
from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.sample.docs import minimal_pdf
from rgpd_audit.workspace import Workspace

AISSA = "name:aissa ndiaye"


@pytest.mark.parametrize("text", [
    "Aïssa NDIAYE", "NDIAYE Aïssa", "Candidate : Aissa Ndiaye, Lyon", "AÏSSA NDIAYE\n06 12 34 56 78",
    "Mme Aïssa\u00a0Ndiaye", "Curriculum vitae — Aïssa Ndiaye",
])
def test_a_full_name_is_found_in_any_spelling(text):
    assert AISSA in name_keys(text)


@pytest.mark.parametrize("filename", ["CV_Aissa_Ndiaye.pdf", "ndiaye-aissa-2021.docx", "CV Aïssa NDIAYE (2).pdf"])
def test_a_full_name_is_found_in_a_file_name(filename):
    assert AISSA in name_keys("", filename)


@pytest.mark.parametrize("text", [
    "Aïssa a rappelé ce matin.",                      # a first name alone
    "Aïssa, Ndiaye",                                  # two names, not one (a comma between)
    "Aïssa\nNdiaye",                                  # not on one line
    "aïssa ndiaye",                                   # lower-case running text: not a name
])
def test_a_single_first_name_or_separated_words_never_link(text):
    assert AISSA not in name_keys(text)


def test_a_name_made_of_common_words_is_not_matched_in_running_text():
    # Claire Fontaine is a person; « claire » and « fontaine » are also words
    assert "name:claire fontaine" not in name_keys("Une eau claire coule de la fontaine du village.")
    assert "name:claire fontaine" in name_keys("Entretien avec Claire FONTAINE le 3 mars.")
    assert name_key(["Aïssa"]) is None and name_key(["Aïssa", ""]) is None  # one word is never a key


def test_names_of_several_words_and_the_sql_side_agree():
    con = duckdb.connect()
    people = [("Aïssa", "NDIAYE"), ("Jean-Pierre", "Dupont"), ("Éloïse", "Le Gall"), ("  zoé ", "LEFÈVRE"), ("Aïssa", None)]
    for first, last in people:
        sql = name_key_sql(["$1", "$2"])
        got = con.execute(f"SELECT {sql}", [first, last]).fetchone()[0]
        assert got == name_key([first, last or ""]), (first, last)
    assert name_key(["Jean-Pierre", "Dupont"]) in name_keys("JEAN-PIERRE DUPONT, 12 rue des Lilas")
    assert name_key(["Éloïse", "Le Gall"]) in name_keys("Dossier de Mme Éloïse Le Gall")


@pytest.mark.parametrize("written", [
    "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78", "33612345678",
])
def test_phone_numbers_normalise_to_e164_in_python_and_sql(written):
    assert phone_key(written) == "tel:+33612345678"
    con = duckdb.connect()
    assert con.execute(f"SELECT {phone_key_sql('$1')}", [written]).fetchone()[0] == "tel:+33612345678"


def test_link_keys_skip_the_messages_own_addresses():
    keys = link_keys("De : rh@x.fr — Aïssa NDIAYE, aissa@example.com, 06 12 34 56 78", skip_emails=["rh@x.fr"])
    assert keys == [("email", "aissa@example.com"), ("name", AISSA), ("phone", "tel:+33612345678")]


def test_a_documents_clock_uses_the_latest_contact_by_phone_or_name_and_says_which(tmp_path):
    from rgpd_audit.checks.runner import run_checks
    from rgpd_audit.policy import load_policy

    (tmp_path / "cands.csv").write_text(
        "Prénom,Nom,Téléphone,Dernier contact\n"
        "Aïssa,NDIAYE,,2025-06-01\n"
        "Karim,Benali,+33 6 12 34 56 78,2025-05-01\n"
        "Claire,Fontaine,,2020-01-15\n",
        encoding="utf-8")
    docs = tmp_path / "docs" / "CV"
    docs.mkdir(parents=True)
    (docs / "CV_Aissa_Ndiaye.pdf").write_bytes(minimal_pdf(["Curriculum vitae", "Développeuse"]))  # the name in the file name
    (docs / "cv-karim.pdf").write_bytes(minimal_pdf(["Karim", "Tél. 06 12 34 56 78"]))  # the phone only
    (docs / "cv-claire.pdf").write_bytes(minimal_pdf(["Claire FONTAINE", "Assistante"]))  # an old contact, by name
    (docs / "note.pdf").write_bytes(minimal_pdf(["Une eau claire coule de la fontaine.", "Aïssa a rappelé."]))  # nobody
    old = dt.datetime(2019, 3, 1).timestamp()
    for p in docs.iterdir():
        os.utime(p, (old, old))
    (tmp_path / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation: {name: X}\nsources:\n"
        "  - {name: cands, format: csv, path: cands.csv, activities: [candidates], hosting: {provider: X, country: FR},\n"
        "     options: {date_format: '%Y-%m-%d', subject: {phone: Téléphone, name: [Prénom, Nom]},\n"
        "               dates: {Dernier contact: last_activity}}}\n"
        "  - {name: cvs, format: documents, path: 'docs/**/*', activities: [candidates], hosting: {provider: X, country: FR}}\n",
        encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
        stored = str(ws.con.execute("SELECT via, subject_ref FROM raw.cvs__content_links").fetchall()).lower()
        for raw in ("aissa", "ndiaye", "fontaine", "612345678", "tel:"):
            assert raw not in stored  # pseudonyms only
        via = ws.con.execute("SELECT DISTINCT via FROM raw.cvs__content_links ORDER BY 1").fetchall()
        run_checks(ws, load_policy(), as_of=dt.date(2026, 1, 1), only=["retention.breach"])
        found = dict(ws.con.execute("SELECT record_key, detail_en FROM findings WHERE source = 'cvs'").fetchall())
    assert via == [("name",), ("phone",)]
    # Aïssa (by the file name) and Karim (by phone) were in touch in 2025: their 2019 CVs are kept
    assert sorted(found) == ["/CV/cv-claire.pdf", "/CV/note.pdf"]
    assert "whose full name (first and last name) the document holds" in found["/CV/cv-claire.pdf"]
    assert "2020-01-15" in found["/CV/cv-claire.pdf"]
    assert "last modification of the document" in found["/CV/note.pdf"]


def test_the_owner_comes_from_the_manifest_never_from_the_file(tmp_path):
    docs = tmp_path / "docs"
    (docs / "Users" / "alice").mkdir(parents=True)
    (docs / "Users" / "bob" / "Perso").mkdir(parents=True)
    (docs / "Commun").mkdir()
    for p in ("Users/alice/a.txt", "Users/bob/Perso/b.txt", "Users/bob/c.txt", "Commun/d.txt"):
        (docs / p).write_text("x", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation: {name: X}\nsources:\n"
        "  - {name: cvs, format: documents, path: 'docs/**/*', activities: [candidates], hosting: {provider: X, country: FR},\n"
        "     options: {owner: {'/Users/alice/*': alice@x.fr, '/Users/bob/*': bob@x.fr, '/Users/bob/Perso/*': bob.perso@x.fr}}}\n",
        encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
        owners = ws.con.execute("SELECT path, owner FROM raw.cvs ORDER BY path").fetchall()
    assert owners == [("/Commun/d.txt", None), ("/Users/alice/a.txt", "alice@x.fr"),
                      ("/Users/bob/Perso/b.txt", "bob.perso@x.fr"), ("/Users/bob/c.txt", "bob@x.fr")]


def test_an_owner_pattern_must_start_at_the_folders_root(tmp_path):
    (tmp_path / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation: {name: X}\nsources:\n"
        "  - {name: cvs, format: documents, path: 'docs/**/*', activities: [candidates], hosting: {provider: X, country: FR},\n"
        "     options: {owner: {'Users/alice/*': alice@x.fr}}}\n",
        encoding="utf-8")
    with pytest.raises(Exception, match="starting with /"):
        load_manifest(tmp_path / "manifest.yaml")


def test_link_pseudonyms_are_the_workspaces(tmp_path):
    from rgpd_audit.ingest.loaders.documents import pseudonym_of

    with Workspace(tmp_path / "ws") as ws:
        secret = ws.get_setting("pseudonym_secret")
        for key in (AISSA, "tel:+33612345678", "lea.martin@example.com"):
            assert pseudonym_of(secret, key) == ws.pseudonym(key) == ws.con.execute("SELECT pseudonym(?)", [key]).fetchone()[0]
