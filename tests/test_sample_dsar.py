"""The people of the sample present in several systems (data/sample/README.md, "Data-subject
requests"): ``rgpd-audit dsar find`` and ``dsar erase-plan`` give what the README says, through
the command line and the API; the example of docs/dsar.md finds its person."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from rgpd_audit.cli import main
from rgpd_audit.dsar import PersonQuery, erase_plan, find_person
from rgpd_audit.policy import load_policy
from rgpd_audit.workspace import Workspace

REPO_DIR = Path(__file__).resolve().parents[1]
EXPECTED = yaml.safe_load((REPO_DIR / "data" / "sample" / "expected.yaml").read_text(encoding="utf-8"))["dsar"]
ROW = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$")


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory):
    from rgpd_audit.ingest import load_estate, load_manifest
    from rgpd_audit.resources import sample_manifest

    path = tmp_path_factory.mktemp("sample_dsar") / "ws"
    with Workspace(path) as ws:
        report = load_estate(ws, load_manifest(sample_manifest()))
        assert not report.failed
    return path


def _cli_rows(output: str) -> list[list[str]]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:3] == ["source", "table", "record"])
    rows = []
    for line in lines[start + 1:]:
        m = ROW.match(line)
        assert m, line
        source, table, record, _activity, match = m.groups()
        rows.append([source, table, record, match])
    return rows


def _args(args: dict) -> list[str]:
    return [x for k, v in args.items() for x in (f"--{k.replace('_', '-')}", v)]


@pytest.mark.parametrize("q", EXPECTED["find"], ids=lambda q: f"{q['who']}-{len(q['args'])}")
def test_find_on_the_sample_through_the_command_line(sample_ws, q):
    res = CliRunner().invoke(main, ["dsar", "find", "--workspace", str(sample_ws), *_args(q["args"])])
    assert res.exit_code == 0, res.output
    assert f"records: {len(q['rows'])}  weak candidates: 0" in res.output
    assert _cli_rows(res.output) == q["rows"]


@pytest.mark.parametrize("q", EXPECTED["find"], ids=lambda q: f"{q['who']}-{len(q['args'])}")
def test_find_on_the_sample_through_the_api(sample_ws, q):
    with Workspace(sample_ws, create=False) as ws:
        found = find_person(ws, PersonQuery.make(**q["args"]))
    df = found.to_frame()
    assert df[["source", "table", "record", "match"]].values.tolist() == q["rows"]
    assert not found.weak


def test_a_name_alone_is_weak_everywhere_it_is_written(sample_ws):
    """Every spelling of her name, in any order, is found — as a weak candidate only."""
    full = next(q for q in EXPECTED["find"] if "name" in q["args"])
    with Workspace(sample_ws, create=False) as ws:
        found = find_person(ws, PersonQuery.make(name="Aïssa N'Diaye"))
    assert not found.strong
    named = {(s, t, r) for s, t, r, match in full["rows"] if any(x.startswith("name") for x in match.split(" + "))}
    assert {(m.source, m.table, m.record) for m in found.weak} == named and len(named) == 6


def _check_plan(data: dict, rows: list[dict]) -> None:
    items: dict[tuple, list[dict]] = {}
    for i in data["items"]:
        items.setdefault((i["source"], i["record"]), []).append(i)
    assert sorted(items) == sorted({(r["source"], r["record"]) for r in rows})
    for r in rows:
        mine = items[(r["source"], r["record"])]
        listed = {f for o in rows if (o["source"], o["record"]) == (r["source"], r["record"]) and isinstance(o["fields"], list)
                  for f in o["fields"]}
        if r["fields"] == "all":
            assert {i["action"] for i in mine} == {r["action"]}, r
        elif r["fields"] == "message":
            assert [(i["unit"], i["action"]) for i in mine] == [("message", r["action"])], r
        elif r["fields"] == "others":
            assert {i["field"] for i in mine if i["action"] == r["action"]} == {i["field"] for i in mine} - listed, r
        else:
            assert {i["field"] for i in mine if i["action"] == r["action"]} == set(r["fields"]), r
        chosen = [i for i in mine if i["action"] == r["action"]]
        assert chosen and {i["keep_until"] for i in chosen} == {r["until"]}, r


@pytest.mark.parametrize("p", EXPECTED["erase_plan"], ids=lambda p: p["who"])
def test_erase_plan_on_the_sample_through_the_command_line(sample_ws, tmp_path, p):
    res = CliRunner().invoke(main, ["dsar", "erase-plan", "--workspace", str(sample_ws), *_args(p["args"]),
                                    "--as-of", EXPECTED["as_of"], "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert f"{len({(r['source'], r['record']) for r in p['rows']})} record(s):" in res.output
    _check_plan(json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8")), p["rows"])
    for f in tmp_path.iterdir():  # the person by her pseudonym only
        text = f.read_text(encoding="utf-8").lower()
        assert p["args"]["email"] not in text and "ndiaye" not in text


@pytest.mark.parametrize("p", EXPECTED["erase_plan"], ids=lambda p: p["who"])
def test_erase_plan_on_the_sample_through_the_api(sample_ws, p):
    with Workspace(sample_ws, create=False) as ws:
        plan = erase_plan(ws, load_policy(), PersonQuery.make(**p["args"]), as_of=dt.date.fromisoformat(EXPECTED["as_of"]))
    _check_plan(plan.to_dict(), p["rows"])


def test_the_documented_example_finds_its_person(sample_ws):
    """docs/dsar.md's `dsar find` example, run on the sample, finds the person of the README."""
    doc = (REPO_DIR / "docs" / "dsar.md").read_text(encoding="utf-8")
    line = next(x for x in doc.splitlines() if x.startswith("rgpd-audit dsar find "))
    res = CliRunner().invoke(main, ["dsar", "find", "--workspace", str(sample_ws), *shlex.split(line)[3:]])
    assert res.exit_code == 0, res.output
    found = {(r[0], r[2]) for r in _cli_rows(res.output)}
    full = next(q for q in EXPECTED["find"] if "name" in q["args"])
    assert found == {(r[0], r[2]) for r in full["rows"]}
