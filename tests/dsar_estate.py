"""A tiny estate for the data-subject-request tests (the ``dsar_ws`` fixture of conftest.py).

Aïssa N'Diaye (born 12/05/1990) appears under spelling variants in a candidates sheet, a
CRM export, a Gmail mailbox (sender and Cc), a Dropbox external share and client invoices.
Aissa Ndiaye born 03/03/1985 (a homonym) and Awa Ndiaye (a similar name) are other people.
"""

from __future__ import annotations

SOURCES = """
- name: candidats
  title: Suivi des candidats
  format: csv
  path: candidats.csv
  activities: [candidates]
  hosting: {provider: OVH SAS, country: FR}
  options: {delimiter: ";", key: Ref, subject: {email: E-mail, phone: "Téléphone", name: [Nom, "Prénom"], birth_date: Naissance}}
- name: crm
  title: CRM
  format: csv
  path: crm.csv
  activities: [client_contacts]
  hosting: {provider: OVH SAS, country: FR}
- name: gmail
  title: Gmail recrutement
  format: gmail_mbox
  path: mail.mbox
  activities: [candidates]
  hosting: {provider: Google LLC, country: US}
- name: partages
  title: Dropbox partages
  format: dropbox_sharing
  path: partages.csv
  activities: [candidates]
  use: access
  hosting: {provider: "Dropbox, Inc.", country: US}
- name: factures
  title: Factures clients
  format: csv
  path: factures.csv
  activities: [client_contacts]
  hosting: {provider: OVH SAS, country: FR}
  options: {record_kind: accounting_document, dates: {Cloture: fiscal_year_close}}
"""

CANDIDATS = (
    "Ref;Nom;Prénom;E-mail;Téléphone;Naissance;Commentaire\n"
    "C1;N'Diaye;Aïssa;Aissa.NDiaye@Exemple.fr ;06 12 34 56 78;12/05/1990;=HYPERLINK(\"x\")\n"
    "C2;Ndiaye;Aissa;;01 98 76 54 32;03/03/1985;homonyme\n"
    "C3;Ndiaye;Awa;awa.ndiaye@exemple.fr;07 11 22 33 44;01/01/1992;\n"
    "C4;NDIAYE;AÏSSA;;;;sans date de naissance\n"
    "C5;Dupont;Jean-François;jf.dupont@exemple.fr;;;\n"
)
CRM = (
    "id,first_name,last_name,email,phone\n"
    "1,aïssa,n’diaye,AISSA.NDIAYE@EXEMPLE.FR,+33612345678\n"
    "2,A.,Ndiaye,autre@exemple.fr,+33 (0)6 12 34 56 78\n"
    "3,Awa,Ndiaye,awa.ndiaye@exemple.fr,+33711223344\n"
    "4,Jean François,Dupont,,0033 6 99 99 99 99\n"
)
MBOX = (
    "From 1@xxx Wed Mar 06 10:15:32 +0000 2024\n"
    "Message-ID: <m1@exemple.fr>\n"
    "From: =?utf-8?q?A=C3=AFssa_N=27Diaye?= <aissa.ndiaye@exemple.fr>\n"
    "To: recrutement@inter-interim.example.fr\n"
    "Subject: Candidature\n"
    "Date: Wed, 06 Mar 2024 10:15:32 +0000\n"
    "\n"
    "Bonjour\n"
    "\n"
    "From 2@xxx Thu Mar 07 09:00:00 +0000 2024\n"
    "Message-ID: <m2@exemple.fr>\n"
    "From: recrutement@inter-interim.example.fr\n"
    "To: awa.ndiaye@exemple.fr\n"
    "Cc: Aissa <Aissa.Ndiaye@exemple.fr>\n"
    "Subject: Entretien\n"
    "Date: Thu, 07 Mar 2024 09:00:00 +0000\n"
    "\n"
    "Rendez-vous\n"
    "\n"
    "From 3@xxx Fri Mar 08 09:00:00 +0000 2024\n"
    "Message-ID: <m3@exemple.fr>\n"
    "From: recrutement@inter-interim.example.fr\n"
    "To: awa.ndiaye@exemple.fr\n"
    "Subject: Autre\n"
    "Date: Fri, 08 Mar 2024 09:00:00 +0000\n"
    "\n"
    "Rien\n"
)
PARTAGES = (
    "Path,Shared with,Shared on,Access level\n"
    "/Candidats/CV Aissa Ndiaye.pdf,aissa.ndiaye@exemple.fr,2024-03-06,viewer\n"
    "/Candidats/CV Awa.pdf,awa.ndiaye@exemple.fr,2024-03-07,viewer\n"
)
FACTURES = (
    "Numero,Client,Email,Montant,Cloture\n"
    "F2024-1,Aïssa N'Diaye,aissa.ndiaye@exemple.fr,120.00,31/12/2024\n"
    "F2012-7,Aïssa N'Diaye,aissa.ndiaye@exemple.fr,80.00,31/12/2012\n"
)
FILES = {"candidats.csv": CANDIDATS, "crm.csv": CRM, "mail.mbox": MBOX, "partages.csv": PARTAGES, "factures.csv": FACTURES}

EMAIL = "aissa.ndiaye@exemple.fr"
