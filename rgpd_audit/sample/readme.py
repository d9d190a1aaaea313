"""The sample estate's README, rendered from the generator's own counts."""

from __future__ import annotations

from .manifest import SOURCES

INTRO = """\
# Sample estate: INTER INTERIM

A fictitious French temporary-work agency (~40 staff) and the raw exports of its systems, as
they come out of each tool. Everything here is generated; do not edit by hand:

    python -m rgpd_audit.sample.generator --out data/sample          # this folder
    python -m rgpd_audit.sample.generator --out /tmp/big --scale 1000  # benchmark (~1M+ records)

The generator is deterministic (seed 42, no clock): `tests/test_sample_estate.py` regenerates
the estate and checks every file is byte-identical. All people are fictitious: e-mails use only
the reserved domains `example.fr`, `example.com`, `example.org` (and their subdomains; the
company's own is `inter-interim.example.fr`), phone numbers are in ARCEP's ranges reserved for
fiction, NIRs, IBANs and SIRETs carry valid keys but belong to nobody.

Audit date: **{as_of}**. Sources are declared in `manifest.yaml`; the numbers below are also in
`expected.yaml` (machine-readable).
"""

RULES = """\
## How the expected counts are computed

- **retention.breach**: `as_of > deadline`, deadline = reference date + duration in calendar
  years (29 February + n years = 28 February). Reference date = the greatest of the record's
  `last_activity` dates — a contact *from the person* — (date part only), else its `creation`
  date. A date the record changed (`record_change`: a modification, a sync, a bounce) or an
  unsubscription (`opt_out`) never starts or restarts the clock (CNIL délibération 2021-131;
  SAN-2024-020): a record with only such dates is unverifiable.
  - §1 prospects 3 years; §5 candidates 2 years; §6 partners 5 years; §8 newsletters 3 years
    (Mailchimp: `CONFIRM_TIME`, the subscription — its confirmation, or the import for imported
    members whose `OPTIN_TIME` is blank —, never `LAST_CHANGED`, `CLEAN_TIME`, `UNSUB_TIME`;
    Brevo: `ADDED_TIME`, never `MODIFIED_TIME`; vCard: `REV` is the card's last change, so
    every card is unverifiable).
  - §5 candidates whose `Statut` is `Embauché` (mapped to `hired` in the manifest's
    `options.status`) have left §5: no breach, one `retention.no_section` finding per status
    value (the policy has no section for staff or temporary workers).
  - §2 client contacts (HubSpot `customer`, Sage `CT_Type` 0): 5 years after `Date fin` of the
    client's contract in `clients/contrats-clients.csv` (joined on the client code: HubSpot
    `Code client`, Sage `CT_Num`). Ongoing contract (blank `Date fin`) = not in breach. No
    client code / code absent from the contracts file = unverifiable.
  - §3 / §4 datasets: the contract's own `Conservation des données (mois après fin)` (a number
    of **months**, as the column name says), else 5 years, from the contract's `Date fin`;
    same ongoing / unknown rules. Row dates are ignored.
  - §7 suppliers (Sage `CT_Type` 1): *active* if their `CT_Num` has invoices in any FEC
    (`CompAuxNum` lines crediting a 401 account; a payment debits it and is not a purchase),
    deadline = latest such `EcritureDate` + 5 years; otherwise *potential*, 3 years from
    `CT_DateCreate` (`cbModification` is a change, never a contact).
  - FEC lines (every line of every file, 401/411 included) are accounting documents:
    closing date in the file name + 10 years (FY 2014 and 2015 are past it).
  - Gmail: each message is a candidates record (the loader also stages recipients and
    attachments, which are not records), reference date = its `Date` header.
  - Dropbox: each document under `/Recrutement/` in the activity log is a candidates record,
    dated by its latest event (2 years); a document whose latest event is a deletion is gone.
  - Audited as of a past date, a record sees only that date's world: records created later are
    not audited, later events are ignored, and a record whose only activity date is later (its
    value then unknown) is unverifiable unless its creation alone keeps it in time (see the
    cases below).
- **retention.unverifiable**: no usable reference date at all (counted per record).
- **retention.no_section**: one per source, activity and status value whose records left the
  activity (here `Embauché`).
- **special_category.free_text**: records whose free text (HubSpot `Notes`, candidates'
  `Commentaires`) mentions health, pregnancy, disability (RQTH), trade-union membership or a
  criminal record — terms used: `arrêt maladie`, `dépression`, `burn-out`, `cancer`,
  `diabétique`, `enceinte`, `congé maternité`, `RQTH`, `travailleur handicapé`,
  `délégué syndical CGT`, `casier judiciaire`. No other free text of the estate uses them.
- **forbidden_data.candidate_identifier**: candidates whose `Statut` is not `Embauché` and who
  have a `N° sécurité sociale` or a `Lieu de naissance` (records, both sheets).
- **transfer.third_country**: one finding per provider and activity whose data leaves the EEA
  (where it is hosted, or who reaches it from a third country), judged on the provider register
  (`rgpd_audit/data/providers.yaml`), never on §9's words: see "Transfers at five dates" below.
- **transfer.undeclared_system**: one per provider §9 does not name: Mailchimp (US) and HubSpot
  (hosted in Frankfurt but reached by HubSpot, Inc. from the US) are errors; Brevo (French) is a
  warning, §9 saying « notamment ».
- **transfer.outbound_share**: Dropbox share rows of a path under `/Recrutement/` with at least
  one recipient outside `inter-interim.example.fr` (a `/Commercial/` brochure shared outside and
  two internal CV shares are not counted); Gmail messages sent from the mailbox with an
  attachment whose name starts with `CV` to at least one outside address (internal forwards
  and quotes `Devis_*.pdf` are not counted).
- **access.former_staff**: Dropbox members with `Status` `Active` whose `Date de sortie` in
  `rh/personnel.csv` is before the audit date (joined on e-mail). A suspended leaver and a
  leaver due on 31/12/2026 are not counted.
- **access.unauthorised_role**: distinct members with an event on a path under `/Recrutement/`
  in the activity log whose `Service` maps to a role §5 does not authorise (Direction,
  Recrutement, Secrétariat are). Services map to policy roles: Direction → direction,
  Commercial → sales, Recrutement → recruitment, Secrétariat → secretariat, Comptabilité →
  accounting, Achats → purchasing, Opérations → operations. The same two members are also the
  only non-authorised members of the Dropbox group `Recrutement`.
- **load.rejected_rows**: rows a loader must reject with a reason (wrong number of fields,
  impossible date such as `31/02/2021` / `31-02-2021`). They are excluded from every other
  count and from the records totals.
"""

