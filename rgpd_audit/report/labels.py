"""Words of the report in French and English (the report's only translatable text)."""

from __future__ import annotations

from ..vocab import LANGS, THEMES, Lang  # noqa: F401 - Lang re-exported for the report's modules

WORDS = {
    "title": ("Rapport d'audit RGPD", "GDPR audit report"),
    "as_of": ("Date de l'audit", "Audit date"),
    "summary": ("Synthèse", "Executive summary"),
    "key_numbers": ("Les chiffres clés", "Key numbers"),
    "changes": ("Ce qui a changé depuis le dernier audit", "What changed since the last audit"),
    "first_audit": ("Premier audit : pas de comparaison possible.", "First audit: nothing to compare with."),
    "urgent": ("Les trois actions les plus urgentes", "The three most urgent actions"),
    "no_urgent": ("Aucune anomalie grave : pas d'action urgente.", "No serious finding: no urgent action."),
    "sources": ("Systèmes audités", "Systems audited"),
    "records": ("Enregistrements chargés", "Records loaded"),
    "rejected": ("Lignes rejetées", "Rows rejected"),
    "findings": ("Anomalies", "Findings"),
    "errors": ("Anomalies graves", "Serious findings"),
    "warnings": ("Points d'attention", "Warnings"),
    "info": ("Informations", "Information"),
    "new": ("Nouvelles", "New"),
    "resolved": ("Résolues", "Resolved"),
    "still_open": ("Toujours ouvertes", "Still open"),
    "previous": ("Audit précédent", "Previous audit"),
    "check": ("Contrôle", "Check"),
    "severity": ("Gravité", "Severity"),
    "count": ("Nombre", "Count"),
    "activity": ("Activité", "Activity"),
    "source": ("Système", "System"),
    "country": ("Pays", "Country"),
    "mechanism": ("Garantie invoquée", "Safeguard claimed"),
    "provider": ("Hébergeur", "Provider"),
    "max_overdue": ("Retard maximal", "Longest delay"),
    "days": ("jours", "days"),
    "up_to": ("jusqu'à", "up to"),
    "late": ("de retard", "late"),
    "cases": ("cas", "cases"),
    "people": ("personnes", "people"),
    "who": ("Qui s'en charge", "Who does it"),
    "legal": ("Texte de référence", "Legal reference"),
    "risk_score": ("Score de risque", "Risk score"),
    "sensitivity": ("Sensibilité des données", "Sensitivity of the data"),
    "sensitivity_special": ("numéro de sécurité sociale ou donnée sensible (santé, syndicat, condamnations)",
                            "social security number or special-category data (health, union, convictions)"),
    "sensitivity_minors": ("données de mineurs", "data about minors"),
    "sensitivity_sensitive_records": ("fichier contenant des données sensibles", "records holding sensitive data"),
    "sensitivity_ordinary": ("données courantes", "ordinary data"),
    "urgent_how": (
        "Classées par risque : gravité × sensibilité des données × nombre de personnes concernées × ancienneté du retard.",
        "Ranked by risk: severity × sensitivity of the data × people affected × how long overdue.",
    ),
    "glossary": ("Comment lire ce rapport", "How to read this report"),
    "glossary_error": (
        "un manquement au RGPD à corriger sans attendre (données gardées trop longtemps, transfert sans garantie, accès non justifié…).",
        "a breach of the GDPR to correct without waiting (data kept too long, transfer without safeguard, unjustified access…).",
    ),
    "glossary_warning": (
        "un risque ou une imprécision à examiner : ce n'est pas forcément un manquement, mais il faut vérifier ou documenter.",
        "a risk or an imprecision to examine: not necessarily a breach, but it must be checked or documented.",
    ),
    "glossary_info": ("un constat utile, sans action attendue.", "a useful observation, no action expected."),
    "trend_table": ("Anomalies à chaque audit", "Findings at each audit"),
    "category": ("Catégorie de données", "Data category"),
    "files": ("Fichiers", "Files"),
    "reason": ("Motif", "Reason"),
    "page": ("Page", "Page"),
    "nothing": ("Rien à signaler.", "Nothing to report."),
    "nothing_loaded": ("Rien n'est chargé dans l'espace de travail.", "Nothing is loaded in the workspace."),
    "no_run": ("Aucun audit enregistré à cette date.", "No audit recorded at this date."),
    "data_map": ("Cartographie des flux de données", "Data flow map"),
    "trend": ("Évolution d'un audit à l'autre", "Trend over audits"),
    "annexes": ("Annexes", "Appendices"),
    "annex_findings": ("Liste détaillée des anomalies (tableur)", "Detailed list of findings (spreadsheet)"),
    "annex_findings_capped": (
        "les {shown} premières par gravité, sur {total} ; toutes dans findings.parquet",
        "the first {shown} by severity, of {total}; all of them in findings.parquet",
    ),
    "annex_notebooks": ("Carnets d'analyse détaillés", "Detailed analysis notebooks"),
    "breaches_by_age": ("Dépassements par activité et ancienneté du retard", "Breaches per activity and age of the delay"),
    "transfers_chart": ("Données hébergées par pays et garantie invoquée", "Data hosted per country and safeguard claimed"),
    "outside_eea": ("hors EEE", "outside the EEA"),
    "unassigned": ("hors activité (contrats, accès, personnel)", "no activity (contracts, access, staff)"),
    "no_mechanism": ("aucune déclarée", "none declared"),
    "footer": (
        "Rapport généré par rgpd-audit. Aucune donnée d'identification n'y figure : les personnes sont désignées par un pseudonyme propre à l'espace de travail.",
        "Report generated by rgpd-audit. It holds no identifying data: people are designated by a pseudonym specific to the workspace.",
    ),
}

