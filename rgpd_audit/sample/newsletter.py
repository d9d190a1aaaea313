"""Newsletters (§8): Mailchimp audience export (zip) and Brevo contacts (CSV)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, timedelta

from .common import FIXED_DT, RETENTION_YEARS, CsvOut, Ctx, retention_outcome
from .people import BREVO_MARTINE, MAILCHIMP_ROW

MAILCHIMP_REL = "newsletter/mailchimp-audience-export.zip"
BREVO_REL = "newsletter/brevo-contacts.csv"
HEX = "4f2a9c81d3"
MERGE = ["Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday"]
MID = ["MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "GMTOFF", "DSTOFF",
       "TIMEZONE", "CC", "REGION"]
TAIL = ["LEID", "EUID", "NOTES", "TAGS"]
STATUS_COLS = {
    "subscribed": ["LAST_CHANGED"],
    "unsubscribed": ["UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON",
                     "UNSUB_REASON_OTHER"],
    "cleaned": ["CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"],
}
CAMPAIGNS = [("Lettre INTER INTERIM - printemps 2019", "a1b2c3d4e5"),
             ("Invitation petit-déjeuner RH 2021", "b2c3d4e5f6"),
             ("Nouveautés réglementaires intérim 2023", "c3d4e5f6a7"),
             ("Vœux 2025", "d4e5f6a7b8")]
BREVO_HEADER = ["CONTACT ID", "EMAIL", "LASTNAME", "FIRSTNAME", "WHATSAPP", "SMS", "DOUBLE_OPT-IN",
                "OPT_IN", "LANDLINE_NUMBER", "EXT_ID", "CONTACT_TIMEZONE", "JOB_TITLE", "LINKEDIN",
                "ADDED_TIME", "MODIFIED_TIME"]


def _campaign(ctx: Ctx, when: datetime) -> tuple:
    """A campaign sent before ``when`` (the first one if none)."""
    sent = [c for c in CAMPAIGNS if int(c[0][-4:]) <= when.year] or CAMPAIGNS[:1]
    return ctx.pick(sent)


def _ts(d: datetime | None) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S") if d else ""


def write_mailchimp(ctx: Ctx) -> None:
    t = ctx.tally
    source = "newsletter_mailchimp"
    path = ctx.path(MAILCHIMP_REL)
    total = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for status, n in (("subscribed", 180), ("unsubscribed", 60), ("cleaned", 20)):
            zi = zipfile.ZipInfo(f"{status}_email_audience_export_{HEX}.csv",
                                 date_time=FIXED_DT.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            with zf.open(zi, "w") as raw:
                fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(MERGE + MID + STATUS_COLS[status] + TAIL)
                for _ in range(n * ctx.scale):
                    p = ctx.person(22, 70)
                    optin = ctx.moment(ctx.day_between(date(2016, 3, 1), date(2025, 6, 30)), 0, 24)
                    confirm = optin + timedelta(minutes=ctx.rng.randrange(1, 300))
                    imported = ctx.chance(0.25)
                    changed = ctx.moment(ctx.day_between(confirm.date(), date(2026, 11, 19)), 0, 24)
                    changed = max(changed, confirm)
                    ip = f"{ctx.pick(['192.0.2', '198.51.100', '203.0.113'])}.{ctx.rng.randrange(1, 255)}"
                    tags = ctx.pick(['', '"Clients"', '"Prospects","Salon 2022"', '"Intérimaires"'])
                    if status == "subscribed":
                        extra = [_ts(changed)]
                    elif status == "unsubscribed":
                        title, cid = _campaign(ctx, changed)
                        extra = [_ts(changed), title, cid,
                                 ctx.pick(["NORMAL", "NOSIGNUP", "INAPPROPRIATE", "SPAM", "OTHER"]),
                                 "Trop de mails" if ctx.chance(0.2) else ""]
                    else:
                        title, cid = _campaign(ctx, changed)
                        extra = [_ts(changed), title, cid]
                    optin_s = None if imported else optin
                    w.writerow([
                        ctx.email(p, ctx.personal_domain()), p.first, p.last,
                        f"{ctx.fake.street_address()}  {ctx.fake.city()}  {ctx.fake.postcode()}  FR" if ctx.chance(0.2) else "",
                        ctx.phone() if ctx.chance(0.3) else "", "", ctx.rng.randrange(1, 6),
                        _ts(optin_s), "" if imported else ip, _ts(confirm), ip, "1", "2",
                        "Europe/Paris", "FR", "IDF", *extra,
                        str(100000000 + ctx.rng.randrange(10**8)), f"{ctx.rng.randrange(16**10):010x}",
                        "", tags])
                    # the subscription (opt-in, its confirmation, or the import) is the collection;
                    # the audience export holds no later contact from the person (clicks are in the
                    # campaign reports), and a change, a bounce or an unsubscription restarts nothing
                    t.retention(retention_outcome([], confirm, RETENTION_YEARS["newsletters"]),
                                "newsletters", source)
                    total += 1
                if status == "unsubscribed":  # the person of docs/dsar.md (people.py): unsubscribed 14/02/2025
                    w.writerow(MAILCHIMP_ROW)
                    t.retention("breach", "newsletters", source)  # subscribed 01/06/2023: 3 years end 01/06/2026
                    t.person("aissa", source, f"{zi.filename}#{n * ctx.scale + 1}")
                    total += 1
                if status == "cleaned":  # the case of issue 18: a bounce years after the opt-in
                    w.writerow(["roselyne.barbier@example.fr", "Roselyne", "Barbier", "", "", "", 2,
                                "2018-02-19 09:12:40", "198.51.100.23", "2018-02-19 09:20:02", "198.51.100.23",
                                "1", "2", "Europe/Paris", "FR", "IDF", "2022-06-19 04:10:00", *CAMPAIGNS[1],
                                "187654321", "00c0ffee42", "", ""])
                    t.retention("breach", "newsletters", source)
                    t.case(source, {"Email Address": "roselyne.barbier@example.fr"}, "breach", "breach",
                           "opt-in 19/02/2018, bounce (`CLEAN_TIME`) 19/06/2022: a bounce is no contact from the "
                           "person, 3 years from the opt-in end on 19/02/2021")
                    total += 1
                fh.flush()
                fh.detach()
    t.records[source] = total
    ctx.wrote(MAILCHIMP_REL, total)


def write_brevo(ctx: Ctx) -> None:
    t = ctx.tally
    source = "newsletter_brevo"
    with CsvOut(ctx, BREVO_REL, BREVO_HEADER, delimiter=";", lineterminator="\n") as out:
        for i in range(250 * ctx.scale):
            if i == 40:
                out.raw("1041;a.berger@example.fr;BERGER;Alice;;33639980041;Yes;Yes;;;Europe/Paris;"
                        "Office manager;;31-02-2021;04-03-2021\n")
                t.add("load.rejected_rows", "newsletters", source)
            if i == 120:
                out.raw("1121;m.rolland@example.org;ROLLAND\n")
                t.add("load.rejected_rows", "newsletters", source)
            p = ctx.person(22, 66)
            added = ctx.day_between(date(2023, 1, 9), date(2026, 11, 19))
            modified = ctx.day_between(added, date(2026, 11, 19)) if ctx.chance(0.7) else None
            if i < 30:  # imported from Mailchimp at the migration, untouched since
                added, modified = ctx.day_between(date(2023, 1, 9), date(2023, 1, 20)), None
            mobile = ctx.phone(mobile=True, style="compact")
            out.row([str(1000 + i), ctx.email(p, ctx.personal_domain()), p.last.upper(), p.first, "",
                     "33" + mobile[1:] if ctx.chance(0.4) else "",
                     ctx.pick(["Yes", "No", ""]), ctx.pick(["Yes", "Yes", "No"]),
                     ctx.phone(mobile=False, style="compact") if ctx.chance(0.2) else "", "",
                     "Europe/Paris", ctx.pick(["DRH", "Gérant", "Responsable paie", "", ""]), "",
                     added.strftime("%d-%m-%Y"), modified.strftime("%d-%m-%Y") if modified else ""])
            # MODIFIED_TIME is a change to the record (a sync, an edit), not a contact
            t.retention(retention_outcome([], added, RETENTION_YEARS["newsletters"]),
                        "newsletters", source)
            t.records[source] += 1
        # a contact re-synced by the CRM connector on 02/10/2026, added on 12/01/2023
        cid = str(1000 + 250 * ctx.scale)
        out.row([cid, "thibault.moreau@example.com", "MOREAU", "Thibault", "", "", "Yes", "Yes", "", "",
                 "Europe/Paris", "DRH", "", "12-01-2023", "02-10-2026"])
        t.retention("breach", "newsletters", source)
        t.records[source] += 1
        t.case(source, {"CONTACT ID": cid}, "breach", "ok",
               "added 12/01/2023, modified by a sync on 02/10/2026: the sync does not restart the clock "
               "(deadline 12/01/2026); on 11/07/2023 it was within its 3 years")
        # Martine Lenoir, the contact of the supplier FLENOI99 in Sage (people.py): added 15/05/2024
        cid = str(1000 + 250 * ctx.scale + 1)
        b = BREVO_MARTINE
        out.row([cid, b["email"], b["last_name"], b["first"], "", "", "Yes", "Yes", "", "", "Europe/Paris", b["job"], "",
                 b["added"], ""])
        t.retention("ok", "newsletters", source)
        t.records[source] += 1
        t.person("martine", source, cid)