SEEDED = """\
## Seeded on purpose

- HubSpot: the first three prospects are boundary cases — last activity 2023-11-27 (deadline
  = audit date: *not* in breach), 2023-11-26 (breach) and 2020-02-29 (deadline 2023-02-28).
  About 2 % of customers have no `Code client` (unverifiable).
- Contracts: `CLI0042` ended 31/03/2022 with a contractual 24 months (2 years) — its payroll
  dataset is in breach although the 5-year default would not be; `CLI0031` ended 30/06/2019
  with no contractual duration (default 5 years: breach); `CLI0057` and `CLI0107` are
  ongoing; `CLI0088` ended 30/09/2021 with 3 years (breach). The web app has 3 rows with a
  null `client_code`. Sage client accounts `CLI0005` and `CLI0008` are not in the contracts file.
- Suppliers: 8 suppliers whose last purchase is in 2014-2020 (inactive more than 5 years), 12
  potential suppliers (never in a FEC), 2 of them without any date; FEC of FY 2014 and 2015
  are past their 10 years.
- Candidates: NIR (spaced or not) and birthplace for candidates never hired; health,
  pregnancy, RQTH, union and criminal-record remarks in `Commentaires` (and in HubSpot
  `Notes`); ~3 % without any date; a few dates typed as text.
- Transfers: CVs forwarded from Gmail to partner agencies (`*.example.com`,
  `*.example.org`) and sent to clients; CVs and a CV folder shared from Dropbox outside.
- Access: two leavers still `Active` in Dropbox (a recruiter who left on 30/06/2024 and keeps
  downloading CVs, a salesman who left on 15/09/2025); one Commercial and one Comptabilité
  member in the `Recrutement` group downloading CVs.
- People in several systems (see "Data-subject requests" above), fixed rows appended after the
  random ones: Aïssa N'Diaye adds a record to the candidates sheet (rejected in March 2024: one
  more breach, 159 → 160), two messages to the mailbox (March 2024: two more breaches, 52 → 54),
  an unsubscribed member to Mailchimp (subscribed 01/06/2023: one more breach, 224 → 225), a
  partner to Google Contacts and a prospect to the CRM (both contacted in October 2025: within
  their periods); Martine Lenoir, the contact of the supplier `FLENOI99`, adds a Brevo subscriber
  (added 15/05/2024: within 3 years).
"""

