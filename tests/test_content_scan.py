"""Personal data written inside mail bodies, attachments, documents and free-text cells:
found with the shared detectors, only the hits kept, findings per message and file."""

from __future__ import annotations

import datetime as dt
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from rgpd_audit.detect.scan import scan_text
from rgpd_audit.detect.special import find_special, normalise
from rgpd_audit.ingest.content import extract
from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.sample.docs import minimal_docx, minimal_odt, minimal_pdf
from rgpd_audit.workspace import Workspace

NIR = "1 90 05 75 123 456 22"  # key checked: 97 - (1900575123456 mod 97) = 22
BAD_NIR = "1 90 05 75 123 456 08"

MANIFEST = """\
version: 1
name: test estate
organisation: {name: INTER INTERIM, domains: [inter-interim.example.fr]}
sources:
  - name: gmail
    format: gmail_mbox
    path: mail.mbox
    activities: [candidates]
    hosting: {provider: Google LLC, country: US}
  - name: cv_folder
    format: documents
    path: "docs/**/*"
    activities: [candidates, staff]
    hosting: {provider: 'Dropbox, Inc.', country: US}
    options:
      split_by: {column: path, values: {'/Recrutement/*': candidates, '/RH/*': staff}}
"""


def _msg(mid: str, body: str, *, html: str | None = None, attach: tuple[str, bytes, str] | None = None,
         charset: str | None = None) -> EmailMessage:
    m = EmailMessage()
    m["Message-ID"] = mid
    m["Date"] = "Wed, 06 Mar 2024 11:15:32 +0100"
    m["From"] = "Zoé Lefèvre <zoe@example.com>"
    m["To"] = "recrutement@inter-interim.example.fr"
    m["Subject"] = "Candidature"
    m.set_content(body)
    if html:
        m.add_alternative(html, subtype="html")
    if attach:
        name, data, ctype = attach
        main, sub = ctype.split("/")
        m.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return m


