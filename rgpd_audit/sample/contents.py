"""What people wrote inside messages and files: a few messages of the recruiting mailbox with
a NIR or a special category in their body or attachment, and the recruiters' CV folder
exported from Dropbox (``dropbox/Documents.zip``, as Dropbox's « Télécharger » writes a
folder: one top folder named as the archive), a few PDFs, DOCX and ODT files and a scan.

Everything here is fixed (no draw from the generator's random streams, so the rest of the
estate is unchanged). Each document's modification time, counted back from
``SAMPLE_AS_OF``, is written in the archive (git keeps no file's time: a synchronised folder
in a clone would be dated by the checkout), so the findings are the same in every clone.
Every file is younger than the candidates' two years, or dated by a candidate it names
(``LINKED_DOCUMENTS``). The retention of old files is tested on a generated folder,
tests/test_content_scan.py.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta

from .common import SAMPLE_AS_OF, Ctx
from .docs import minimal_docx, minimal_odt, minimal_pdf

# NIRs with their key (97 - number mod 97), of people invented for the sample
NIR_KARIM = "1 91 07 59 350 123 71"
NIR_SARAH = "2 94 11 62 041 087 45"

DOCS_ARCHIVE = "dropbox/Documents.zip"
DOCS_SOURCE = "dropbox_documents"
GMAIL_SOURCE = "gmail_recrutement"
ACTIVITY = "candidates"

# (sender name, address, subject, date, body, attachment or None, findings: (check, …))
MESSAGES = [
    ("Karim Benali", "karim.benali@example.com", "Candidature magasinier - Karim Benali", datetime(2026, 9, 14, 9, 12),
     "Bonjour,\n\nSuite à votre annonce, je vous envoie ma candidature.\n"
     f"Pour le dossier, mon numéro de sécurité sociale : {NIR_KARIM}\n\nCordialement,\nKarim Benali\n",
     None, ("forbidden_data.content_identifier",)),
    ("Lucie Garnier", "lucie.garnier@example.org", "Candidature préparatrice de commandes", datetime(2026, 10, 2, 18, 40),
     "Bonjour,\n\nJe précise que je suis reconnue travailleur handicapé (RQTH) : un poste sans port de charges "
     "lourdes me conviendrait.\n\nBien à vous,\nLucie Garnier\n",
     None, ("special_category.content",)),
    ("Sarah Mercier", "sarah.mercier@example.org", "Absence entretien de jeudi", datetime(2026, 10, 20, 8, 5),
     "Bonjour,\n\nJe ne pourrai pas venir jeudi, vous trouverez le certificat en pièce jointe.\n\nSarah Mercier\n",
     ("certificat_medical.pdf", minimal_pdf([
         "Certificat médical", "Je soussigné certifie que Mme Sarah Mercier est hospitalisée",
         "du 19/10/2026 au 24/10/2026.", "Dr A. Leclerc"])),
     ("special_category.content",)),
    ("Sarah Mercier", "sarah.mercier@example.org", "Dossier d'inscription", datetime(2026, 10, 27, 14, 30),
     "Bonjour,\n\nVoici mon dossier d'inscription complété.\n\nSarah Mercier\n",
     ("Dossier_inscription_Sarah_Mercier.docx", minimal_docx([
         "Dossier d'inscription - agence de Lille", "Nom : MERCIER Sarah",
         f"N° de sécurité sociale : {NIR_SARAH}", "Permis : B, CACES 1 et 3"])),
     ("forbidden_data.content_identifier",)),
]

# (path under Dropbox's root, content, days before the audit date it was last modified, findings)
DOCUMENTS = [
    ("Recrutement/CV/CV_Karim_Benali.pdf",
     minimal_pdf(["Karim Benali", "Magasinier cariste - CACES 1, 3, 5", f"N° SS : {NIR_KARIM}",
                  "Expérience : 2019-2025 entrepôt Lesquin"]), 75, ("forbidden_data.content_identifier",)),
    ("Recrutement/CV/CV_Lucie_Garnier.docx",
     minimal_docx(["Lucie Garnier", "Préparatrice de commandes", "Travailleur handicapé (RQTH), permis B"]), 56,
     ("special_category.content",)),
    ("Recrutement/CV/CV_Hugo_Petit.pdf",
     minimal_pdf(["Hugo Petit", "Cariste - CACES 3", "Expérience : 2021-2026 plateforme logistique Roubaix"]), 490, ()),
    ("Recrutement/CV/Lettre_motivation_Ines_Roux.odt",
     minimal_odt(["Madame, Monsieur,", "Actuellement en congé maternité, je serai disponible à partir de mars.",
                  "Inès Roux"]), 320, ("special_category.content",)),
    ("Recrutement/Entretiens/Compte-rendu_entretien_2025-02.docx",
     minimal_docx(["Entretien du 12/02/2025 - poste de chef d'équipe",
                   "Candidat sérieux, délégué syndical CGT chez son employeur actuel.", "Avis : favorable"]), 660,
     ("special_category.content",)),
    ("Recrutement/CV/Scan_piece_identite.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64)), 40, ()),
]


# Files older than the candidates' two years that name a candidate of the spreadsheet (Léa
# Fontaine, last contact 02/06/2025: candidates.CASES), by her full name only or by her phone
# number only: their clock is that contact (retention « ok »), not their modification (a
# breach). Their expected outcome does not depend on the checkout's time either.
# (path, content, days before the audit date it was last modified, retention outcome)
LINKED_DOCUMENTS = [
    ("Recrutement/CV/CV_Lea_Fontaine.pdf",
     minimal_pdf(["Léa FONTAINE", "Comptable junior", "BTS Comptabilité et gestion (2021)"]), 1640, "ok"),
    ("Recrutement/Entretiens/Prise_de_references_2022.docx",
     minimal_docx(["Prise de références - poste de comptable", "Candidate joignable au 07 00 11 52 18",
                   "Ancien employeur : avis favorable"]), 1600, "ok"),
]


def write_contents(ctx: Ctx, writer, mailbox_address: str) -> None:
    """The fixed messages, added to the recruiting mailbox by its writer (``gmail._Writer``)."""
    me = ("Recrutement INTER INTERIM", mailbox_address)
    for k, (name, addr, subject, when, body, attachment, checks) in enumerate(MESSAGES, start=1):
        writer.add(f"17990000000000000{k:02d}", "Candidatures,Inbox,Opened", (name, addr), [me], subject, when, body,
                   [attachment] if attachment else [], mid=f"<contenu-{k}@mail.example.com>",
                   boundary=f"00000000c0e7e2{k:018x}")
        for check in checks:
            ctx.tally.add(check, ACTIVITY, GMAIL_SOURCE)


def write_documents(ctx: Ctx) -> None:
    """The CV folder as a zip, one record per entry, each dated in the archive."""
    buf = io.BytesIO()
    top = DOCS_ARCHIVE.rsplit("/", 1)[1].removesuffix(".zip")
    entries = [(rel, data, days, ("checks", checks)) for rel, data, days, checks in DOCUMENTS]
    entries += [(rel, data, days, ("retention", outcome)) for rel, data, days, outcome in LINKED_DOCUMENTS]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data, days, (kind, expected) in sorted(entries):
            when = datetime.combine(SAMPLE_AS_OF, datetime.min.time()) - timedelta(days=days)
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # fixed, whatever the machine generating the sample
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
            ctx.tally.records[DOCS_SOURCE] += 1
            if kind == "checks":
                for check in expected:
                    ctx.tally.add(check, ACTIVITY, DOCS_SOURCE)
            else:
                ctx.tally.retention(expected, ACTIVITY, DOCS_SOURCE)
    ctx.path(DOCS_ARCHIVE).write_bytes(buf.getvalue())
    ctx.wrote(DOCS_ARCHIVE, len(entries))
