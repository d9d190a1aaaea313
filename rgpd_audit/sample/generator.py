"""Generate the sample estate of INTER INTERIM, with its known findings.

Deterministic: seeded ``random.Random`` and ``Faker("fr_FR")``, every date computed from
``SAMPLE_AS_OF``; XLSX and zip members carry fixed timestamps. The expected findings are
counted while the records are built and written to ``expected.yaml`` and ``README.md``.

Example:

    python -m rgpd_audit.sample.generator                      # rewrite data/sample
    python -m rgpd_audit.sample.generator --out /tmp/big --scale 1000
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from . import candidates as _candidates
from . import compta, contents, crm, datasets, dropbox, gmail, newsletter, org, partners, people
from .common import PAST_AS_OF, SAMPLE_AS_OF, Ctx
from .manifest import SOURCES, TRANSFER_DATES, TRANSFERS, UNDECLARED, render
from .readme import render_readme

# data/sample of the repository, when the generator runs from a clone (an installed package
# has no such folder: give --out)
_CLONE = Path(__file__).resolve().parents[2]
DEFAULT_OUT = _CLONE / "data" / "sample" if (_CLONE / "pyproject.toml").exists() else None
CHECK_ORDER = ["retention.breach", "retention.unverifiable", "retention.no_section", "special_category.free_text",
               "special_category.content", "forbidden_data.candidate_identifier", "forbidden_data.content_identifier", "transfer.third_country", "transfer.undeclared_system",
               "transfer.outbound_share", "access.former_staff", "access.unauthorised_role",
               "load.rejected_rows"]


def expected_rows(tally) -> list[dict]:
    """The findings table: one row per (check, activity, source), in a stable order."""
    order = {s["name"]: i for i, s in enumerate(SOURCES)}
    rows = [{"check": c, "activity": a or "-", "source": s, "expected": int(n)}
            for (c, a, s), n in tally.findings.items()]
    rows.sort(key=lambda r: (CHECK_ORDER.index(r["check"]), order[r["source"].split(", ")[0]], r["source"], r["activity"]))
    return rows


def generate(out_dir: Path, scale: int = 1, seed: int = 42) -> dict:
    """Write the estate into ``out_dir``; return a summary (files, records, expected findings)."""
    if scale < 1:
        raise ValueError("scale must be >= 1")
    ctx = Ctx(Path(out_dir), scale, seed)
    staff = org.build_staff(ctx)
    contracts = org.build_contracts(ctx)
    org.write_staff(ctx, staff)
    org.write_contracts(ctx, contracts)
    crm.write_crm(ctx, contracts, staff)
    kept = _candidates.write_candidates(ctx)
    gmail.write_gmail(ctx, kept, staff, contracts)
    dropbox.write_dropbox(ctx, staff, kept)
    contents.write_documents(ctx)
    datasets.write_datasets(ctx, contracts)
    partners.write_google(ctx)
    partners.write_vcard(ctx)
    compta.write_compta(ctx, contracts)
    newsletter.write_mailchimp(ctx)
    newsletter.write_brevo(ctx)
    for _provider, activity, source, _severity in UNDECLARED:
        ctx.tally.add("transfer.undeclared_system", activity, source)
    as_of_index = TRANSFER_DATES.index(SAMPLE_AS_OF.isoformat())
    for _provider, activity, sources, _sev, _why in TRANSFERS:
        ctx.tally.add("transfer.third_country", activity, sources)
    transfers = {
        d: {f"transfer.third_country|{p}|{a}": sev[i] for p, a, _, sev, _ in TRANSFERS}
        | {f"transfer.undeclared_system|{p}": s for p, _, _, s in UNDECLARED}
        for i, d in enumerate(TRANSFER_DATES)
    }
    assert transfers[TRANSFER_DATES[as_of_index]]  # the audit date is one of the five

    findings = expected_rows(ctx.tally)
    records = {s["name"]: int(ctx.tally.records[s["name"]]) for s in SOURCES}
    expected = {"version": 1, "as_of": SAMPLE_AS_OF.isoformat(), "scale": scale, "seed": seed,
                "records": records, "findings": findings, "transfers": transfers,
                "retention_cases": {"past": PAST_AS_OF.isoformat(), "cases": ctx.tally.cases},
                "dsar": people.expected(ctx.tally.people)}
    (ctx.out / "manifest.yaml").write_text(render(), encoding="utf-8")
    (ctx.out / "expected.yaml").write_text(
        "# Expected findings of the sample estate at the audit date. Generated; do not edit.\n"
        + yaml.safe_dump(expected, sort_keys=False, allow_unicode=True, default_flow_style=None,
                         width=120), encoding="utf-8")
    (ctx.out / "README.md").write_text(render_readme(expected, ctx.tally.files), encoding="utf-8")
    return {"out": str(ctx.out), "files": dict(sorted(ctx.tally.files.items())), **expected}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rgpd_audit.sample.generator",
        description="Generate INTER INTERIM's sample estate (deterministic).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, required=DEFAULT_OUT is None,
                        help="output folder (default in a clone of the repository: data/sample)")
    parser.add_argument("--scale", type=int, default=1, help="multiply the big sources' record counts")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    args = parser.parse_args(argv)
    summary = generate(args.out, args.scale, args.seed)
    total = sum(summary["records"].values())
    print(f"wrote {len(summary['files'])} data files, {total} records, into {summary['out']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