def write_estate(root: Path) -> None:
    box = mailbox.mbox(str(root / "mail.mbox"), create=True)
    msgs = [
        _msg("<m1@x>", f"Bonjour,\nMon numéro de sécurité sociale : {NIR}\nCordialement, zoe@example.com"),
        _msg("<m2@x>", "Veuillez trouver mon arrêt maladie en pièce jointe.",
             attach=("certificat.pdf", minimal_pdf(["Certificat médical", "Arrêt de travail : hospitalisation"]), "application/pdf")),
        _msg("<m3@x>", "Rien de particulier.", html="<p>Rien de <b>particulier</b>.</p>",
             attach=("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")),
        _msg("<m4@x>", f"Clé fausse : {BAD_NIR}. Contactez aussi paul.tiers@autre.example.org"),
    ]
    for m in msgs:
        mm = mailbox.mboxMessage(m)
        mm.set_from("1@xxx Wed Mar 06 10:15:32 +0000 2024")
        box.add(mm)
    box.flush()
    box.close()
    with open(root / "mail.mbox", "ab") as fh:  # a body in a charset Python does not know
        fh.write(b"\nFrom 2@xxx Wed Mar 06 10:15:32 +0000 2024\nMessage-ID: <m5@x>\nFrom: a@example.com\n"
                 b"Date: Wed, 06 Mar 2024 11:15:32 +0100\nContent-Type: text/plain; charset=x-klingon\n\n"
                 b"syndiqu\xe9 CGT\n")
    docs = root / "docs"
    (docs / "Recrutement" / "CV").mkdir(parents=True)
    (docs / "RH").mkdir(parents=True)
    (docs / "Recrutement" / "CV" / "cv-zoe.pdf").write_bytes(minimal_pdf(["Zoé Lefèvre", f"N° SS : {NIR}"]))
    (docs / "Recrutement" / "CV" / "lettre.docx").write_bytes(minimal_docx(["Je suis travailleur handicapé (RQTH)."]))
    (docs / "RH" / "note.odt").write_bytes(minimal_odt(["Salarié en congé maternité.", "Suivi : marc.rh@example.com"]))
    (docs / "RH" / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    (docs / "Recrutement" / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf")


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    write_estate(root)
    (root / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    ws = Workspace(root / "ws")
    report = load_estate(ws, load_manifest(root / "manifest.yaml"))
    yield root, ws, report
    ws.close()


def test_detectors_are_one_set():
    from rgpd_audit.mapping.classify import values
    from rgpd_audit.report import guard

    assert values.find_identifiers is guard._values.find_identifiers
    hits = scan_text(f"NIR {NIR}, faux {BAD_NIR}, IBAN FR76 3000 6000 0112 3456 7890 189")
    assert [(h.detector, h.evidence) for h in hits] == [("nir", "1 90 ** ** *** *** 22"), ("iban", "FR76 **** **** 189")]
    assert [h.term for h in find_special("Elle est ENCEINTE, syndiquée à la CGT")] == ["pregnancy", "union"]
    assert find_special("une enceinte bluetooth") == []
    low, stripped = normalise("Arrêt İstanbul’s")
    assert len(low) == len(stripped) == len("Arrêt İstanbul’s") and low.startswith("arret")


def test_special_evidence_is_masked():
    (h,) = [h for h in scan_text(f"Mon NIR {NIR}, je suis en arrêt maladie, tel 06 12 34 56 78") if h.special]
    assert h.category == "user.health" and "arrêt maladie" in h.evidence
    assert "75 123" not in h.evidence and "34 56" not in h.evidence


def test_extractors_read_pdf_docx_odt_and_refuse_hostile_files():
    assert "hospitalisation" in extract(minimal_pdf(["hospitalisation"]), "a.pdf").text
    assert extract(minimal_docx(["a", "b"]), "a.docx").text == "a\nb"
    assert extract(minimal_odt(["c"]), "a.odt").text == "c"
    assert extract(b"\x89PNG\r\n", "a.png").status == "not_scanned"
    assert extract(b"%PDF-1.4 junk", "a.pdf").status == "rejected"
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><d>&a;&a;</d>')
    bomb = extract(buf.getvalue(), "bomb.docx")
    assert bomb.status == "rejected" and "DTDForbidden" in bomb.reason


def test_mail_bodies_and_attachments_scanned_only_hits_kept(estate):
    _, ws, report = estate
    assert report.failed == []
    hits = ws.con.execute(
        "SELECT m.message_id, h.part, h.category, h.detector, h.evidence FROM raw.gmail__content_hits h "
        "JOIN raw.gmail m USING (_file_id, _row) ORDER BY m._row, TRY_CAST(h.offset AS INT)"
    ).fetchall()
    by_msg = {}
    for mid, part, _cat, det, ev in hits:
        by_msg.setdefault(mid, []).append((part, det, ev))
    assert by_msg["<m1@x>"] == [("1:body", "nir", "1 90 ** ** *** *** 22")]  # the sender's own address is not a hit
    assert ("2:attachment", "medical_care") in [(p, d) for p, d, _ in by_msg["<m2@x>"]]
    assert ("1:body", "sick_leave") in [(p, d) for p, d, _ in by_msg["<m2@x>"]]
    assert "<m3@x>" not in by_msg
    assert by_msg["<m4@x>"] == [("1:body", "email", "p***@a***.org")]  # wrong NIR key: no hit; a third person's e-mail
    dump = str(ws.con.execute("SELECT * FROM raw.gmail__content_hits").fetchall())
    dump += str(ws.con.execute("SELECT * FROM raw.gmail__contents").fetchall())
    # an identifier is kept masked, a special term with a few words around it, never a body
    assert "123 456" not in dump and "Cordialement" not in dump and "Rien de particulier" not in dump


def test_parts_not_scanned_or_rejected_are_counted(estate):
    _, ws, report = estate
    parts = ws.con.execute(
        "SELECT m.message_id, c.part, c.kind, c.status, c.reason FROM raw.gmail__contents c JOIN raw.gmail m USING (_file_id, _row) "
        "WHERE c.status <> 'scanned' ORDER BY 1, 2"
    ).fetchall()
    assert ("<m3@x>", "3:attachment", "image", "not_scanned", "image (not scanned: no text recognition)") in parts
    assert ("<m5@x>", "1:body", "text", "rejected", "unknown charset 'x-klingon'") in parts
    # the HTML alternative of a plain part is not scanned twice
    assert ws.con.execute("SELECT count(*) FROM raw.gmail__contents WHERE kind = 'html'").fetchone()[0] == 0
    warnings = " ".join(w for s in report.sources for f in s.files for w in f.warnings)
    assert "1 message part(s) not scanned: image" in warnings and "rejected: unknown charset" in warnings


def test_documents_one_record_per_file_mapped_by_path(estate):
    _, ws, report = estate
    rows = ws.con.execute(
        "SELECT path, extension, content_kind, content_status, hit_count, _activity, modified IS NOT NULL "
        "FROM raw.cv_folder ORDER BY path"
    ).fetchall()
    assert rows == [
        ("/RH/note.odt", "odt", "odt", "scanned", "2", "staff", True),
        ("/RH/scan.png", "png", "image", "not_scanned", "0", "staff", True),
        ("/Recrutement/CV/cv-zoe.pdf", "pdf", "pdf", "scanned", "1", "candidates", True),
        ("/Recrutement/CV/lettre.docx", "docx", "docx", "scanned", "1", "candidates", True),
        ("/Recrutement/broken.pdf", "pdf", "pdf", "rejected", "0", "candidates", True),
    ]
    assert isinstance(ws.con.execute("SELECT modified FROM raw.cv_folder LIMIT 1").fetchone()[0], dt.datetime)


def test_findings_per_message_and_file(estate):
    root, ws, _ = estate
    from rgpd_audit.checks.runner import run_checks
    from rgpd_audit.policy import load_policy

    policy = load_policy()
    run_checks(ws, policy, as_of=dt.date(2026, 1, 1), only=["special_category.content", "forbidden_data.content_identifier"])
    found = ws.con.execute(
        "SELECT check_id, source, activity, detail_en FROM findings WHERE check_id IN "
        "('special_category.content', 'forbidden_data.content_identifier') ORDER BY ALL"
    ).fetchall()
    kinds = [(c, s, a) for c, s, a, _ in found]
    assert kinds.count(("forbidden_data.content_identifier", "gmail", "candidates")) == 1
    assert kinds.count(("forbidden_data.content_identifier", "cv_folder", "candidates")) == 1
    assert kinds.count(("special_category.content", "gmail", "candidates")) == 1
    assert ("special_category.content", "cv_folder", "staff") in kinds
    assert kinds.count(("special_category.content", "cv_folder", "candidates")) == 1
    assert all("123 456" not in d for *_, d in found)


def test_report_counts_content_hits_by_system_and_category(estate):
    from rgpd_audit.report.panels import special_categories

    df = special_categories(estate[1])
    rows = {(r.source, r.category): (r.records, r.hits) for r in df.itertuples()}
    assert rows[("gmail", "user.government_id.national_identification_number")] == (1, 1)
    assert rows[("gmail", "user.health")] == (1, 2)  # one message: its body and its attachment
    assert rows[("cv_folder", "user.health")] == (2, 2)
    assert ("gmail", "user.contact.email") not in rows  # identifiers other than the NIR are not counted
    assert not any("123" in str(v) for v in df.to_numpy().ravel())


def test_dsar_search_reads_bodies_and_documents_again(estate):
    from rgpd_audit.dsar import PersonQuery
    from rgpd_audit.dsar.contents import find_in_contents

    _, ws, _ = estate
    third = find_in_contents(ws, PersonQuery.make(email="Paul.Tiers@autre.example.org"))
    assert [(m.source, m.record, m.reasons) for m in third.matches] == [("gmail", "<m4@x>", ["email"])]
    zoe = find_in_contents(ws, PersonQuery.make(name="Lefèvre Zoé"))
    assert [(m.source, m.record, m.reasons, m.weak) for m in zoe.matches] == [
        ("cv_folder", "/Recrutement/CV/cv-zoe.pdf", ["name"], True)]
    assert third.problems == [] and zoe.problems == []


def test_dsar_search_reports_a_file_changed_since_the_load(tmp_path):
    from rgpd_audit.dsar import PersonQuery
    from rgpd_audit.dsar.contents import find_in_contents

    write_estate(tmp_path)
    (tmp_path / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
        (tmp_path / "docs" / "RH" / "note.odt").write_bytes(minimal_odt(["autre chose"]))
        found = find_in_contents(ws, PersonQuery.make(email="paul.tiers@autre.example.org"))
    assert found.problems == ["cv_folder: docs/RH/note.odt is missing or changed since the load: not searched"]
    assert [m.record for m in found.matches] == ["<m4@x>"]


def test_erasure_plan_reaches_messages_and_documents_naming_the_person(estate):
    from rgpd_audit.dsar import PersonQuery, erase_plan
    from rgpd_audit.policy import load_policy

    _, ws, _ = estate
    q = PersonQuery.make(email="paul.tiers@autre.example.org")
    assert erase_plan(ws, load_policy(), q, as_of=dt.date(2026, 1, 1)).items == []  # not in any table
    plan = erase_plan(ws, load_policy(), q, as_of=dt.date(2026, 1, 1), contents=True)
    assert [(i.source, i.record, i.unit, i.action) for i in plan.items] == [("gmail", "<m4@x>", "message", "erase")]
    zoe = erase_plan(ws, load_policy(), PersonQuery.make(name="Zoé Lefèvre"), as_of=dt.date(2026, 1, 1), contents=True)
    assert ("cv_folder", "review") in [(i.source, i.action) for i in zoe.items]
    marc = erase_plan(ws, load_policy(), PersonQuery.make(email="marc.rh@example.com"), as_of=dt.date(2026, 1, 1), contents=True)
    assert [(i.source, i.record, i.field, i.unit, i.action) for i in marc.items] == [
        ("cv_folder", "/RH/note.odt", "path", "document", "erase")]


def test_keep_text_refused_unless_the_workspace_is_encrypted_and_dsar_reads_the_kept_text(tmp_path):
    from rgpd_audit.dsar import PersonQuery
    from rgpd_audit.dsar.contents import find_in_contents
    from rgpd_audit.errors import RgpdAuditError

    write_estate(tmp_path)
    (tmp_path / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    with Workspace(tmp_path / "plain") as ws, pytest.raises(RgpdAuditError, match="not encrypted"):
        load_estate(ws, load_manifest(tmp_path / "manifest.yaml"), keep_text=True)
    with Workspace(tmp_path / "secret", key="correct horse battery staple") as ws:
        load_estate(ws, load_manifest(tmp_path / "manifest.yaml"), keep_text=True)
        kept = ws.con.execute("SELECT text FROM raw.gmail__contents WHERE text IS NOT NULL ORDER BY _row").fetchall()
        assert kept and "Mon numéro de sécurité sociale" in kept[0][0]
        docs = dict(ws.con.execute("SELECT path, text FROM raw.cv_folder__contents").fetchall())
        assert "Zoé Lefèvre" in docs["/Recrutement/CV/cv-zoe.pdf"] and "/RH/scan.png" not in docs  # no text, nothing kept
        # the search reads the kept texts: the files, changed or gone since, are not read again
        (tmp_path / "docs" / "Recrutement" / "CV" / "cv-zoe.pdf").unlink()
        (tmp_path / "docs" / "RH" / "note.odt").write_bytes(minimal_odt(["autre chose"]))
        zoe = find_in_contents(ws, PersonQuery.make(name="Lefèvre Zoé"))
        marc = find_in_contents(ws, PersonQuery.make(email="marc.rh@example.com"))
        third = find_in_contents(ws, PersonQuery.make(email="paul.tiers@autre.example.org"))
    assert [(m.source, m.record, m.reasons) for m in zoe.matches] == [("cv_folder", "/Recrutement/CV/cv-zoe.pdf", ["name"])]
    assert [(m.source, m.record) for m in marc.matches] == [("cv_folder", "/RH/note.odt")]
    assert [(m.source, m.record) for m in third.matches] == [("gmail", "<m4@x>")]
    assert zoe.problems == marc.problems == third.problems == []
    with Workspace(tmp_path / "plain2") as ws:  # without --keep-text, nothing kept
        load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
        assert ws.con.execute("SELECT count(*) FROM raw.cv_folder__contents").fetchone() == (0,)


def test_a_nir_in_a_free_text_cell_is_forbidden_for_a_candidate(tmp_path):
    from rgpd_audit.checks.runner import run_checks
    from rgpd_audit.mapping.classify import suggest
    from rgpd_audit.policy import load_policy

    rows = ["Nom,Prénom,Commentaire"]
    rows += [f"Nom{i},Prénom{i},Candidat motivé pour un poste de cariste en entrepôt numéro {i}" for i in range(30)]
    rows += [f"Martin,Léa,\"Rappelée le 3/02, elle donne son numéro de sécu {NIR} pour le dossier\""]
    (tmp_path / "cands.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation: {name: X}\nsources:\n"
        "  - {name: cands, format: csv, path: cands.csv, activities: [candidates], hosting: {provider: X, country: FR}}\n",
        encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
        suggest(ws)
        run_checks(ws, load_policy(), as_of=dt.date(2026, 1, 1), only=["forbidden_data.content_identifier"])
        found = ws.con.execute("SELECT activity, record_key, detail_en FROM findings").fetchall()
    assert len(found) == 1
    assert found[0][0] == "candidates" and "'Commentaire'" in found[0][2] and "1 90 ** ** *** *** 22" in found[0][2]


def test_a_folder_with_copies_and_hostile_files_loads_every_file(tmp_path):
    import io
    import zipfile

    docs = tmp_path / "docs" / "Recrutement"
    docs.mkdir(parents=True)
    cv = minimal_pdf(["Zoé", f"NIR {NIR}"])
    (docs / "cv.pdf").write_bytes(cv)
    (docs / "copie de cv.pdf").write_bytes(cv)  # the same bytes: one more file to find and erase
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><d>&b;</d>')
    (docs / "bomb.docx").write_bytes(buf.getvalue())
    (docs / "truncated.docx").write_bytes(minimal_docx(["x"])[:60])
    (docs / "empty.pdf").write_bytes(b"")
    (tmp_path / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation: {name: X}\nsources:\n"
        "  - {name: cvs, format: documents, path: 'docs/**/*', activities: [candidates], hosting: {provider: X, country: FR}}\n",
        encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        report = load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
        assert report.failed == []
        rows = ws.con.execute("SELECT path, content_status, content_reason, hit_count FROM raw.cvs ORDER BY path").fetchall()
        files = ws.con.execute("SELECT path, rows_read, warnings FROM load_files").fetchall()
        again = load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
    assert rows == [
        ("/Recrutement/bomb.docx", "rejected", "unreadable DOCX (DTDForbidden)", "0"),
        ("/Recrutement/copie de cv.pdf", "scanned", None, "1"),
        ("/Recrutement/cv.pdf", "scanned", None, "1"),
        ("/Recrutement/empty.pdf", "rejected", "unreadable PDF (EmptyFileError)", "0"),
        ("/Recrutement/truncated.docx", "rejected", "unreadable DOCX (BadZipFile)", "0"),
    ]
    (folder,) = files  # the folder is one unit of provenance
    # five files, two hits, three name keys of the words of « copie de cv » (a file name's runs
    # of words are candidates; they name nobody, so they link nothing)
    assert folder[0] == "docs" and folder[1] == 5 + 2 + 3
    assert "docs: 1 file(s) rejected: unreadable DOCX (BadZipFile)" in folder[2]
    assert [s.status for s in again.sources] == ["unchanged"]


def test_init_drafts_a_folder_of_documents_as_one_documents_source(tmp_path):
    from rgpd_audit.mapping.onboarding import discover

    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "contacts.csv").write_text("Nom,Email\nA,a@example.com\n", encoding="utf-8")
    docs = tmp_path / "Dropbox" / "Documents"
    (docs / "CV").mkdir(parents=True)
    (docs / "CV" / "cv.pdf").write_bytes(minimal_pdf(["CV"]))
    (docs / "lettre.docx").write_bytes(minimal_docx(["Lettre"]))
    (tmp_path / "Dropbox" / "partages.csv").write_text("path,shared_with\n/a,b@example.com\n", encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # at the root, among exports: left out
    groups, left = discover(tmp_path)
    docs_groups = [(g.format, g.pattern, sorted(f.rel for f in g.files)) for g in groups if g.format == "documents"]
    assert docs_groups == [("documents", "Dropbox/Documents/**/*", ["Dropbox/Documents/CV/cv.pdf", "Dropbox/Documents/lettre.docx"])]
    assert [f.rel for f in left] == ["photo.png"]


def test_a_part_the_walk_cannot_read_is_a_rejected_part_not_a_rejected_message(monkeypatch):
    from rgpd_audit.ingest.loaders import mail_content

    def broken(msg):
        yield "1:body", None, "text/plain", extract(b"Bonjour, arret maladie", "a.txt")
        raise ValueError("nested structure")

    monkeypatch.setattr(mail_content, "message_texts", broken)
    parts, hits = mail_content.scan_message(_msg("<x@x>", "x"), "<x@x>", [])
    assert [(p[1], p[5], p[6]) for p in parts] == [
        ("1:body", "scanned", None), ("2:rest", "rejected", "message structure not readable (ValueError)")]
    assert [h[3] for h in hits] == ["sick_leave"]


def test_a_documents_clock_starts_at_the_latest_contact_with_the_person_it_names(tmp_path):
    import os

    from rgpd_audit.checks.runner import run_checks
    from rgpd_audit.policy import load_policy

    (tmp_path / "cands.csv").write_text(
        "Nom,Email,Dernier contact\nMartin,Lea.Martin@example.com,2025-06-01\n", encoding="utf-8")
    docs = tmp_path / "docs" / "CV"
    docs.mkdir(parents=True)
    (docs / "cv-lea.pdf").write_bytes(minimal_pdf(["Léa Martin", "lea.martin@example.com"]))
    (docs / "cv-old.pdf").write_bytes(minimal_pdf(["Paul Durand", "paul.durand@example.com"]))
    old = dt.datetime(2019, 3, 1).timestamp()
    for p in docs.iterdir():
        os.utime(p, (old, old))
    (tmp_path / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation: {name: X}\nsources:\n"
        "  - {name: cands, format: csv, path: cands.csv, activities: [candidates], hosting: {provider: X, country: FR},\n"
        "     options: {date_format: '%Y-%m-%d', subject: {email: Email}, dates: {Dernier contact: last_activity}}}\n"
        "  - {name: cvs, format: documents, path: 'docs/**/*', activities: [candidates], hosting: {provider: X, country: FR}}\n",
        encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
        subjects = ws.con.execute("SELECT path, subject_ref IS NOT NULL FROM raw.cvs__content_hits ORDER BY 1").fetchall()
        assert subjects == [("/CV/cv-lea.pdf", True), ("/CV/cv-old.pdf", True)]  # a pseudonym, never the address
        assert "example.com" not in str(ws.con.execute("SELECT * FROM raw.cvs__content_hits").fetchall()).replace("e***.com", "")
        run_checks(ws, load_policy(), as_of=dt.date(2026, 1, 1), only=["retention.breach"])
        found = ws.con.execute("SELECT source, record_key, detail_en FROM findings WHERE source = 'cvs'").fetchall()
    # Léa was in touch in 2025 (the candidates' file): her 2019 CV is within two years of that contact
    assert [(s, k) for s, k, _ in found] == [("cvs", "/CV/cv-old.pdf")]
    assert "last modification of the document" in found[0][2], found[0][2]