BUCKETS = (
    (0, 180, ("moins de 6 mois", "under 6 months")),
    (181, 365, ("6 à 12 mois", "6 to 12 months")),
    (366, 730, ("1 à 2 ans", "1 to 2 years")),
    (731, 1825, ("2 à 5 ans", "2 to 5 years")),
    (1826, None, ("plus de 5 ans", "over 5 years")),
)

def check_lang(lang: str) -> str:
    if lang not in LANGS:
        from ..errors import RgpdAuditError

        raise RgpdAuditError(f"unknown language {lang!r}; use one of: {', '.join(LANGS)}")
    return lang


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def word(key: str, lang: str) -> str:
    return pick(WORDS[key], lang)


def theme_title(theme: str, lang: str) -> str:
    return THEMES.label(theme if theme in THEMES else "other", lang)


# -- numbers, durations and dates as a reader writes them ------------------------------------

NNBSP = "\u202f"  # narrow no-break space: the French thousands separator


def fmt_int(n, lang: str = "fr") -> str:
    """``1393`` → « 1 393 » (French, narrow no-break space) or "1,393" (English)."""
    if n is None:
        return "—"
    s = f"{int(n):,}"
    return s.replace(",", NNBSP) if lang != "en" else s


def fmt_duration(days, lang: str = "fr") -> str:
    """A number of days in years and months: 3911 → « 10 ans et 8 mois » / "10 years and 8 months"."""
    if days is None:
        return "—"
    days = int(days)
    if days < 31:
        unit = ("jour", "jours") if lang != "en" else ("day", "days")
        return f"{days} {unit[days != 1]}"
    months_total = round(days / 30.4375)  # average month (365.25 / 12), to the nearest
    years, months = divmod(months_total, 12)
    if lang == "en":
        parts = [f"{years} year{'s' if years > 1 else ''}"] if years else []
        parts += [f"{months} month{'s' if months > 1 else ''}"] if months else []
        return " and ".join(parts)
    parts = [f"{years} an{'s' if years > 1 else ''}"] if years else []
    parts += [f"{months} mois"] if months else []
    return " et ".join(parts)


def fmt_date(d, lang: str = "fr") -> str:
    """A date as its reader writes it: 27/11/2026 (French) or 2026-11-27 (English)."""
    if d is None:
        return ""
    import datetime as dt

    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    elif isinstance(d, dt.datetime):
        d = d.date()
    elif not isinstance(d, dt.date):  # a pandas Timestamp
        d = d.date()
    return d.strftime("%d/%m/%Y") if lang != "en" else d.isoformat()
