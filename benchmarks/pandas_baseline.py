"""Step (d) of the benchmark: the same load and retention check written by hand with pandas.

What an analyst would write for this estate without rgpd-audit: ``pd.read_csv`` per file
with the right encoding and separator (every column as text), the declared dates parsed
with ``pd.to_datetime(format=..., dayfirst=True)``, FEC amounts with a decimal comma, then
the retention rules of the bundled policy for the same sources (deadline = reference date
+ duration, breach when the audit date is past it). No provenance, no rejects table, no
other check: it is a lower bound of the pandas effort, not an equivalent of ``check``.

Usage (normally run by ``benchmarks/run.py`` in its own process):

    python benchmarks/pandas_baseline.py PLAN.json
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pandas as pd

AS_OF = pd.Timestamp("2026-11-27")
PY_ENCODING = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "cp1252": "cp1252", "iso-8859-15": "iso-8859-15", None: "utf-8"}


def read(f: dict) -> pd.DataFrame:
    return pd.read_csv(
        f["path"], sep=f["delimiter"], encoding=PY_ENCODING[f["encoding"]], dtype=str, keep_default_na=False,
        na_values=[""], quoting=csv.QUOTE_NONE if f["quote"] == "" else csv.QUOTE_MINIMAL,
        encoding_errors="replace", on_bad_lines="skip",
    )


def dates(s: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(s.str.strip(), format=fmt, dayfirst=True, errors="coerce")


def load(plan: dict) -> dict[str, pd.DataFrame]:
    frames: dict[str, pd.DataFrame] = {}
    for src in plan["sources"]:
        parts = []
        for f in src["files"]:
            df = read(f)
            for col, fmt in src["dates"].items():
                if col in df.columns:
                    df[col] = dates(df[col], fmt)
            if src["format"] == "hubspot":
                for col in [c for c in df.columns if c.endswith("Date") and not pd.api.types.is_datetime64_any_dtype(df[c])]:
                    df[col] = dates(df[col], "%Y-%m-%d %H:%M")
            if src["format"] == "fec":
                if "Montant" in df.columns and "Debit" not in df.columns:  # the Montant/Sens variant
                    debit = df["Sens"].str.strip().str.upper().isin(["D", "DEBIT", "DÉBIT"])
                    df["Debit"] = df["Montant"].where(debit, "0,00")
                    df["Credit"] = df["Montant"].where(~debit, "0,00")
                for col in ("EcritureDate", "PieceDate", "DateLet", "ValidDate"):
                    df[col] = dates(df[col], "%Y%m%d")
                for col in ("Debit", "Credit", "Montantdevise"):
                    df[col] = pd.to_numeric(df[col].str.replace(".", "", regex=False).str.replace(",", ".", regex=False), errors="coerce")
                m = re.match(r"(\d{9})FEC(\d{8})", Path(f["path"]).name)
                df["fiscal_year_close"] = pd.Timestamp(m.group(2)) if m else pd.NaT
            parts.append(df)
        frames[src["name"]] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return frames


def plus_months(d: pd.Series, months: int) -> pd.Series:
    return d + pd.DateOffset(months=months)


def breaches(ref: pd.Series, years: int, months: int = 0) -> int:
    return int((AS_OF > plus_months(ref, years * 12 + months)).sum())


def retention(plan: dict, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    opts = {s["name"]: s for s in plan["sources"]}
    out: dict[str, int] = {}
    c = frames["client_contracts"]
    end_col = "Date fin"
    # the contract's own duration, in months (the sample's column says « mois »)
    months_col = [k for k in c.columns if k.startswith("Conservation")][0]
    contracts = c.assign(key=c["Code client"].str.strip().str.lower(), months=pd.to_numeric(c[months_col], errors="coerce")).groupby("key").agg(
        contract_end=(end_col, "max"), months=("months", "max"))
    fec = frames.get("fec")
    purchases = None
    if fec is not None:
        # a purchase is an invoice: a line crediting a supplier's 401 account (its payment debits it)
        sup = fec[fec["CompteNum"].str.startswith("401", na=False) & fec["CompAuxNum"].notna() & (fec["Credit"] > 0)]
        purchases = sup.groupby(sup["CompAuxNum"].str.strip())["EcritureDate"].max()
        out["fec/suppliers"] = breaches(fec["fiscal_year_close"], 10)

    def last_activity(name: str, df: pd.DataFrame) -> pd.Series:
        roles = opts[name]["date_roles"]
        la = [k for k, r in roles.items() if r == "last_activity" and k in df]
        cr = [k for k, r in roles.items() if r == "creation" and k in df]
        ref = df[la].max(axis=1) if la else pd.Series(pd.NaT, index=df.index)
        if cr:
            ref = ref.fillna(df[cr].max(axis=1))
        return ref

    if "crm_contacts" in frames:
        df = frames["crm_contacts"]
        stage = df["Lifecycle Stage"].str.strip()
        pro = df[stage.isin(["lead", "subscriber", "opportunity"])]
        out["crm_contacts/prospects"] = breaches(last_activity("crm_contacts", pro), 3)
        cli = df[stage == "customer"]
        end = cli["Code client"].str.strip().str.lower().map(contracts["contract_end"])
        out["crm_contacts/client_contacts"] = breaches(end, 5)
    for name, src in opts.items():
        if src["format"] == "csv" and src.get("client"):
            df = frames[name]
            key = src["client"].lower()
            end = contracts["contract_end"].get(key, pd.NaT)
            months = contracts["months"].get(key)
            months = 60 if months is None or pd.isna(months) else int(months)
            out[f"{name}/client_datasets"] = breaches(pd.Series(end, index=df.index, dtype="datetime64[ns]"), 0, months)
    if "partners_google" in frames:
        out["partners_google/partners"] = breaches(last_activity("partners_google", frames["partners_google"]), 5)
    if "sage_tiers" in frames:
        df = frames["sage_tiers"]
        t = df["CT_Type"].str.strip()
        cli = df[t == "0"]
        out["sage_tiers/client_contacts"] = breaches(cli["CT_Num"].str.strip().str.lower().map(contracts["contract_end"]), 5)
        sup = df[t == "1"]
        lp = sup["CT_Num"].str.strip().map(purchases) if purchases is not None else pd.Series(pd.NaT, index=sup.index)
        active = lp.notna()
        out["sage_tiers/suppliers"] = breaches(lp[active], 5) + breaches(last_activity("sage_tiers", sup[~active]), 3)
    if "newsletter_brevo" in frames:
        out["newsletter_brevo/newsletters"] = breaches(last_activity("newsletter_brevo", frames["newsletter_brevo"]), 3)
    return out


def main(plan_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    frames = load(plan)
    found = retention(plan, frames)
    print(json.dumps({"rows": sum(len(f) for f in frames.values()), "breaches": found}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
