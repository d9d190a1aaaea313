"""The report notebooks' texts in English, for the annexes of an English report.

The notebooks under ``notebooks/`` are written in French (their readers are); an annex of a
report made with ``--lang en`` shows each markdown cell of the bundled notebooks through this
table, keyed by the cell's exact French text. A cell not found here (a notebook of the
user's, an edited cell) is shown as written; ``tests/test_report_annex_words.py`` checks every
markdown cell of the bundled report notebooks has its entry.
"""

from __future__ import annotations

EN: dict[str, str] = {
    "# 00 — Chargement et qualité des exports\n\nFichiers lus, lignes lues / chargées / rejetées, rejets par motif. "
    "Les lignes rejetées ne sont jamais affichées : seulement leur nombre et le motif, valeurs retirées.":
        "# 00 — Loading and quality of the exports\n\nFiles read, rows read / loaded / rejected, rejections by reason. "
        "Rejected rows are never shown: only their number and the reason, values removed.",
    "## Sources déclarées dans le manifeste": "## Sources declared in the manifest",
    "## Lignes par système": "## Rows per system",
    "## Fichiers chargés": "## Files loaded",
    "## Rejets par motif": "## Rejections by reason",
    "# 10 — Cartographie des données\n\nSystèmes × activités du registre × pays d'hébergement.":
        "# 10 — Data map\n\nSystems × activities of the register × hosting countries.",
    "## Enregistrements par système et activité": "## Records per system and activity",
    "## Flux : systèmes → activités → pays": "## Flows: systems → activities → countries",
    "## Catégories de données par système (classification des colonnes)":
        "## Data categories per system (classification of the columns)",
    "# 20 — Durées de conservation\n\nDépassements par activité et ancienneté, enregistrements invérifiables par système.":
        "# 20 — Retention periods\n\nOverdue records by activity and by how long, unverifiable records by system.",
    "## Dépassements et cas invérifiables par activité": "## Overdue and unverifiable records by activity",
    "## Ancienneté des dépassements": "## How long overdue",
    "## Conservation invérifiable, par système": "## Retention that cannot be verified, by system",
    "## Anomalies du thème, par contrôle et système": "## Findings of the theme, by check and system",
    "# 30 — Transferts, accès et données sensibles": "# 30 — Transfers, access and special categories",
    "## Hébergement par pays et garantie invoquée": "## Hosting by country and safeguard claimed",
    "## Anomalies de transfert": "## Transfer findings",
    "## Anomalies d'accès et de partage": "## Access and sharing findings",
    "## Données sensibles détectées (comptes)": "## Special-category data found (counts)",
    "## Anomalies sur les données sensibles": "## Findings on special-category data",
    "# 40 — Synthèse pour la direction\n\nLes chiffres clés, les actions urgentes, ce qui a changé depuis le dernier audit.":
        "# 40 — Summary for management\n\nKey numbers, urgent actions, what changed since the last audit.",
    "## Chiffres clés": "## Key numbers",
    "## Les actions les plus urgentes": "## The most urgent actions",
    "## Anomalies par contrôle": "## Findings by check",
    "## Nouvelles, résolues, toujours ouvertes": "## New, resolved, still open",
    "## Évolution d'un audit à l'autre": "## From one audit to the next",
}


def texts(lang: str) -> dict[str, str] | None:
    """The markdown cells' texts for an annex in ``lang`` (None: as the notebooks are written)."""
    return EN if lang == "en" else None
