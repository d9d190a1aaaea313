"""Generate the frozen values of the classification corpus: data/<format id>.csv.

Run once (it needs Faker, the sample generator's dependency) and commit the CSV files and
checksums.txt; the tests and benchmarks read the files, never this script:

    python tests/classification_corpus/generate.py

The values follow the sample estate's conventions (rgpd_audit/sample/common.py): reserved
e-mail domains (example.fr/.com/.org), ARCEP fiction phone numbers, NIR and IBAN with valid
keys, SIREN/SIRET with valid Luhn keys, IP addresses of the documentation ranges.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from rgpd_audit.sample.common import Ctx, slug, vat_number  # noqa: E402

STAFF = [("Claire", "Fontaine"), ("Mehdi", "Benali"), ("Sophie", "Lambert"), ("Julien", "Roche")]
ORG_DOMAIN = "inter-interim.example.fr"
JOBS = ["Cariste", "Comptable", "Responsable RH", "Chargée de recrutement", "Directeur commercial", "Soudeur TIG",
        "Assistante de direction", "Préparateur de commandes", "Gestionnaire de paie", "Acheteuse"]
DEPARTMENTS = ["Comptabilité", "Ressources humaines", "Direction", "Achats", "Logistique", "Commercial"]
REGIONS = ["Île-de-France", "Auvergne-Rhône-Alpes", "Pays de la Loire", "Hauts-de-France", "Occitanie", "Bretagne"]
COUNTRIES = {"name": ["France", "France", "France", "Belgique", "Suisse"], "iso2": ["FR", "FR", "FR", "BE", "CH"],
             "iso3": ["FRA", "FRA", "FRA", "BEL", "CHE"]}
TZS = ["Europe/Paris", "Europe/Paris", "Europe/Brussels", "America/Montreal"]
NOTES = [
    "Rappeler en janvier pour le planning des pics d'activité.",
    "Souhaite uniquement des missions de nuit, véhiculé.",
    "Contact rencontré au salon RH de Lyon, intéressé par l'offre paie.",
    "Relance envoyée le 12/03, pas de réponse pour l'instant.",
    "Préfère être contacté par e-mail plutôt que par téléphone.",
    "Client depuis 2019, renouvellement du contrat prévu en septembre.",
    "RAS",
]
SUBJECTS = ["Candidature au poste de cariste", "Re: Planning de la semaine 12", "Votre devis prestation paie",
            "Relance facture FA2024-0112", "Confirmation d'entretien jeudi 10h", "Documents pour votre dossier"]


class Gen:
    """Value generators; each takes the row's person and the column's spec."""

    def __init__(self, ctx: Ctx):
        self.ctx, self.rng, self.fake = ctx, ctx.rng, ctx.fake

    def dt(self, start_years=6, end_years=0) -> datetime:
        d = self.ctx.day_between(date(2026, 11, 20) - timedelta(days=365 * start_years),
                                 date(2026, 11, 20) - timedelta(days=365 * end_years))
        return self.ctx.moment(d)

    def value(self, spec: dict, p, row: int) -> str:
        g = spec["gen"]
        v = getattr(self, "g_" + g)(spec, p, row)
        return v.upper() if spec.get("upper") and isinstance(v, str) else v

    # names
    def g_first(self, s, p, r): return p.first
    def g_last(self, s, p, r): return p.last
    def g_full(self, s, p, r): return p.full
    def g_full_other(self, s, p, r): return self.ctx.person().full
    def g_middle(self, s, p, r): return self.fake.first_name()
    def g_nickname(self, s, p, r): return slug(p.first).split("-")[0][:4].capitalize() + self.rng.choice(["", "o", "y"])
    def g_file_as(self, s, p, r): return f"{p.last}, {p.first}" if self.ctx.chance(0.7) else self.ctx.company()
    def g_phonetic(self, s, p, r): return "-".join(slug(getattr(p, s["of"])).replace("-", ""))[:20:2].lower()
    def g_vcard_n(self, s, p, r): return f"{p.last};{p.first};;;"
    def g_staff(self, s, p, r): return " ".join(self.rng.choice(STAFF))
    def g_staff_first(self, s, p, r): return self.rng.choice(STAFF)[0]
    def g_staff_last(self, s, p, r): return self.rng.choice(STAFF)[1]
    def g_sex(self, s, p, r): return "0" + p.sex

    # e-mail addresses
    def g_email(self, s, p, r): return self.ctx.email(p, self.ctx.personal_domain())
    def g_work_email(self, s, p, r): return self.ctx.email(p, self.rng.choice(["societe.example.fr", "groupe.example.com", "cabinet.example.org"]))
    def g_org_email(self, s, p, r): return self.ctx.email(p, ORG_DOMAIN, "f.l")
    def g_staff_email(self, s, p, r):
        f, last = self.rng.choice(STAFF)
        return f"{slug(f)}.{slug(last)}@{ORG_DOMAIN}"
    def g_email_list(self, s, p, r):
        n = self.rng.choice([1, 1, 2, 3])
        return s["sep"].join(self.ctx.email(self.ctx.person() if i else p, self.ctx.personal_domain()) for i in range(n))
    def g_named_email(self, s, p, r): return f'"{p.full}" <{self.ctx.email(p, self.ctx.personal_domain())}>'
    def g_angle_email(self, s, p, r): return f"<{self.ctx.email(p, self.ctx.personal_domain())}>"

    # phones
    def g_phone(self, s, p, r):
        style = {"e164": "intl"}.get(s.get("style"), s.get("style"))
        v = self.ctx.phone(mobile=s.get("mobile"), style=style)
        return v.replace(" ", "") if s.get("style") == "e164" else v

    # identifiers
    def g_nir(self, s, p, r): return self.ctx.nir(p, spaced=s.get("spaced"))
    def g_iban(self, s, p, r): return self.ctx.iban()
    def g_bic(self, s, p, r): return self.rng.choice(["EXMPFRPPXXX", "EXMPFRPP123", "FICTFR2LXXX"])
    def g_rib_part(self, s, p, r):
        raw = self.ctx.iban().replace(" ", "")[4:]
        return {"bank": raw[:5], "branch": raw[5:10], "account": raw[10:21], "key": raw[21:23]}[s["part"]]
    def g_siret(self, s, p, r): return self.ctx.siret()
    def g_ape(self, s, p, r): return self.rng.choice(["6201Z", "7022Z", "4651Z", "7810Z", "7830Z"])
    def g_vat(self, s, p, r): return vat_number(self.ctx.siren())
    def g_int_id(self, s, p, r):
        n = s["digits"]
        return str(self.rng.randrange(10 ** (n - 1), 10 ** n))
    def g_seq(self, s, p, r): return str(s["start"] + r)
    def g_sf_id(self, s, p, r):
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return s["prefix"] + "5g00000" + "".join(self.rng.choice(chars) for _ in range(8))
    def g_uuid(self, s, p, r):
        a, b, c, d, e = (self.rng.getrandbits(n) for n in (32, 16, 12, 12, 48))
        return f"{a:08x}-{b:04x}-4{c:03x}-a{d:03x}-{e:012x}"
    def g_hex(self, s, p, r): return "".join(self.rng.choice("0123456789abcdef") for _ in range(s["n"]))
    def g_account_code(self, s, p, r): return ("C" if self.ctx.chance(0.6) else "F") + slug(p.last).replace("-", "").upper()[:8]
    def g_piece_ref(self, s, p, r): return f"FA{self.rng.choice([2023, 2024, 2025])}-{self.rng.randrange(1, 999):04d}"
    def g_message_id(self, s, p, r):
        one = lambda: f"<CA{self.g_hex({'n': 12}, p, r).upper()}{self.rng.randrange(10**6)}@mail.{self.rng.choice(['example.com', 'example.fr'])}>"
        return " ".join(one() for _ in range(self.rng.choice([2, 3]))) if s.get("many") else one()

    # dates
    def g_date(self, s, p, r): return self.dt().strftime(s["fmt"]).replace("%z", "")
    def g_birth(self, s, p, r): return p.birth.strftime(s["fmt"])

    # places
    def g_street(self, s, p, r): return self.fake.street_address().replace("\n", " ")
    def g_street2(self, s, p, r): return self.rng.choice(["Bâtiment B", "Résidence Les Tilleuls", "3e étage", "ZA des Landes", "BP 42"])
    def g_city(self, s, p, r): return self.fake.city()
    def g_postcode(self, s, p, r): return self.fake.postcode()
    def g_region(self, s, p, r): return self.rng.choice(REGIONS)
    def g_country(self, s, p, r): return self.rng.choice(COUNTRIES[s["form"]])
    def g_address(self, s, p, r):
        street, cp, city = self.g_street(s, p, r), self.fake.postcode(), self.fake.city()
        if s["style"] == "mailchimp":
            return f"{street}  {city}  {cp}  FR"
        if s["style"] == "vcard":
            return f";;{street};{city};;{cp};France"
        return f"{street}, {cp} {city}"
    def g_latitude(self, s, p, r): return f"{self.rng.uniform(43.0, 50.5):.6f}"
    def g_longitude(self, s, p, r): return f"{self.rng.uniform(-1.5, 7.5):.6f}"
    def g_geo_uri(self, s, p, r): return f"geo:{self.rng.uniform(43.0, 50.5):.4f},{self.rng.uniform(-1.5, 7.5):.4f}"
    def g_ip(self, s, p, r):
        if self.ctx.chance(0.15):
            return f"2001:db8:{self.rng.randrange(1, 0xffff):x}::{self.rng.randrange(1, 0xffff):x}"
        return f"{self.rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{self.rng.randrange(1, 255)}"

    # organisation
    def g_company(self, s, p, r): return self.ctx.company()
    def g_job(self, s, p, r): return self.rng.choice(JOBS)
    def g_department(self, s, p, r): return self.rng.choice(DEPARTMENTS)
    def g_url(self, s, p, r):
        k = s["kind"]
        if k == "profile":
            return f"https://www.example.com/in/{slug(p.first)}-{slug(p.last)}-{self.rng.randrange(100, 999)}"
        if k == "photo":
            return f"https://photos.example.com/{self.g_hex({'n': 16}, p, r)}.jpg"
        if k == "logo":
            return f"https://cdn.example.org/logos/{slug(self.ctx.company())[:20]}.png"
        if k == "directory":
            return f"ldap://annuaire.example.fr/uid={slug(p.first)}"
        return f"https://www.{slug(self.ctx.company())[:20]}.example.fr"

    # the rest
    def g_choice(self, s, p, r): return str(self.rng.choice(s["of"]))
    def g_const(self, s, p, r): return s["value"]
    def g_int(self, s, p, r): return str(self.rng.randint(s["lo"], s["hi"]))
    def g_amount(self, s, p, r):
        v = f"{self.rng.uniform(s['lo'], s['hi']):.2f}"
        return v if s.get("dec") == "dot" else v.replace(".", ",")
    def g_tz(self, s, p, r): return self.rng.choice(TZS)
    def g_tags(self, s, p, r): return s["sep"].join(self.rng.sample(s["of"], self.rng.choice([1, 1, 2])))
    def g_text(self, s, p, r):
        t = self.rng.choice(NOTES)
        return (t + " " + self.rng.choice(NOTES) + " " + self.fake.sentence(nb_words=12)) if s.get("long") else t
    def g_subject(self, s, p, r): return self.rng.choice(SUBJECTS)
    def g_path(self, s, p, r): return f"/Clients/{self.ctx.company()[:24]}/{self.rng.choice(['Paie', 'Contrats', 'CV'])}/{slug(p.last)}.pdf"
    def g_event_desc(self, s, p, r):
        return self.rng.choice(["User {e} created", "Password of user {e} changed", "User {e} suspended", "{e} added to group recrutement@" + ORG_DOMAIN]).format(e=self.g_org_email(s, p, r))


def load_spec() -> dict:
    return yaml.safe_load((HERE / "corpus.yaml").read_text(encoding="utf-8"))


def generate(out: Path = HERE / "data") -> dict[str, str]:
    spec = load_spec()
    out.mkdir(exist_ok=True)
    sums = {}
    for i, fmt in enumerate(spec["formats"]):
        ctx = Ctx(out, scale=1, seed=spec["seed"] * 100 + i)
        gen = Gen(ctx)
        cols = fmt["columns"]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([c["h"] for c in cols])
        for r in range(spec["rows"]):
            p = ctx.person()
            row = []
            for c in cols:
                v = gen.value(c, p, r)
                if c.get("empty") and (c["empty"] >= 1.0 or ctx.rng.random() < c["empty"]):
                    v = ""
                row.append(v)
            w.writerow(row)
        data = buf.getvalue().encode("utf-8")
        (out / f"{fmt['id']}.csv").write_bytes(data)
        sums[fmt["id"]] = hashlib.sha256(data).hexdigest()
    (HERE / "checksums.txt").write_text("".join(f"{v}  data/{k}.csv\n" for k, v in sorted(sums.items())), encoding="utf-8")
    return sums


if __name__ == "__main__":
    random.seed(0)
    print(f"{len(generate())} formats written to {HERE / 'data'}")
