"""Column classification: precision and recall on labelled columns, evidence, masking."""

from __future__ import annotations

import random

import pytest
from stdnum import iban as stdiban
from stdnum import luhn

from rgpd_audit.mapping.classify import classify, suggest
from rgpd_audit.mapping.classify import values as V
from rgpd_audit.mapping.classify.names import date_role, match_name, normalise, tokens
from rgpd_audit.policy import categories

N = 40
rnd = random.Random(7)

NAME = "user.name"
EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
NIR = "user.government_id.national_identification_number"
IBAN = "user.financial.bank_account"
DOB = "user.demographic.date_of_birth"
POB = "user.x_rgpd.place_of_birth"
SALARY = "user.x_rgpd.salary"
TEXT = "user.x_rgpd.free_text_comment"
JOB = "user.job_title"
ADDRESS = "user.contact.address"
UID = "user.unique_id"
GENDER = "user.demographic.gender"
IP = "user.device.ip_address"


def nir(valid=True) -> str:
    body = f"{rnd.choice('12')}{rnd.randint(50, 99):02d}{rnd.randint(1, 12):02d}{rnd.randint(1, 95):02d}{rnd.randint(1, 999):03d}{rnd.randint(1, 999):03d}"
    key = 97 - int(body) % 97
    if not valid:
        key = (key + rnd.randint(1, 50)) % 97 + 1
        if key == 97 - int(body) % 97:
            key = key % 97 + 1
    return f"{body}{key:02d}"


def spaced_nir() -> str:
    d = nir()
    return f"{d[0]} {d[1:3]} {d[3:5]} {d[5:7]} {d[7:10]} {d[10:13]} {d[13:]}"


def siret() -> str:
    siren = str(rnd.randint(10_000_000, 99_999_999))
    siren += luhn.calc_check_digit(siren)
    body = siren + f"{rnd.randint(1, 9999):04d}"
    return body + luhn.calc_check_digit(body)


def fr_iban() -> str:
    bban = f"{rnd.randint(10000, 99999)}{rnd.randint(10000, 99999)}{rnd.randint(10**10, 10**11 - 1)}{rnd.randint(10, 99)}"
    return f"FR{stdiban.calc_check_digits('FR00' + bban)}{bban}"


