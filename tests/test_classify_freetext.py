"""Free-text scan: special categories per record, in SQL, with masked excerpts."""

from __future__ import annotations

import re

from rgpd_audit.mapping.classify import suggest

SRC = """
- name: cands
  format: csv
  path: a.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {delimiter: ";"}
"""

COMMENTS = {
    1: ("Enceinte de 4 mois, à recontacter après son congé maternité.", "user.health", "pregnancy"),
    2: ("RQTH (problème de dos), pas de port de charges lourdes.", "user.health", "disability"),
    3: ("A signalé un casier judiciaire (vol, 2017) lors de l'entretien.", "user.criminal_history", "criminal_record"),
    4: ("Ancien délégué syndical CGT chez son précédent employeur.", "user.demographic.union_membership", "union"),
    5: ("Diabétique, demande des pauses régulières.", "user.health", "illness"),
    6: ("Sort d'un ARRÊT MALADIE de 6 mois (burn-out). Joindre marie.durand@example.fr ou 06 12 34 56 78",
        "user.health", "sick_leave"),
    7: ("Musulmane pratiquante, ne travaille pas pendant le ramadan.", "user.demographic.religious_belief", "religion"),
    8: ("B3 vu : oui", "user.criminal_history", "b3_seen"),
    9: ("Militant au parti communiste depuis 2010.", "user.demographic.political_opinion", "political"),
    10: ("Adhérent CFDT, hospitalisé en mars.", None, None),  # two categories, one row each
    11: ("Condamné en 2019, sorti de prison l'an dernier.", "user.criminal_history", "criminal_record"),
    12: ("Candidate d'origine maghrébine.", "user.demographic.race_ethnicity", "ethnic_origin"),
}
NEUTRAL = [
    "Il est parti en vacances", "Fait partie de l'équipe logistique", "Client CGTX, voir le devis",
    "Prière de rappeler avant midi", "Pratiquant le judo en club", "Enceinte bluetooth fournie pour le salon",
    "Travaille dans l'enceinte de l'usine", "Syndic de copropriété à relancer", "Bon profil, disponible immédiatement.",
    "Partira en mission à Lyon", "Forte motivation, partir vite", "Contrat FOURNI", "La partie RH est OK",
]


def _load(load_tiny):
    rows = ["Nom;Commentaires"]
    texts = [c[0] for c in COMMENTS.values()] + NEUTRAL
    for i, t in enumerate(texts):
        rows.append(f'Personne{i};"{t}"')
    return load_tiny(SRC, {"a.csv": "\n".join(rows) + "\n"})[0]


def test_hits_per_record(load_tiny):
    ws = _load(load_tiny)
    report = suggest(ws)
    hits = ws.con.execute(
        "SELECT row_no, category, term, excerpt, activity, column_name, source, table_name, file_id FROM special_hits ORDER BY row_no, category"
    ).fetchall()
    by_row: dict[int, list] = {}
    for h in hits:
        by_row.setdefault(h[0], []).append(h)
    for row, (_, cat, term) in COMMENTS.items():
        assert row in by_row, f"no hit on record {row}: {COMMENTS[row][0]}"
        if cat:
            assert (cat, term) in [(h[1], h[2]) for h in by_row[row]], (row, by_row[row])
    assert {h[1] for h in by_row[10]} == {"user.health", "user.demographic.union_membership"}
    assert len(by_row[10]) == 2
    neutral_rows = set(range(len(COMMENTS) + 1, len(COMMENTS) + len(NEUTRAL) + 1))
    assert not (neutral_rows & set(by_row)), [by_row[r] for r in neutral_rows & set(by_row)]
    assert all(h[4] == "candidates" and h[5] == "Commentaires" and h[6] == "cands" and h[8] is not None for h in hits)
    assert report.special_hits == len(hits)


def test_excerpts_are_masked(load_tiny):
    ws = _load(load_tiny)
    suggest(ws)
    excerpts = [e for (e,) in ws.con.execute("SELECT excerpt FROM special_hits").fetchall()]
    assert excerpts and all(e for e in excerpts)
    for e in excerpts:
        assert "@" not in e
        assert not re.search(r"\d{3,}", e)
        assert "06 12" not in e
    six = ws.con.execute("SELECT excerpt FROM special_hits WHERE row_no = 6").fetchone()[0]
    assert "arrêt maladie".upper() in six.upper() or "ARRÊT MALADIE" in six


def test_scan_is_sql_over_every_record(load_tiny):
    """A big column is scanned entirely (not a sample): the hit on the last record is found."""
    n = 30_000
    body = "\n".join(f"P{i};RAS" for i in range(n - 1)) + f"\nP{n};Reconnue travailleur handicapé\n"
    ws, _ = load_tiny(SRC, {"a.csv": "Nom;Commentaires\n" + body})
    suggest(ws)
    rows = ws.con.execute("SELECT row_no, term FROM special_hits").fetchall()
    assert rows == [(n, "disability")]
