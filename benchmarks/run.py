"""Benchmark rgpd-audit against DuckDB's raw CSV reader and a hand-written pandas version.

For each scale, the sample estate is generated (``rgpd_audit.sample.generator --scale N``)
and these steps are measured, each in a fresh process so that its peak memory is its own:

  gen     generating the estate (for information)
  a       DuckDB ``read_csv`` of the delimited files, options given by hand (benchmarks/raw_duckdb.py)
  b       ``rgpd-audit load`` of the same sources (a manifest restricted to the delimited sources)
  c       ``rgpd-audit check --as-of 2026-11-27`` on that workspace (every check)
  r       ``rgpd-audit check --check retention.breach --check retention.unverifiable``: the
          checks pandas does (d), for a like-for-like ratio d/(b+r)
  d       pandas: the same files read by hand and the retention check of the same sources
          (benchmarks/pandas_baseline.py)
  e       ``rgpd-audit report`` on that workspace (notebooks + HTML), when it runs
  f       the monthly job, first run: ``rgpd-audit report`` on a fresh workspace (load, map,
          check, notebooks, HTML in one command): the whole chain, against (a)
  g       the monthly job, next month: ``rgpd-audit report --as-of`` a month later on the
          workspace of (f), no export changed (load and classification skipped), against (f)
  b_full  with --full-estate: ``rgpd-audit load`` of the whole estate (XLSX, mbox, vCard,
  c_full  NDJSON, Mailchimp zip too) and ``rgpd-audit check`` on it

Each step reports wall time, CPU time (user + sys of the child and its children, from
``os.wait4``) and peak RSS (``ru_maxrss`` of the child). Ratios: b/a (load against the raw
reader) and d/(b+c) (pandas against load + every check).

Example:

    python benchmarks/run.py --scales 30 100 300 --out docs/benchmarks.md
    python benchmarks/run.py --scales 1000 --keep --work /tmp/bench --json /tmp/bench/results.json

Generated estates are reused when ``--work`` already holds one of the same scale, and
deleted at the end unless ``--keep`` is given. The results table is written into the
``--out`` Markdown file between ``<!-- results:start -->`` and ``<!-- results:end -->``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
AS_OF = "2026-11-27"
NEXT_MONTH = "2026-12-27"
DELIMITED_FORMATS = {"csv", "hubspot", "brevo", "sage_tiers", "fec", "google_contacts",
                     "dropbox_members", "dropbox_activity", "dropbox_sharing"}
DEFAULT_DELIMITER = {"fec": "|", "google_contacts": ",", "dropbox_members": ",", "dropbox_activity": ",",
                     "dropbox_sharing": ",", "hubspot": ",", "csv": ","}
START, END = "<!-- results:start -->", "<!-- results:end -->"
STEP_TITLES = {
    "gen": "generate the estate",
    "a": "(a) DuckDB read_csv, by hand",
    "b": "(b) rgpd-audit load",
    "c": "(c) rgpd-audit check",
    "r": "(r) check, retention only",
    "d": "(d) pandas load + retention",
    "e": "(e) rgpd-audit report",
    "f": "(f) report, fresh workspace",
    "g": "(g) report, next month",
    "b_full": "rgpd-audit load, whole estate",
    "c_full": "rgpd-audit check, whole estate",
}


# --------------------------------------------------------------------------- measuring

def measure(cmd: list[str], log: Path, ok=(0,), timeout: float | None = None, env=None) -> dict:
    """Run ``cmd`` in a fresh process; wall, CPU (user+sys) and peak RSS of that process tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = None if timeout is None else t0 + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline and time.perf_counter() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    res = {
        "wall_s": round(wall, 2),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
        "rss_mib": round(ru.ru_maxrss / 1024, 1),  # KiB on Linux
        "exit": code,
        "ok": code in ok,
        "log": str(log),
    }
    text = log.read_text(encoding="utf-8", errors="replace")
    last = [line for line in text.splitlines() if line.strip()][-1:] or [""]
    try:
        res["output"] = json.loads(last[0])
    except ValueError:
        if not res["ok"]:
            res["error"] = "\n".join(text.splitlines()[-5:])
    return res


def cli() -> str:
    exe = Path(sys.executable).parent / "rgpd-audit"
    return str(exe) if exe.exists() else shutil.which("rgpd-audit") or "rgpd-audit"