NOTES = """\
## Notes for loaders

- `crm/…csv`: comma, UTF-8, dates `YYYY-MM-DD HH:MM`; `Notes` spans lines; `Code client` is a
  custom property (blank for prospects).
- `clients/contrats-clients.csv`: `;`, Windows-1252, `dd/mm/yyyy`; columns `Code client`,
  `Raison sociale`, `SIRET`, `Date début`, `Date fin` (blank = ongoing),
  `Conservation des données (mois après fin)` (months; blank = not set → policy default 5 years).
- `recrutement/suivi-candidats.xlsx`: sheets `Candidats` and `Archives 2019-2021`, same
  headers; date cells are real Excel dates except a few typed as text `dd/mm/yyyy` (and one
  impossible `31/02/2021` in `Dernier contact`, to reject). `Statut`: `Nouveau`, `À recontacter`,
  `Entretien planifié`, `Refusé`, `Vivier`, `Désisté`, `Embauché` (hired).
- Gmail mbox: Takeout `From <thread-id>@xxx <date>` lines, `X-GM-THRID`, `X-Gmail-Labels`
  (`Candidatures,Inbox,Opened`, `Candidatures,Sent`, `Clients,Sent`, …); CVs are base64 MIME
  parts, some file names RFC 2231-encoded (accents).
- Dropbox: `membres.csv` dates `YYYY-MM-DD`, `Groups` joined by `; `; `activite.csv`
  timestamps `YYYY-MM-DDTHH:MM:SSZ`, path in `assets`; `partages-externes.csv` `Shared with`
  may hold several addresses joined by `; `, `Shared on` `YYYY-MM-DD`.
- Client datasets: `;`, Windows-1252, decimal comma; NIR spaced or not; IBAN spaced by 4.
  `CLI0042_…` has one row with an unquoted `;` (one field too many). The web application is
  NDJSON, `client_code` null on a few rows, timestamps ISO 8601 `Z`.
- `annuaire/contacts-google.csv`: UTF-8 with BOM, ` ::: ` multi-values, multi-line `Notes` and
  `Address 1 - Formatted`; last contact in `Custom Field 1 - Value` (label `Dernier contact`,
  `dd/mm/yyyy`). `partenaires.vcf`: vCard 3.0 and 4.0, CRLF, last change of the card in `REV`
  (`2019-05-14T10:15:00Z` in 3.0, `20190514T101500Z` in 4.0).
- `compta/tiers-sage.csv`: `;`, Windows-1252; `CT_Type` 0 client (`CT_Num` = client code),
  1 supplier; `CT_DateCreate`, `cbModification` `dd/mm/yyyy`. FEC: FY 2014-2016 use `|`, the
  others tab; FY 2017 uses `Montant` + `Sens`; ISO-8859-15 up to FY 2019, Windows-1252 after
  (same bytes: no `€`); CRLF; dates `AAAAMMJJ`; decimal comma.
- Mailchimp zip: `subscribed_…`, `unsubscribed_…`, `cleaned_…` CSVs (the file name is the
  status); imported members have a blank `OPTIN_TIME` (their `CONFIRM_TIME` is the import). Brevo: `;`, UTF-8, `DD-MM-YYYY`, blank
  `MODIFIED_TIME` on untouched contacts, one row with `31-02-2021` and one truncated row.
- `rh/personnel.csv`: `;`, Windows-1252, `dd/mm/yyyy`; `Service` is the role column.
"""


def _table(rows, cols) -> list[str]:
    out = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    out += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    return out


def _transfers(expected: dict) -> str:
    from .manifest import TRANSFER_DATES, TRANSFERS

    out = ["## Transfers at five dates", "",
           "Severity of each transfer finding when the sample is audited as of each date (also in",
           "`expected.yaml`, `transfers`); `info`: a safeguard valid on that date, named in the finding;",
           "`error`: none known, the finding saying what evidence would settle it.", "",
           "| provider | activity | sources | " + " | ".join(TRANSFER_DATES) + " | why |",
           "|---|---|---|" + "---|" * len(TRANSFER_DATES) + "---|"]
    for provider, activity, sources, sev, why in TRANSFERS:
        out.append(f"| {provider} | {activity} | {sources} | " + " | ".join(sev) + f" | {why} |")
    out += ["", "The policy's own words are judged apart (`policy.lint`): §9 claims Privacy Shield for",
            "Dropbox (`policy.invalid_transfer_mechanism` from 16/07/2020) and states no safeguard for",
            "Gmail (`policy.transfer_safeguard_missing`).", ""]
    return "\n".join(out)


def _cases(expected: dict) -> str:
    rc = expected["retention_cases"]
    out = ["## Retention cases at two dates", "",
           f"Records whose retention verdict is asserted when the sample is audited as of {expected['as_of']} and as of",
           f"{rc['past']} (also in `expected.yaml`, `retention_cases`). `absent`: the record did not exist yet on",
           "that date (created later), so it is not audited; `no_section`: reported as held under no section of",
           "the policy (`retention.no_section`), not as a breach.", "",
           f"| source | record | {expected['as_of']} | {rc['past']} | why |", "|---|---|---|---|---|"]
    for c in rc["cases"]:
        rec = "every record" if not c["match"] else ", ".join(f"`{k}` = `{v}`" for k, v in c["match"].items())
        out.append(f"| `{c['source']}` | {rec} | {c['today']} | {c['past']} | {c['why']} |")
    return "\n".join(out + [""])


