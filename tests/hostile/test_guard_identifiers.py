"""Hostile corpus — the report's identifier guard knows an identifier as the classifier does.

French and international phone forms (``+33 (0)6 …``, ``(+33) 6 …``, ``06/12/34/56/78``) and
NIRs written with separators (checked with their key) are found in any report text, titles
from the manifest included, by the validators of ``mapping/classify/values.py``; dates,
amounts, SIRET/SIREN and postal codes are not.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from stdnum.fr import nir as stdnum_nir

from rgpd_audit.mapping.classify import values as V
from rgpd_audit.report.guard import MASK, IdentifierLeak, assert_no_identifiers, find_identifiers, redact
from tests.hostile.harness import one_line_error, run_cli

NIR13 = "1850578006084"
NIR = NIR13 + stdnum_nir.calc_check_digits(NIR13)  # 185057800608491
FOUND = [
    ("phone", "+33 (0)6 12 34 56 78"),
    ("phone", "(+33) 6 12 34 56 78"),
    ("phone", "06/12/34/56/78"),
    ("phone", "06 12 34 56 78"),
    ("phone", "06.12.34.56.78"),
    ("phone", "0033 6 12 34 56 78"),
    ("phone", "+33612345678"),
    ("phone", "+44 20 7946 0958"),
    ("phone", "+1 (415) 555-0100"),
    ("NIR", "1-85-05-78-006-084-91"),
    ("NIR", "1 85 05 78 006 084 91"),
    ("NIR", "1.85.05.78.006.084.91"),
    ("NIR", NIR),
    ("e-mail", "jean.dupont@example.fr"),
    ("IBAN", "FR76 3000 6000 0112 3456 7890 189"),
    ("IBAN", "FR7630006000011234567890189"),
]
NOT_FOUND = [
    "27/11/2026", "2026-11-27", "01/02/2019-03/04/2020", "du 01/02/2019 au 03/04/2020", "2019-01-02 03:04:05",
    "1 234 567,89 €", "12 345,00", "0,0612345678", "x: [0.0612345678, 1.0612345678]",
    "SIRET 732 829 320 00074", "73282932000074", "SIREN 732 829 320", "75015 Paris", "CEDEX 06",
    "1-85-05-78-006-084-92",                      # a NIR's shape, wrong key
    "FR76 3000 6000 0112 3456 7890 188",          # an IBAN's shape, wrong checksum
    '"bdata":"AAAAAAAA8D8AAAAAAAAAQA06123456789AAAA"', "AAAA+33612345678AAAA",
    "P-CE1698F65F", "run 2026-11-27, 930 findings, 3911 jours", "v1.0.612345678",
]


@pytest.mark.parametrize("kind, value", FOUND)
@pytest.mark.parametrize("around", ["{}", "<td>{}</td>", "Tél. : {}.", "CRM de Jean ({})"])
def test_found_masked_and_refused_never_shown(kind, value, around):
    text = around.format(value)
    assert find_identifiers(text) == [(kind, value)]
    masked = redact(text)
    assert value not in masked and MASK in masked and find_identifiers(masked) == []
    with pytest.raises(IdentifierLeak) as exc:
        assert_no_identifiers(text, "index.html")
    msg = str(exc.value)
    assert kind in msg and value not in msg and "\n" not in msg
    assert not re.search(r"\d{2}\D?\d{2}\D?\d{2}", msg.split("near", 1)[1])  # the excerpt shows no piece of it


@pytest.mark.parametrize("text", NOT_FOUND)
def test_no_false_positive(text):
    assert find_identifiers(text) == []
    assert redact(text) == text
    assert_no_identifiers(text, "x")


def test_one_place_knows_what_an_identifier_is():
    """What the guard finds, the classifier's validator of that kind accepts; a column of those
    forms is classified as that kind."""
    kinds = {"phone": "phone", "NIR": "nir", "e-mail": "email", "IBAN": "iban"}
    for kind, value in FOUND:
        assert V.KIND_BY_NAME[kinds[kind]].check(value), value
    phones = [v for k, v in FOUND if k == "phone"]
    nirs = [v for k, v in FOUND if k == "NIR"]
    assert V.score(phones)["phone"] == len(phones)
    assert V.score(nirs)["nir"] == len(nirs)
    for text in NOT_FOUND:  # and nothing the guard lets through is one of them
        assert not any(V.KIND_BY_NAME[k].check(text) for k in ("phone", "nir", "email", "iban")), text


def test_several_on_a_line_and_next_to_each_other():
    text = "Tél +33 6 12 34 56 78 07 98 76 54 32, NIR 1-85-05-78-006-084-91; jean.dupont@example.fr"
    assert [k for k, _ in find_identifiers(text)] == ["phone", "phone", "NIR", "e-mail"]
    assert redact(text) == f"Tél {MASK} {MASK}, NIR {MASK}; {MASK}"


def _estate(root: Path, titles: dict[str, str]) -> Path:
    (root / "cands.csv").write_text("id;email;contact\n1;a@example.fr;01/01/2020\n", encoding="utf-8")
    (root / "crm.csv").write_text("id;email;contact\n1;b@example.fr;01/01/2026\n", encoding="utf-8")
    sources = "".join(textwrap.dedent(f"""\
          - name: {name}
            title: {title!r}
            format: csv
            path: {name}.csv
            activities: [candidates]
            hosting: {{provider: INTER INTERIM, country: FR}}
            options: {{key: id, subject: {{email: email}}, dates: {{contact: last_activity}}}}
        """) for name, title in titles.items())
    m = root / "manifest.yaml"
    m.write_text("version: 1\nname: guard\norganisation: {name: INTER INTERIM, domains: [inter-interim.example.fr]}\n"
                 "sources:\n" + textwrap.indent(sources, "  "), encoding="utf-8")
    return m


def test_a_report_whose_manifest_titles_hold_identifiers_is_refused(tmp_path):
    titles = {"cands": "Candidats de Jean (+33) 6 12 34 56 78", "crm": "CRM NIR 1-85-05-78-006-084-91"}
    m = _estate(tmp_path, titles)
    out = tmp_path / "out"
    proc = run_cli(["report", "--manifest", str(m), "--workspace", str(tmp_path / "ws"), "--out", str(out),
                    "--as-of", "2026-11-27"], cwd=tmp_path, timeout=600)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    line = one_line_error(proc)
    assert "index.html: refusing to write a report containing" in line and "NIR" in line and "phone" in line, line
    for value in ("6 12 34 56 78", "85-05-78", "006-084-91"):
        assert value not in proc.stdout + proc.stderr
    assert not (out / "2026-11-27" / "index.html").exists()
