"""Dropbox team admin reports: members, activity log, sharing (Dropbox, Inc., US)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from .common import CANDIDATE_ROLES, ORG_DOMAIN, CsvOut, Ctx, retention_outcome

MEMBERS_REL = "dropbox/membres.csv"
ACTIVITY_REL = "dropbox/activite.csv"
SHARING_REL = "dropbox/partages-externes.csv"
MEMBERS_HEADER = ["First name", "Last name", "Email address", "Role", "Status", "Usage",
                  "Space limit", "Join date", "Invite date", "Groups", "Two-step verification"]
ACTIVITY_HEADER = ["timestamp", "member", "member_email", "event_type", "category",
                   "access_method", "ip_address", "country", "city", "involve_non_team_members",
                   "participants", "context", "assets", "other_info"]
SHARING_HEADER = ["Item type", "Size", "Path", "Access level", "Password/expiry", "Shared by",
                  "Shared on", "Shared with", "Viewed/edited"]
GROUPS = {"Direction": "Direction; Recrutement", "Recrutement": "Recrutement",
          "Secrétariat": "Secrétariat; Recrutement", "Commercial": "Commercial",
          "Comptabilité": "Comptabilité", "Achats": "Achats", "Opérations": "Opérations"}
LOG_END = date(2026, 11, 20)


def _members(ctx: Ctx, staff: list) -> list:
    out = []
    for s in staff:
        if s.tag in ("former", ):
            continue
        if s.service == "Opérations" and s.tag == "" and ctx.chance(0.6):
            continue
        out.append(s)
    return out


def write_dropbox(ctx: Ctx, staff: list, candidates: list) -> None:
    t = ctx.tally
    members = _members(ctx, staff)
    recruit_people = [s for s in members if s.role in CANDIDATE_ROLES and not s.end]
    # ------------------------------------------------------------ members report
    with CsvOut(ctx, MEMBERS_REL, MEMBERS_HEADER) as out:
        for s in members:
            status = "Suspended" if s.tag == "former_suspended" else "Active"
            join = max(s.start, date(2016, 5, 2))
            groups = "Tout le monde; " + GROUPS[s.service]
            if s.tag == "unauthorised":
                groups += "; Recrutement"
            out.row([s.person.first, s.person.last, s.email,
                     "Team admin" if s.service == "Direction" and s.title == "Gérant" else "Member",
                     status, f"{ctx.rng.randrange(1, 400) / 10:.1f} GB", "Team",
                     join.isoformat(), (join - timedelta(days=ctx.rng.randrange(0, 5))).isoformat(),
                     groups, ctx.pick(["On", "Off", "Off"])])
            if s.departed(ctx.as_of) and status == "Active":
                t.add("access.former_staff", "", "dropbox_members")
    t.records["dropbox_members"] = len(members)
    # ------------------------------------------------------------ activity log
    events = []

    def ev(when: datetime, s, etype, cat, assets="", participants="", other=None, non_team=False):
        ip = f"{ctx.pick(['192.0.2', '198.51.100', '203.0.113'])}.{ctx.rng.randrange(1, 255)}"
        events.append([when.strftime("%Y-%m-%dT%H:%M:%SZ"), s.person.full, s.email, etype, cat,
                       ctx.pick(["Web", "Desktop client", "Mobile"]), ip, "FR",
                       ctx.pick(["Paris", "Lyon", "Créteil", "Saint-Denis"]),
                       "True" if non_team else "False", participants, "Team member", assets,
                       json.dumps(other or {}, ensure_ascii=False)])

    def active_on(s, d):
        return s.start <= d and (s.end is None or d <= s.end or s.tag == "former_active")

    cv_paths = []
    for i, c in enumerate(candidates):
        ext = ".docx" if i % 4 == 3 else ".pdf"
        path = (f"/Recrutement/CV/{c.applied.year}/CV_{c.person.first.replace(' ', '-')}_"
                f"{c.person.last.replace(' ', '-')}{ext}")
        cv_paths.append((path, c.applied))
        who = ctx.pick([s for s in recruit_people if active_on(s, c.applied)] or recruit_people)
        ev(ctx.moment(c.applied), who, "file_add", "files", path)
        for _ in range(ctx.rng.randrange(0, 3)):
            d = ctx.day_between(c.applied, min(c.applied + timedelta(days=90), LOG_END))
            viewer = ctx.pick(recruit_people)
            ev(ctx.moment(d), viewer, ctx.pick(["file_preview", "file_download"]), "files", path)
    for s in members:
        last = min(LOG_END, s.end or LOG_END) if s.tag != "former_active" else LOG_END
        for _ in range(4):
            d = ctx.day_between(max(s.start, date(2019, 1, 1)), last)
            ev(ctx.moment(d), s, "login_success", "logins")
        if s.service in ("Commercial", "Comptabilité", "Achats", "Opérations", "Direction"):
            folder = {"Commercial": "/Commercial/Propositions", "Comptabilité": "/Compta/Factures",
                      "Achats": "/Achats/Devis", "Opérations": "/Missions/Plannings",
                      "Direction": "/Direction/Comptes-rendus"}[s.service]
            d = ctx.day_between(max(s.start, date(2019, 1, 1)), last)
            ev(ctx.moment(d), s, "file_add", "files", f"{folder}/{d.isoformat()}_document.pdf")
        if s.tag == "unauthorised":  # a non-authorised role browsing the candidates' CVs
            for path, applied in cv_paths[:3]:
                d = ctx.day_between(applied, LOG_END)
                ev(ctx.moment(d), s, "file_download", "files", path)
        if s.tag == "former_active" and s.role in CANDIDATE_ROLES:
            for path, _ in cv_paths[3:5]:  # still downloading CVs after leaving
                d = ctx.day_between(s.end + timedelta(days=30), LOG_END)
                ev(ctx.moment(d), s, "file_download", "files", path)
    unauthorised = {s.email for s in members if s.role not in CANDIDATE_ROLES}
    # ------------------------------------------------------------ sharing
    partners = ["contact@interim-plus.example.com", "sourcing@talents-co.example.com",
                "emploi@mission-locale-est.example.org"]
    shares = []
    recruiters = [s for s in recruit_people if s.service == "Recrutement"]
    for k, (path, applied) in enumerate(cv_paths[5:11]):
        who = recruiters[k % len(recruiters)]
        when = ctx.day_between(applied, min(applied + timedelta(days=60), LOG_END))
        with_ = partners[k % 3] if k != 2 else f"{partners[0]}; {partners[1]}"
        shares.append(["File", f"{ctx.rng.randrange(80, 900)} KB", path, "Can view", "",
                       who.email, when, with_, ctx.pick(["Viewed", "Not viewed", "Viewed"])])
    for k, (path, applied) in enumerate(cv_paths[11:13]):  # internal shares: not a transfer
        who, to = recruiters[k], recruiters[k + 1]
        shares.append(["File", "210 KB", path, "Can edit", "", who.email, applied, to.email, "Edited"])
    folder_day = date(2025, 3, 12)
    shares.append(["Folder", "14.2 MB", "/Recrutement/Vivier caristes 2025", "Can view",
                   "Expires 2025-06-30", recruiters[0].email, folder_day,
                   "rh@logistique-nord-017.example.fr", "Viewed"])
    shares.append(["File", "2.1 MB", "/Commercial/Plaquette INTER INTERIM 2025.pdf", "Can view", "",
                   next(s.email for s in members if s.service == "Commercial"), date(2025, 2, 3),
                   "direction@batiplus.example.com", "Viewed"])
    shares.sort(key=lambda r: r[6])
    with CsvOut(ctx, SHARING_REL, SHARING_HEADER) as out:
        for r in shares:
            by = next(s for s in members if s.email == r[5])
            external = [a for a in r[7].split("; ") if not a.endswith("@" + ORG_DOMAIN)]
            ev(ctx.moment(r[6]), by, "shared_content_add", "sharing", r[2], "; ".join(external),
               {"access_level": r[3]}, non_team=bool(external))
            if external and r[2].startswith("/Recrutement/"):
                t.add("transfer.outbound_share", "candidates", "dropbox_sharing")
            out.row(r[:6] + [r[6].isoformat()] + r[7:])
    t.records["dropbox_sharing"] = len(shares)
    events.sort(key=lambda e: e[0], reverse=True)
    touched = {e[2] for e in events if e[12].startswith("/Recrutement/")}
    t.add("access.unauthorised_role", "candidates", "dropbox_activity", len(touched & unauthorised))
    # CV files in Dropbox are candidates' documents: 2 years after the latest event on them
    last_event: dict[str, date] = {}
    for e in events:
        if e[12].startswith("/Recrutement/"):
            d = date.fromisoformat(e[0][:10])
            last_event[e[12]] = max(d, last_event.get(e[12], d))
    for d in last_event.values():
        if retention_outcome([d], None, 2, ctx.as_of) == "breach":
            t.add("retention.breach", "candidates", "dropbox_activity")
    with CsvOut(ctx, ACTIVITY_REL, ACTIVITY_HEADER) as out:
        for e in events:
            out.row(e)
    t.records["dropbox_activity"] = len(events)