def _cmd(command: str, args: dict) -> str:
    opts = " ".join(f"--{k.replace('_', '-')} " + (f'"{v}"' if " " in v else v) for k, v in args.items())
    return f"rgpd-audit dsar {command} {opts}"


def _dsar(expected: dict) -> str:
    d = expected["dsar"]
    out = ["## Data-subject requests: people in several systems", "",
           "People present in several systems under spelling variants (fixed rows, `rgpd_audit/sample/people.py`),",
           "with what `rgpd-audit dsar find` lists for them once the sample is loaded (also in `expected.yaml`,",
           "`dsar`, and asserted through the command line and the API by `tests/test_sample_dsar.py`).", "",
           "- **Aïssa N'Diaye** (born 12/05/1990, `06 39 98 27 14`, the example of `docs/dsar.md`): a rejected",
           "  candidate of March 2024 (candidates sheet `N'DIAYE` `Aïssa`; her application with her CV and the",
           "  answer in the recruiting mailbox, as `Aissa NDIAYE`), unsubscribed from the newsletter on 14/02/2025",
           "  (Mailchimp, `Aissa.Ndiaye@example.fr`, `N’Diaye`), now at Mission Locale Est: a partner in Google",
           "  Contacts (`NDIAYE`, work and home addresses, `06.39.98.27.14`) and a prospect in the CRM (`Aissa`",
           "  `Ndiaye`, her work address `a.ndiaye@mission-locale-est.example.org` only, `+33 (0)6 39 98 27 14`).",
           "- **Martine Lenoir**: the contact of the supplier `FLENOI99` in Sage (its 2021 invoice and 2022 payment",
           "  are in the FEC), a Brevo subscriber as `Martine.Lenoir@lenoir.example.com`.",
           "- **Yanis Marchand**: a candidate hired as a temporary worker in 2021 (`Embauché`).", ""]
    for q in d["find"]:
        out += [f"{q['who']}: {q['why']}.", "", "    " + _cmd("find", q["args"]), "",
                "| source | table | record | match |", "|---|---|---|---|"]
        out += [f"| `{s}` | `{t}` | `{r}` | {m} |" for s, t, r, m in q["rows"]]
        out.append("")
    out += [f"The erasure plan of each as of {d['as_of']} (`rgpd-audit dsar erase-plan … --as-of {d['as_of']}`), field by",
            "field: `all` every field of the record holding a value, `others` every field not listed on another line,",
            "`message` the whole message with its attachments.", ""]
    for p in d["erase_plan"]:
        out += [f"{p['who']}:", "", "    " + _cmd("erase-plan", p["args"]) + f" --as-of {d['as_of']} --out plans/", "",
                "| source | record | action | fields | until | why |", "|---|---|---|---|---|---|"]
        for r in p["rows"]:
            fields = r["fields"] if isinstance(r["fields"], str) else ", ".join(f"`{f}`" for f in r["fields"])
            out.append(f"| `{r['source']}` | `{r['record']}` | {r['action']} | {fields} | {r['until'] or '-'} | {r['why']} |")
        out.append("")
    return "\n".join(out)


def render_readme(expected: dict, files: dict) -> str:
    lines = [INTRO.format(as_of=expected["as_of"]), "## Sources", ""]
    src_rows = []
    for s in SOURCES:
        h = s["hosting"]
        src_rows.append({"source": f"`{s['name']}`", "title": s["title"], "path": f"`{s['path']}`",
                         "format": s["format"], "activities": ", ".join(s["activities"]) or "-",
                         "hosting": f"{h['provider']} ({h['country']})",
                         "records": expected["records"][s["name"]]})
    lines += _table(src_rows, ["source", "title", "path", "format", "activities", "hosting", "records"])
    lines += ["", f"Total records: {sum(expected['records'].values())}.", "",
              "## Expected findings", ""]
    rows = [{**r, "check": f"`{r['check']}`", "source": f"`{r['source']}`"} for r in expected["findings"]]
    lines += _table(rows, ["check", "activity", "source", "expected"])
    lines += ["", RULES, _cases(expected), _transfers(expected), _dsar(expected), SEEDED, NOTES, "## Files", ""]
    lines += _table([{"file": f"`{k}`", "rows": v} for k, v in sorted(files.items())], ["file", "rows"])
    return "\n".join(lines) + "\n"