def spaced(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def phone() -> str:
    d = f"0{rnd.choice('1234567')}{rnd.randint(10_000_000, 99_999_999)}"
    return " ".join(d[i:i + 2] for i in range(0, 10, 2))


SURNAMES = ["Dupont", "Martin", "Bernard", "Lefèvre", "N'Diaye", "Moreau", "Garcia", "Roux", "Petit", "Nguyen"]
FIRST = ["Jean-François", "Marie", "Aïssa", "Luc", "Chloé", "Karim", "Sophie", "Hugo", "Léa", "Thomas"]
CITIES = ["Paris", "Lyon", "Marseille", "Lille", "Nantes", "Bordeaux", "Alger", "Dakar", "Rennes", "Metz"]
TEXTS = ["Bon profil, disponible immédiatement pour la mission.", "Rappeler en janvier pour le planning des pics.",
         "Souhaite uniquement des missions de nuit, véhiculé.", "Expérience de 5 ans en entrepôt, préparation vocale."]


def email(domain="example.fr") -> str:
    return f"{rnd.choice(FIRST).lower()[:4].replace('ï', 'i').replace('é', 'e')}.{rnd.randint(1, 999)}@{domain}"


# column header -> (expected category, value generator)
LABELLED: dict[str, tuple[str | None, callable]] = {
    "Nom": (NAME, lambda: rnd.choice(SURNAMES)),
    "Prénom": (NAME, lambda: rnd.choice(FIRST)),
    "E-mail professionnel": (EMAIL, email),
    "Email Address": (EMAIL, lambda: email("gmail.com")),
    "CT_EMail": (EMAIL, lambda: email("fournisseur.fr").upper()),
    "Contact": (EMAIL, lambda: f"{rnd.choice(FIRST)} <{email()}>"),
    "Téléphone": (PHONE, phone),
    "Mobile Phone": (PHONE, lambda: f"+33 6 {rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(10, 99)}"),
    "N° sécurité sociale": (NIR, spaced_nir),
    "NIR": (NIR, nir),
    "Référence": (NIR, nir),                           # misleading name, valid NIRs
    "Numéro de dossier": (None, lambda: nir(valid=False)),  # NIR-looking, wrong key: not a NIR
    "Tél. standard": (None, siret),                    # a "phone" column full of SIRETs
    "SIRET": (None, siret),
    "IBAN": (IBAN, fr_iban),
    "Coordonnées": (IBAN, lambda: spaced(fr_iban())),
    "Date de naissance": (DOB, lambda: f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{rnd.randint(1950, 2004)}"),
    "Lieu de naissance": (POB, lambda: rnd.choice(CITIES)),
    "Salaire brut": (SALARY, lambda: f"{rnd.randint(1800, 4500)},{rnd.randint(0, 99):02d}"),
    "Commentaires": (TEXT, lambda: rnd.choice(TEXTS)),
    "Notes": (TEXT, lambda: rnd.choice(TEXTS + ["RAS", ""])),
    "Champ libre 3": (TEXT, lambda: rnd.choice(TEXTS)),  # no rule on the name: long text
    "Poste visé": (JOB, lambda: rnd.choice(["Cariste", "Soudeur TIG", "Comptable"])),
    "Job Title": (JOB, lambda: rnd.choice(["HR manager", "Plant manager"])),
    "Adresse": (ADDRESS, lambda: f"{rnd.randint(1, 120)} rue de la Paix"),
    "Code postal": (ADDRESS, lambda: f"{rnd.choice([75, 69, 13, 59, 44])}{rnd.randint(0, 999):03d}"),
    "Ville": (ADDRESS, lambda: rnd.choice(CITIES)),
    # issue 22: an IP address is user.device.ip_address (fideslang), no longer filed as user.unique_id
    "OPTIN_IP": (IP, lambda: f"{rnd.randint(1, 223)}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"),
    "Civilité": (GENDER, lambda: rnd.choice(["M.", "Mme"])),
    "Statut": (None, lambda: rnd.choice(["Nouveau", "Refusé", "Vivier", "Embauché"])),
    "Dernier contact": (None, lambda: f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/2024"),
    "Montant HT": (None, lambda: str(rnd.randint(10000, 60000))),  # five digits, not postal codes
    "Lifecycle Stage": (None, lambda: rnd.choice(["lead", "customer"])),
}


def test_labelled_categories_exist_in_catalogue():
    known = categories()
    assert all(cat in known for cat, _ in LABELLED.values() if cat)


def test_precision_recall_on_labelled_columns():
    assert len(LABELLED) >= 25
    tp = fp = fn = 0
    confusion = []
    for header, (label, gen) in LABELLED.items():
        sample = sorted({v for v in (gen() for _ in range(N)) if v})
        got = classify(header, sample)
        ok = got.category == label
        if got.category is not None:
            tp += ok
            fp += not ok
        if label is not None and not ok:
            fn += 1
        confusion.append((header, label, got.category, got.rule, got.confidence, "ok" if ok else "WRONG"))
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(f"\nprecision {precision:.3f} recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})")
    for row in confusion:
        print("  {:<22} expected {!s:<52} got {!s:<52} {!s:<22} {} {}".format(*row))
    assert precision >= 0.9
    assert recall >= 0.9


@pytest.mark.parametrize("header,expected", [
    ("Prénom", "name"), ("N° sécurité sociale", "nir"), ("E-mail professionnel", "email"), ("Email Address", "email"),
    ("CT_EMail", "email"), ("Téléphone", "phone"), ("Mobile Phone", "phone"), ("Date de naissance", "date_of_birth"),
    ("Lieu de naissance", "place_of_birth"), ("IBAN", "iban"), ("SIRET", "siret"), ("Salaire brut", "salary"),
    ("Commentaires", "free_text"), ("NOTES", "free_text"), ("Poste visé", "job_title"), ("Job Title", "job_title"),
    ("Adresse", "address"), ("Code postal", "postal_code"), ("OPTIN_IP", "ip"), ("Record ID", "unique_id"),
    ("Company Name", "workplace"), ("Nom de l'entreprise", "workplace"), ("CONTACT ID", "unique_id"),
    # issue 22: whole tokens, not substrings
    ("Phonetic First Name", "name_variant"), ("Nickname", "name_variant"), ("File As", "name_variant"),
    ("Given Yomi", "name_variant"), ("CONTACT_TIMEZONE", "label"), ("Timezone", "label"),
    ("Marketing contact status", "label"), ("E-mail 1 - Label", "label"), ("Phone 1 - Label", "label"),
    ("Email opt out", "label"), ("IsEmailBounced", "label"), ("DOUBLE_OPT-IN", "label"),
    ("Message-ID", "message_id"), ("In-Reply-To", "message_id"), ("X-GM-THRID", "message_id"),
    ("UNSUB_CAMPAIGN_ID", "thing"), ("AccountId", "thing"), ("Event Name", "thing"), ("Account name", "workplace"),
    ("Organization Department", "workplace"), ("Organization Title", "job_title"), ("LANDLINE_NUMBER", "phone"),
    ("Car Phone", "phone"), ("Bcc", "email_short"), ("Reply-To", "email"), ("CT_TelPortable", "phone"),
    ("T_CODEPOSTAL", "postal_code"), ("address2", "address"), ("candidate_disability_status", "health"),
    ("Name Prefix", "gender"), ("ip_address", "ip"), ("IP City", "address"), ("S21.G00.30.001", "nir"),
])
def test_header_rules(header, expected):
    assert match_name(header).rule == expected


def test_tokens_split_glued_and_numbered_words():
    assert tokens("DATENAISSANCE") == ["date", "naissance"] and tokens("R_NUMEROCOMPTE") == ["r", "numero", "compte"]
    assert tokens("Address 1 - Label") == ["address", "1", "label"]
    assert tokens("address2") == ["address", "2"]
    assert "phone" not in tokens("Phonetic First Name")


def test_empty_columns_judged_by_their_name_with_low_confidence():
    for header, cat in [("Bcc", EMAIL), ("LANDLINE_NUMBER", PHONE), ("Car Phone", PHONE), ("Nickname", NAME),
                        ("Address 1 - PO Box", ADDRESS)]:
        got = classify(header, [])
        assert (got.category, got.sampled, got.matched) == (cat, 0, 0), header
        assert got.confidence == 0.3 and got.rule.startswith("name:")
    got = classify("Floor Section", [])
    assert got.category is None and got.confidence == 0.3


def test_identifiers_of_things_are_not_people():
    mids = [f"<CA{i:06d}F00D@mail.example.com>" for i in range(30)]
    assert V.is_email(mids[0])  # shaped like an address…
    got = classify("Message-ID", mids)
    assert got.category is None and got.rule == "name:message_id"  # …but a message's identifier
    assert classify("UNSUB_CAMPAIGN_ID", ["a1b2c3d4e5", "f6a7b8c9d0"]).category is None
    assert classify("Contact ID", ["1201", "1202"]).category == UID
    assert classify("CreatedById", ["0055g00000AbCdEAAV"]).category == UID  # a user: a person


def test_short_names_need_their_values():
    assert classify("CC", ["FR", "BE", "CH"]).category is None  # Mailchimp's country code, not a copy
    assert classify("Cc", ["a@example.fr", "b@example.org"]).category == EMAIL


def test_labels_and_statuses_next_to_values():
    assert classify("E-mail 1 - Label", ["* Work", "Home"]).category is None
    assert classify("E-mail 1 - Value", [email() for _ in range(10)]).category == EMAIL
    assert classify("Marketing contact status", ["Marketing contact", "Non-marketing contact"]).category is None


def test_ip_addresses_have_their_category():
    assert IP in categories()
    got = classify("CONFIRM_IP", ["192.0.2.10", "198.51.100.7", "2001:db8::1"])
    assert (got.category, got.rule) == (IP, "value:ip")


def test_civility_values_make_a_title_a_civility():
    got = classify("Title", ["M.", "Mme", "Dr", "Mme"])
    assert (got.category, got.rule) == (GENDER, "value:civility")
    assert classify("Title", ["Comptable", "Cariste"]).category == JOB


def test_names_with_digits_are_doubtful():
    assert classify("Nom", ["A1203", "B7781", "C0042"]).confidence == 0.4
    assert classify("Nom", ["Dupont", "Martin"]).confidence == 0.8


def test_normalise():
    assert normalise("N° Sécurité-Sociale") == "n securite sociale"
    assert normalise("cbModification") == "cb modification"
    assert normalise("CT_EMail") == "ct email"


@pytest.mark.parametrize("header,role", [
    ("Last Activity Date", "last_activity"), ("Dernier contact", "last_activity"), ("Last Click", "last_activity"),
    # a change to the record or an opt-out is never a contact from the person (CNIL 2021-131; KASPR)
    ("LAST_CHANGED", "record_change"), ("MODIFIED_TIME", "record_change"), ("cbModification", "record_change"),
    ("CLEAN_TIME", "record_change"), ("REV", "record_change"), ("Last Modified Date", "record_change"),
    ("Date de mise à jour", "record_change"), ("Last Synced", "record_change"), ("UNSUB_TIME", "opt_out"),
    ("Date de désinscription", "opt_out"), ("Last Open Date", None),
    ("Create Date", "creation"), ("Date de candidature", "creation"), ("ADDED_TIME", "creation"),
    ("OPTIN_TIME", "creation"), ("CT_DateCreate", "creation"), ("Fin de contrat", "contract_end"),
    ("Date de sortie", "departure"), ("Date d'entrée", "contract_start"), ("Date de naissance", None),
])
def test_date_roles(header, role):
    assert date_role(header) == role


def test_validators():
    assert V.is_nir(nir()) and not V.is_nir(nir(valid=False)) and V.looks_like_nir(nir(valid=False))
    assert V.is_nir("2 69 05 49 588 157 80")   # stdnum's example, spaced
    assert V.is_siret(siret()) and not V.is_phone(siret())
    assert V.is_iban("FR14 2004 1010 0505 0001 3M02 606")
    assert V.is_phone("06 12 34 56 78") and V.is_phone("+33 1 23 45 67 89") and not V.is_phone("123456789")
    assert V.is_email("Jean Dupont <jean.dupont@example.fr>") and V.is_email("a@b.fr; c@d.com") and not V.is_email("a@b")
    assert V.is_date("31/12/2024") and not V.is_date("31/02/2021") and V.is_date("2024-02-29 10:00:00")
    assert V.is_postal_code("75011") and not V.is_postal_code("99000")
    assert V.is_ip("192.168.1.10") and V.is_ip("2001:db8::1") and not V.is_ip("1.2.3")


def test_masks_never_show_raw_values():
    assert V.mask("email", "jean.dupont@example.fr") == "j***@e***.fr"
    assert V.mask("nir", "185057512345648") == "1 85 ** ** *** *** 48"
    assert V.mask("phone", "06 12 34 56 78") == "06 ** ** ** 78"
    assert "2004" not in V.mask("iban", "FR1420041010050500013M02606")
    assert V.mask(None, "Dupont") == "D***"


def test_values_win_over_header():
    nirs = [nir() for _ in range(30)]
    got = classify("Référence", nirs)
    assert (got.category, got.rule) == (NIR, "value:nir") and got.matched == 30 and got.sampled == 30
    assert all("***" in e for e in got.examples)
    got = classify("Téléphone", [siret() for _ in range(30)])
    assert got.category is None and got.rule == "value:siret"
    got = classify("Référence", [nir(valid=False) for _ in range(30)])
    assert got.category != NIR


EXTRA = {"E-mail": (EMAIL, email), "Dernier contact": (None, None), "Date de candidature": (None, None)}


def test_suggest_on_loaded_estate(load_tiny):
    headers = list(LABELLED)
    lines = [";".join(headers)]
    for _ in range(N):
        lines.append(";".join(LABELLED[h][1]().replace(";", ",") for h in headers))
    src = """
    - name: cands
      format: csv
      path: a.csv
      activities: [candidates]
      hosting: {provider: INTER INTERIM, country: FR}
      options: {delimiter: ";", dates: {Dernier contact: creation}, subject: {name: [Nom, Prénom]}}
    """
    ws, _ = load_tiny(src, {"a.csv": "\n".join(lines) + "\n"})
    report = suggest(ws)
    assert report.columns == len(headers) and report.suggested == len(headers)
    rows = {r[0]: r[1:] for r in ws.con.execute(
        "SELECT column_name, category, activity, subject_key, date_role, status, rule, sampled, matched, examples "
        "FROM column_map WHERE table_name = 'cands'").fetchall()}
    assert set(rows) == set(headers)
    assert rows["Référence"][0] == NIR and rows["Référence"][5] == "value:nir"
    assert rows["Dernier contact"][3] == "creation"   # the manifest's role wins over the name
    assert rows["Nom"][2] is True and rows["E-mail professionnel"][2] is True
    assert all(r[1] == "candidates" and r[4] == "suggested" for r in rows.values())
    raw_values = {v for (v,) in ws.con.execute('SELECT "N° sécurité sociale" FROM raw.cands').fetchall()}
    for r in rows.values():
        assert not (set(r[8] or []) & raw_values)
    assert ("cands", "Commentaires") in report.free_text_columns