def compile_package() -> None:
    """Write the package's bytecode before measuring, as ``pip install .`` does: with an
    editable install and ``PYTHONDONTWRITEBYTECODE`` set (this machine's shells), every
    command would otherwise compile the package's sources again (half a second per command,
    which a user's installed copy never pays)."""
    import compileall

    import rgpd_audit

    compileall.compile_dir(str(Path(rgpd_audit.__file__).parent), quiet=1)


# --------------------------------------------------------------------------- the estate

def generate(estate: Path, scale: int, log: Path) -> dict | None:
    exp = estate / "expected.yaml"
    if exp.exists() and yaml.safe_load(exp.read_text(encoding="utf-8")).get("scale") == scale:
        print(f"  reusing {estate}", flush=True)
        return None
    if estate.exists():
        shutil.rmtree(estate)
    return measure([sys.executable, "-m", "rgpd_audit.sample.generator", "--out", str(estate), "--scale", str(scale)], log)


def has_c1(path: Path) -> bool:
    pat = re.compile(rb"[\x80-\x9f]")
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            if pat.search(chunk):
                return True
    return False


def build_plan(estate: Path) -> dict:
    """The delimited sources of the estate, their files and the options an analyst would give."""
    from rgpd_audit.ingest.manifest import load_manifest

    raw = yaml.safe_load((estate / "manifest.yaml").read_text(encoding="utf-8"))
    raw["sources"] = [s for s in raw["sources"] if s["format"] in DELIMITED_FORMATS]
    bench_manifest = estate / "bench-manifest.yaml"
    bench_manifest.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    manifest = load_manifest(bench_manifest)
    sources, files, size = [], [], 0
    for s in manifest.sources:
        o = s.options
        enc = o.encoding or ("iso-8859-15" if s.format == "fec" else "utf-8")
        delim = o.delimiter or DEFAULT_DELIMITER.get(s.format, ",")
        quote = "" if s.format == "fec" else '"'
        fmt = o.date_format if isinstance(o.date_format, str) else (o.date_format or ["%Y-%m-%d"])[0]
        sfiles = []
        for p in manifest.files_of(s):
            single_byte = enc in ("cp1252", "iso-8859-15", "latin-1")
            transcode = single_byte and enc == "cp1252" and has_c1(p)
            if s.format == "fec" and not o.delimiter:  # tab or |, per file: the analyst looks at each one
                with open(p, "rb") as fh:
                    delim = "\t" if b"\t" in fh.readline() else "|"
            f = {"path": str(p), "encoding": enc, "delimiter": delim, "quote": quote, "transcode": transcode,
                 "duckdb_encoding": "latin-1" if single_byte else "utf-8", "bytes": p.stat().st_size}
            size += f["bytes"]
            sfiles.append(f)
            files.append(f)
        sources.append({"name": s.name, "format": s.format, "files": sfiles, "client": o.client,
                        "dates": {c: fmt for c in o.dates}, "date_roles": dict(o.dates)})
    plan = {"sources": sources, "files": files, "bytes": size, "manifest": str(bench_manifest)}
    (estate / "bench-plan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
    return plan


def workspace_rows(ws: Path) -> dict:
    import duckdb

    try:
        con = duckdb.connect(str(ws / "workspace.duckdb"), read_only=True)
        read, loaded, rejected = con.execute(
            "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected) FROM load_files").fetchone()
        con.close()
        return {"rows_read": int(read or 0), "rows_loaded": int(loaded or 0), "rows_rejected": int(rejected or 0)}
    except Exception as exc:  # noqa: BLE001 - informational only
        return {"error": str(exc)}


def breach_counts(findings_csv: Path) -> dict:
    import csv

    out: dict[str, int] = {}
    if not findings_csv.exists():
        return out
    with open(findings_csv, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("check_id", row.get("check")) == "retention.breach":
                k = f"{row['source']}/{row['activity']}"
                out[k] = out.get(k, 0) + 1
    return out


def stage_lines(log: Path) -> dict:
    """The report's stage lines (``load: 2.1 s``, ``map: skipped, nothing changed (0.0 s)``) from its log."""
    out = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.match(r"^(load|map|check|html|pdf|notebook \S+): (skipped, nothing changed \()?([\d.]+) s\)?$", line)
        if m:
            out[m.group(1)] = ("skipped " if m.group(2) else "") + m.group(3)
    return out


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- one scale

def run_scale(scale: int, work: Path, args) -> dict:
    estate = work / f"scale-{scale}"
    logs = work / "logs" / f"scale-{scale}"
    print(f"scale {scale}: generating", flush=True)
    res: dict = {"scale": scale, "steps": {}}
    gen = generate(estate, scale, logs / "gen.log")
    if gen:
        res["steps"]["gen"] = gen
    expected = yaml.safe_load((estate / "expected.yaml").read_text(encoding="utf-8"))
    res["records_estate"] = sum(expected["records"].values())
    plan = build_plan(estate)
    res["records_delimited"] = sum(expected["records"].get(s["name"], 0) for s in plan["sources"])
    res["bytes_delimited"] = plan["bytes"]
    res["files_delimited"] = len(plan["files"])
    res["transcoded_files"] = sum(f["transcode"] for f in plan["files"])
    steps = args.steps
    rg = cli()
    ws = work / f"ws-{scale}"

    if "a" in steps:
        db = work / f"raw-{scale}.duckdb"
        db.unlink(missing_ok=True)
        print("  (a) raw read_csv", flush=True)
        res["steps"]["a"] = measure([sys.executable, str(HERE / "raw_duckdb.py"), str(estate / "bench-plan.json"), str(db)], logs / "a.log")
        db.unlink(missing_ok=True)
    if "b" in steps:
        shutil.rmtree(ws, ignore_errors=True)
        print("  (b) rgpd-audit load", flush=True)
        res["steps"]["b"] = measure([rg, "load", plan["manifest"], "--workspace", str(ws)], logs / "b.log")
        res["steps"]["b"]["output"] = workspace_rows(ws)
    if "c" in steps:
        print("  (c) rgpd-audit check", flush=True)
        res["steps"]["c"] = measure([rg, "check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(ws / "reports")],
                                    logs / "c.log", ok=(0, 1))
        res["steps"]["c"]["output"] = {"breaches": breach_counts(ws / "reports" / AS_OF / "findings.csv")}
    if "r" in steps:
        print("  (r) rgpd-audit check, retention only", flush=True)
        res["steps"]["r"] = measure([rg, "check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(ws / "reports-r"),
                                     "--check", "retention.breach", "--check", "retention.unverifiable"], logs / "r.log", ok=(0, 1))
    if "d" in steps:
        print("  (d) pandas", flush=True)
        res["steps"]["d"] = measure([sys.executable, str(HERE / "pandas_baseline.py"), str(estate / "bench-plan.json")], logs / "d.log")
    if "e" in steps:
        print("  (e) rgpd-audit report", flush=True)
        help_ok = subprocess.run([rg, "report", "--help"], capture_output=True).returncode == 0
        if help_ok:
            res["steps"]["e"] = measure(
                [rg, "report", "--as-of", AS_OF, "--manifest", plan["manifest"], "--workspace", str(ws), "--out", str(ws / "html")],
                logs / "e.log", ok=(0, 1), timeout=args.report_timeout)
        else:
            res["steps"]["e"] = {"ok": False, "error": "rgpd-audit report --help fails: not measured"}
    if "f" in steps or "g" in steps:
        wsm = work / f"ws-monthly-{scale}"
        if "f" in steps:
            shutil.rmtree(wsm, ignore_errors=True)
            print("  (f) rgpd-audit report, fresh workspace", flush=True)
            res["steps"]["f"] = measure(
                [rg, "report", "--as-of", AS_OF, "--manifest", plan["manifest"], "--workspace", str(wsm),
                 "--out", str(wsm / "html")], logs / "f.log", ok=(0, 1), timeout=args.report_timeout)
        if "g" in steps:
            print("  (g) rgpd-audit report, next month", flush=True)
            res["steps"]["g"] = measure(
                [rg, "report", "--as-of", NEXT_MONTH, "--manifest", plan["manifest"], "--workspace", str(wsm),
                 "--out", str(wsm / "html")], logs / "g.log", ok=(0, 1), timeout=args.report_timeout)
            res["steps"]["g"]["stages"] = stage_lines(Path(res["steps"]["g"]["log"]))
        if "f" in res["steps"]:
            res["steps"]["f"]["stages"] = stage_lines(Path(res["steps"]["f"]["log"]))
            res["report_bytes"] = folder_bytes(wsm / "html" / AS_OF)
        if not args.keep:
            shutil.rmtree(wsm, ignore_errors=True)
    if args.full_estate:
        wsf = work / f"ws-full-{scale}"
        shutil.rmtree(wsf, ignore_errors=True)
        print("  rgpd-audit load/check, whole estate", flush=True)
        res["steps"]["b_full"] = measure([rg, "load", str(estate / "manifest.yaml"), "--workspace", str(wsf)], logs / "b_full.log")
        res["steps"]["b_full"]["output"] = workspace_rows(wsf)
        res["steps"]["c_full"] = measure([rg, "check", "--workspace", str(wsf), "--as-of", AS_OF, "--out", str(wsf / "reports")],
                                         logs / "c_full.log", ok=(0, 1))
        if not args.keep:
            shutil.rmtree(wsf, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(ws, ignore_errors=True)
    return res


# --------------------------------------------------------------------------- machine and report

def machine() -> dict:
    import duckdb
    import pandas

    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
        mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        ram = f"{mem / 1024 / 1024:.1f} GiB"
    except OSError:
        ram = "?"
    return {"cpus": os.cpu_count(), "cpu": cpu, "ram": ram, "os": platform.platform(), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pandas": pandas.__version__}


def fmt_step(s: dict | None) -> str:
    if not s:
        return "–"
    if not s.get("ok") and "wall_s" not in s:
        return "not measured"
    cell = f"{s['wall_s']:.1f} s / {s['cpu_s']:.1f} s / {s['rss_mib']:.0f} MiB"
    return cell if s.get("ok") else cell + f" (exit {s.get('exit')})"


def ratio(x: float | None, y: float | None) -> str:
    return f"{x / y:.2f}" if x and y else "–"


def render(results: list[dict], mach: dict, date: str, label: str) -> str:
    lines = [
        f"Run of {date}{f' ({label})' if label else ''}: {mach['cpus']} cores ({mach['cpu']}), {mach['ram']} RAM, "
        f"{mach['os']}, Python {mach['python']}, DuckDB {mach['duckdb']}, pandas {mach['pandas']}.",
        "",
        "Each cell: wall time / CPU time (user+sys) / peak RSS of the step's process.",
        "",
        "| scale | records (delimited / estate) | delimited files | " + " | ".join(STEP_TITLES[k] for k in ("a", "b", "c", "r", "d", "e")) + " |",
        "|---|---|---|" + "---|" * 6,
    ]
    for r in results:
        st = r["steps"]
        lines.append(
            f"| {r['scale']} | {r['records_delimited']:,} / {r['records_estate']:,} | {r['files_delimited']} files, "
            f"{r['bytes_delimited'] / 2**20:.0f} MiB ({r['transcoded_files']} transcoded) | "
            + " | ".join(fmt_step(st.get(k)) for k in ("a", "b", "c", "r", "d", "e")) + " |"
        )
    lines += ["", "| scale | load / raw read_csv (b/a, wall / CPU) | pandas / (load + check) (d/(b+c), wall / CPU) | "
              "pandas / (load + retention) (d/(b+r), wall / CPU) | load µs per record | generate the estate | whole estate: load / check |",
              "|---|---|---|---|---|---|---|"]
    for r in results:
        st = r["steps"]
        w = {k: (st[k]["wall_s"] if st.get(k, {}).get("ok") else None) for k in ("a", "b", "c", "r", "d")}
        c = {k: (st[k]["cpu_s"] if st.get(k, {}).get("ok") else None) for k in ("a", "b", "c", "r", "d")}

        def both(num: str, *den: str, w=w, c=c) -> str:
            """The ratio num / sum(den), on wall time then on CPU time."""
            out = []
            for t in (w, c):
                d = sum(t[k] for k in den) if all(t[k] for k in den) else None
                out.append(ratio(t[num], d))
            return " / ".join(out)

        per = f"{w['b'] / r['records_delimited'] * 1e6:.1f}" if w["b"] else "–"
        full = f"{fmt_step(st.get('b_full'))} / {fmt_step(st.get('c_full'))}" if "b_full" in st else "not run"
        lines.append(f"| {r['scale']} | {both('b', 'a')} | {both('d', 'b', 'c')} | {both('d', 'b', 'r')} | {per} | {fmt_step(st.get('gen'))} | {full} |")
    if any(k in r["steps"] for r in results for k in ("f", "g")):
        lines += ["", "The monthly job: (f) `report` on a fresh workspace (load, map, check, notebooks, HTML), "
                  "(g) `report` a month later with no export changed.", "",
                  "| scale | (f) first run | (f) / raw read (a), wall / CPU | (b+c+e) / (a), wall | (g) next month | "
                  "(g) / (f), wall / CPU | stages of (g) | report folder |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in results:
            st = r["steps"]
            ok = {k: st[k] for k in ("a", "b", "c", "e", "f", "g") if st.get(k, {}).get("ok")}

            def rat(n, d, key, ok=ok):
                return ratio(ok[n][key], ok[d][key]) if n in ok and d in ok else "–"

            chain = (ratio(sum(ok[k]["wall_s"] for k in "bce"), ok["a"]["wall_s"])
                     if all(k in ok for k in "abce") else "–")
            stages = ", ".join(f"{k} {v}" for k, v in st.get("g", {}).get("stages", {}).items()) or "–"
            size = f"{r['report_bytes'] / 1e6:.2f} MB" if r.get("report_bytes") else "–"
            lines.append(f"| {r['scale']} | {fmt_step(st.get('f'))} | {rat('f', 'a', 'wall_s')} / {rat('f', 'a', 'cpu_s')} | "
                         f"{chain} | {fmt_step(st.get('g'))} | {rat('g', 'f', 'wall_s')} / {rat('g', 'f', 'cpu_s')} | "
                         f"{stages} | {size} |")
    notes = []
    for r in results:
        e = r["steps"].get("e")
        if e and not e.get("ok"):
            notes.append(f"- scale {r['scale']}: report not measured or failed: {e.get('error', '').splitlines()[-1:] or ''}")
        b = r["steps"].get("b", {}).get("output", {})
        d = r["steps"].get("d", {}).get("output", {})
        c = r["steps"].get("c", {}).get("output", {})
        if b:
            kept = f"; pandas kept {d['rows']:,} rows" if "rows" in d else ""  # (d) may not have run
            notes.append(f"- scale {r['scale']}: load read {b.get('rows_read', '?'):,} rows, loaded {b.get('rows_loaded', '?'):,}, "
                         f"rejected {b.get('rows_rejected', '?'):,}{kept}.")
        if c.get("breaches") and d.get("breaches"):
            same = sorted(k for k in d["breaches"] if c["breaches"].get(k, 0) == d["breaches"][k])
            diff = sorted(f"{k} ({c['breaches'].get(k, 0)} vs {d['breaches'][k]})" for k in d["breaches"] if c["breaches"].get(k, 0) != d["breaches"][k])
            notes.append(f"- scale {r['scale']}: retention breaches equal in check and pandas for {len(same)} of {len(d['breaches'])} "
                         f"source/activity pairs" + (f"; differ (check vs pandas): {', '.join(diff)}" if diff else "."))
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def write_doc(path: Path, body: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1] if END in rest else ""
    path.write_text(f"{head}{START}\n{body}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python benchmarks/run.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", type=int, nargs="+", default=[100, 300], help="generator scales (1 ≈ 3,700 records)")
    p.add_argument("--work", type=Path, default=Path("/tmp/rgpd-audit-bench"), help="folder for estates and workspaces")
    p.add_argument("--keep", action="store_true", help="keep generated estates and workspaces")
    p.add_argument("--out", type=Path, help="Markdown file to write the results table into (e.g. docs/benchmarks.md)")
    p.add_argument("--json", type=Path, help="also write the raw results as JSON")
    p.add_argument("--date", default=None, help="date of the run as written in the report (default: today)")
    p.add_argument("--label", default="", help="label of the run (e.g. 'before', 'after')")
    p.add_argument("--steps", nargs="+", default=["a", "b", "c", "r", "d", "e", "f", "g"],
                   choices=["a", "b", "c", "r", "d", "e", "f", "g"])
    p.add_argument("--full-estate", action="store_true", help="also load and check the whole estate (XLSX, mbox…)")
    p.add_argument("--report-timeout", type=float, default=1800, help="seconds before the report step is killed")
    args = p.parse_args(argv)
    date = args.date or dt.date.today().isoformat()  # the only clock read, at the edge
    args.work.mkdir(parents=True, exist_ok=True)
    compile_package()
    mach = machine()
    results = []
    try:
        for scale in args.scales:
            results.append(run_scale(scale, args.work, args))
    finally:
        if not args.keep:
            for scale in args.scales:
                shutil.rmtree(args.work / f"scale-{scale}", ignore_errors=True)
    body = render(results, mach, date, args.label)
    print(body)
    if args.json:
        args.json.write_text(json.dumps({"date": date, "label": args.label, "machine": mach, "results": results}, indent=1), encoding="utf-8")
    if args.out:
        write_doc(args.out, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
