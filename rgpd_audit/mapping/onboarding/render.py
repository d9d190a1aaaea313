"""The draft manifest as YAML with comments: each value a suggestion, each question a comment.

A person's decisions are left empty (``null``), so the draft does not load until they are
made: ``load`` then lists every one still missing with its key path. Lines marked
``TO DECIDE`` are the person's; the rest was read from the files and may be kept.
"""

from __future__ import annotations

import yaml

from .propose import Proposal

TODO = "TO DECIDE"


def flow(value) -> str:
    """One YAML value on one line (``[a, b]``, ``{x: 1}``, quoted when it must be)."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6).strip().removesuffix("\n...").removesuffix("...").strip()


def render(draft) -> str:
    lines = [
        f"# Draft manifest written by rgpd-audit init from {draft.folder_label} ({len(draft.proposals)} source(s)).",
        "# Every value was read from the files and is a SUGGESTION: check it, keep it or change it.",
        f"# Lines marked {TODO} are questions only a person can answer; the manifest does not load",
        "# until they are answered (rgpd-audit load lists what is missing, with its key path).",
        "# Required keys: version, name, organisation.name, and for each source: name, format, path,",
        "# hosting.provider and hosting.country. See docs/manifest.md.",
    ]
    if draft.left_out:
        lines.append("# Files left out (no format recognised them as an export):")
        lines.extend(f"#   {f.rel}: {f.why}" for f in draft.left_out)
    lines += ["version: 1", f"name: {flow(draft.name)}  # suggested: the audit's title"]
    if draft.root():
        lines.append(f"root: {flow(draft.root())}  # the exports' folder: no path may lead outside it")
    lines += [
        f"organisation:  # {TODO}: the controller's identity (the company audited), for the Art. 30 record",
        f"  name: null  # {TODO}: its legal name",
        f"  domains: {flow(draft.domains)}  # "
        + ("suggested from the staff e-mail addresses: " if draft.domains else "")
        + f"{TODO}: the company's own e-mail domains (internal vs external sharing)",
        f"  # legal_form, siren, address, contact, representative, dpo: optional, {TODO}",
        "sources:",
    ]
    for p in draft.proposals:
        lines.extend(_source(p, draft.prefix()))
    return "\n".join(lines) + "\n"


def _source(p: Proposal, prefix: str = "") -> list[str]:
    q = {x.key: x.text for x in p.questions}
    out = [f"- name: {flow(p.name)}  # suggested; {TODO}: {q['name']}",
           f"  title: {flow(p.title)}  # {TODO}: {q['title']}",
           f"  format: {flow(p.format)}  # recognised from the file's name and header",
           f"  path: {flow(prefix + p.path)}" + (f"  # {len(p.files)} files" if len(p.files) > 1 else "")]
    if p.error:
        out.append(f"  # the {p.format} loader could not read it: {p.error}")
    acts = {"suggested": "suggested", "ambiguous": "suggested (ambiguous)", "none": "no suggestion"}[p.activities_note]
    out.append(f"  activities: {flow(p.activities)}  # {acts}; {TODO}: {q['activities']}")
    use = p.use or "records"
    out.append(f"  use: {use}  # " + ("suggested; " if p.use else "default; ") + f"{TODO}: {q['use']}")
    out.append(f"  hosting: {{provider: null, country: null}}  # {TODO}: {q['hosting']}")
    out.append("  options:  # suggested from the files" if p.options else "  options: {}  # nothing to suggest")
    for k, v in p.options.items():
        if isinstance(v, dict) and v:
            out.append(f"    {k}:")
            out.extend(f"      {flow(kk)}: {flow(vv)}" for kk, vv in v.items())
        else:
            out.append(f"    {k}: {flow(v)}")
    optional = [k for k in ("options.record_kind", "options.client", "options.client_column", "options.split_by",
                            "options.status") if k in q]
    if optional:
        out.append(f"    # {TODO} if it applies (see docs/manifest.md):")
        out.extend(f"    #   {k.split('.', 1)[1]}: {q[k]}" for k in optional)
    out.extend(f"  # note: {n}" for n in p.notes)
    return out
