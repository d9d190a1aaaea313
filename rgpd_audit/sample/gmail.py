"""Google Takeout mbox of the recruiting mailbox (Gmail, Google LLC, US)."""

from __future__ import annotations

import io
import mailbox
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from .common import FIXED_DT, ORG_DOMAIN, RETENTION_YEARS, Ctx, retention_outcome
from .contents import write_contents
from .people import GMAIL_MESSAGES

REL = "gmail/Takeout/Mail/All mail Including Spam and Trash.mbox"
SOURCE = "gmail_recrutement"
ACTIVITY = "candidates"
MAILBOX = f"recrutement@{ORG_DOMAIN}"
PARTNERS = [("Agence Intérim Plus", "contact@interim-plus.example.com"),
            ("Cabinet Talents & Co", "sourcing@talents-co.example.com"),
            ("Mission Locale Est", "emploi@mission-locale-est.example.org")]


def _tz(d: datetime) -> timezone:
    return timezone(timedelta(hours=2 if 4 <= d.month <= 10 else 1))


def fake_pdf(title: str, email: str) -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({title} - {email}) Tj ET".encode("latin-1", "replace")
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/Contents 4 0 R>>endobj\n"
            b"4 0 obj<</Length " + str(len(body)).encode() + b">>stream\n" + body +
            b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def fake_docx(title: str, email: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in [
            ("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
            ("word/document.xml", f'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{title} - {email}</w:t></w:r></w:p></w:body></w:document>'),
        ]:
            zi = zipfile.ZipInfo(name, date_time=FIXED_DT.timetuple()[:6])
            zf.writestr(zi, text.encode())
    return buf.getvalue()


class _Writer:
    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        path = ctx.path(REL)
        if path.exists():
            path.unlink()
        self.box = mailbox.mbox(str(path), create=True)
        self.n = 0

    def thread(self) -> str:
        return str(1_700_000_000_000_000_000 + self.ctx.rng.randrange(10**17))

    def add(self, thrid: str, labels: str, sender, to: list, subject: str, when: datetime,
            body: str, attachments=(), in_reply_to: str | None = None, mid: str | None = None,
            boundary: str | None = None) -> str:
        """Add a message; ``mid`` and ``boundary`` given: a fixed message, nothing drawn at random."""
        ctx = self.ctx
        when = when.replace(tzinfo=_tz(when))
        msg = EmailMessage()
        msg["X-GM-THRID"] = thrid
        msg["X-Gmail-Labels"] = labels
        msg["MIME-Version"] = "1.0"
        msg["Date"] = format_datetime(when)
        mid = mid or f"<CA{ctx.rng.randrange(16**30):030x}@mail.gmail.com>"
        msg["Message-ID"] = mid
        if in_reply_to:
            msg["In-Reply-To"] = in_reply_to
            msg["References"] = in_reply_to
        msg["Subject"] = subject
        msg["From"] = formataddr(sender)
        msg["To"] = ", ".join(formataddr(a) for a in to)
        msg.set_content(body)
        for filename, data in attachments:
            sub = "pdf" if filename.endswith(".pdf") else "vnd.openxmlformats-officedocument.wordprocessingml.document"
            msg.add_attachment(data, maintype="application", subtype=sub, filename=filename)
        if msg.is_multipart():
            msg.set_boundary(boundary or f"000000000000{ctx.rng.randrange(16**16):016x}")
        m = mailbox.mboxMessage(msg)
        utc = when.astimezone(UTC)
        m.set_from(f"{thrid}@xxx {utc.strftime('%a %b %d %H:%M:%S +0000 %Y')}")
        self.box.add(m)
        self.n += 1
        ctx.tally.retention(retention_outcome([when.date()], None, RETENTION_YEARS["candidates"]),
                            ACTIVITY, SOURCE)
        ctx.tally.records[SOURCE] += 1
        external = any(not a[1].endswith("@" + ORG_DOMAIN) for a in to)
        if sender[1] == MAILBOX and external and any(f.upper().startswith("CV") for f, _ in attachments):
            ctx.tally.add("transfer.outbound_share", ACTIVITY, SOURCE)
        return mid


def write_gmail(ctx: Ctx, candidates: list, staff: list, contracts: dict) -> None:
    w = _Writer(ctx)
    me = ("Recrutement INTER INTERIM", MAILBOX)
    recruiters = [s for s in staff if s.service == "Recrutement" and not s.end]
    colleagues = [s for s in staff if s.service in ("Direction", "Recrutement") and not s.end]
    cv_of = {}
    for i, c in enumerate(candidates[:30]):
        name = c.person.full
        ext = ".docx" if i % 4 == 3 else ".pdf"
        fname = f"CV_{c.person.first.replace(' ', '-')}_{c.person.last.replace(' ', '-')}{ext}"
        data = fake_docx(f"CV {name}", c.email) if ext == ".docx" else fake_pdf(f"CV {name}", c.email)
        cv_of[i] = (fname, data)
        thr = w.thread()
        when = ctx.moment(c.applied)
        body = (f"Bonjour,\n\nJe vous adresse ma candidature pour le poste de {c.job}.\n"
                f"Vous trouverez mon CV en pièce jointe.\n\nCordialement,\n{name}\n{ctx.phone(mobile=True)}\n")
        mid = w.add(thr, "Candidatures,Inbox,Opened", (name, c.email), [me],
                    f"Candidature {c.job} - {name}", when, body, [(fname, data)])
        rec = recruiters[i % len(recruiters)]
        if i % 2 == 0:
            w.add(thr, "Candidatures,Sent", me, [(name, c.email)], f"Re: Candidature {c.job} - {name}",
                  when + timedelta(days=1, hours=2),
                  f"Bonjour {c.person.first},\n\nMerci pour votre candidature. Pouvez-vous nous "
                  f"rappeler au {ctx.phone(mobile=False, style='spaced')} ?\n\n"
                  f"{rec.person.full}\nINTER INTERIM\n", in_reply_to=mid)
        if i % 4 == 1:  # CV forwarded to a partner agency: outbound transfer
            partner = PARTNERS[i % len(PARTNERS)]
            w.add(thr, "Candidatures,Sent", me, [partner], f"TR: Candidature {c.job} - {name}",
                  when + timedelta(days=3),
                  f"Bonjour,\n\nProfil qui pourrait vous intéresser, je vous transfère son CV.\n\n"
                  f"{rec.person.full}\n", [(fname, data)], in_reply_to=mid)
        elif i % 4 == 2:  # forwarded to a colleague: stays inside
            col = colleagues[i % len(colleagues)]
            w.add(thr, "Candidatures,Sent", me, [(col.person.full, col.email)],
                  f"TR: Candidature {c.job} - {name}", when + timedelta(hours=3),
                  "Pour avis, merci.\n", [(fname, data)], in_reply_to=mid)
    # client exchanges: requests for profiles, CVs sent to clients, quotes
    ongoing = [c for c in contracts.values() if c.end is None]
    for k in range(6):
        client = ongoing[k % len(ongoing)]
        contact = ctx.person(28, 60)
        caddr = (contact.full, ctx.email(contact, client.domain, "f.l"))
        thr = w.thread()
        when = ctx.moment(ctx.day_between(datetime(2020, 1, 6).date(), datetime(2026, 11, 13).date()))
        mid = w.add(thr, "Clients,Inbox,Opened", caddr, [me], f"Besoin intérimaires - {client.name}",
                    when, "Bonjour,\n\nNous aurions besoin de 2 caristes à partir de lundi.\n"
                          "Pouvez-vous nous envoyer des profils ?\n\nMerci,\n" + contact.full + "\n")
        if k % 2 == 0:
            atts = [cv_of[j] for j in (k, k + 4) if j in cv_of]
            w.add(thr, "Clients,Sent", me, [caddr], f"Re: Besoin intérimaires - {client.name}",
                  when + timedelta(hours=5), "Bonjour,\n\nVoici deux profils disponibles (CV joints).\n",
                  atts, in_reply_to=mid)
        else:
            w.add(thr, "Clients,Sent", me, [caddr], f"Re: Besoin intérimaires - {client.name}",
                  when + timedelta(hours=5), "Bonjour,\n\nCi-joint notre devis.\n",
                  [(f"Devis_{when.year}-{100 + k}.pdf", fake_pdf(f"Devis {client.name}", MAILBOX))],
                  in_reply_to=mid)
    # the person of docs/dsar.md (people.py): her application and the answer, fixed
    for k, g in enumerate(GMAIL_MESSAGES, start=1):
        sender = me if g["from"] == "mailbox" else g["from"]
        to = [me] if g["to"] == "mailbox" else [g["to"]]
        atts = [(g["attachment"], fake_pdf(f"CV {g['from'][0]}", g["from"][1]))] if g["attachment"] else []
        w.add(g["thread"], g["labels"], sender, to, g["subject"], g["when"], g["body"], atts,
              in_reply_to=g.get("in_reply_to"), mid=g["mid"], boundary=f"000000000000{k:016x}")
    # what people wrote inside: a NIR, a disability, a medical certificate (contents.py)
    write_contents(ctx, w, MAILBOX)
    w.box.flush()
    w.box.close()
    ctx.wrote(REL, w.n)
