"""The notebooks' tables as a manager reads them in the report's annexes.

The views of :mod:`rgpd_audit.report.panels` return tables an analyst works with: column
names and values are identifiers (``rows_loaded``, ``crm_contacts``, ``user.health``,
``retention.breach``). In an annex of the report — read by managers, in French by default —
each table is shown instead with:

- the identifier columns that have a worded twin left out (``check_id`` next to ``check``,
  ``category`` next to ``category_label``, ``source`` next to ``title``…) and the
  bookkeeping ones (``run_id``, the workspace's folder);
- the other identifiers in words: a system by its title, an activity by its title, a data
  category by its label, a severity, a use of a source, yes/no;
- the columns named in the report's language (:data:`COLUMNS`), numbers written the French
  way in French, no index column, empty cells for missing values.

Only the report's own rendering of the notebooks applies it (``rgpd-audit report``: the
in-process shell's HTML formatter for DataFrames, see :func:`formatter`; a report started
from a kernel injects :func:`install` into each notebook it runs with papermill); the
notebooks opened in JupyterLab keep the analyst's identifiers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from .. import vocab
from . import catalogue
from .labels import fmt_date, fmt_int

# A view's column -> (French, English) heading in an annex.
COLUMNS: dict[str, tuple[str, str]] = {
    "as_of": ("Date de l'audit", "Audit date"),
    "sources": ("Systèmes", "Systems"),
    "rows_loaded": ("Lignes chargées", "Rows loaded"),
    "rows_read": ("Lignes lues", "Rows read"),
    "rows_rejected": ("Lignes rejetées", "Rows rejected"),
    "pct_rejected": ("% rejeté", "% rejected"),
    "message": ("Remarque", "Note"),
    "source": ("Système", "System"),
    "title": ("Système", "System"),
    "format": ("Format", "Format"),
    "activities": ("Activités", "Activities"),
    "activity": ("Activité", "Activity"),
    "activity_title": ("Activité", "Activity"),
    "use": ("Usage", "Use"),
    "provider": ("Hébergeur", "Provider"),
    "country": ("Pays", "Country"),
    "country_label": ("Pays", "Country"),
    "outside_eea": ("Hors EEE", "Outside the EEA"),
    "files": ("Fichiers", "Files"),
    "file": ("Fichier", "File"),
    "encoding": ("Encodage", "Encoding"),
    "status": ("État", "Status"),
    "field": ("Champ", "Field"),
    "reason": ("Motif", "Reason"),
    "reason_label": ("Motif", "Reason"),
    "rows": ("Lignes", "Rows"),
    "records": ("Enregistrements", "Records"),
    "category": ("Catégorie de données", "Data category"),
    "category_label": ("Catégorie de données", "Data category"),
    "columns": ("Colonnes", "Columns"),
    "confirmed": ("Confirmées", "Confirmed"),
    "breaches": ("Hors délai", "Overdue"),
    "unverifiable": ("Invérifiables", "Unverifiable"),
    "max_days_overdue": ("Retard maximal (jours)", "Longest delay (days)"),
    "age": ("Retard", "Delay"),
    "count": ("Nombre", "Count"),
    "check": ("Contrôle", "Check"),
    "check_id": ("Contrôle", "Check"),
    "severity": ("Gravité", "Severity"),
    "findings": ("Anomalies", "Findings"),
    "mechanism": ("Garantie invoquée", "Safeguard claimed"),
    "hits": ("Mentions", "Mentions"),
    "label": ("Indicateur", "Indicator"),
    "value": ("Valeur", "Value"),
    "rank": ("Rang", "Rank"),
    "action": ("Action", "Action"),
    "detail": ("Constat", "Finding"),
    "who": ("Qui s'en charge", "Who does it"),
    "legal": ("Texte de référence", "Legal reference"),
    "score": ("Score de risque", "Risk score"),
    "sensitivity": ("Sensibilité des données", "Sensitivity of the data"),
    "theme": ("Thème", "Theme"),
    "people": ("Personnes", "People"),
    "overdue": ("Retard", "Delay"),
    "error": ("Graves", "Serious"),
    "warning": ("Points d'attention", "Warnings"),
    "info": ("Informations", "Information"),
    "total": ("Total", "Total"),
    "current": ("Cet audit", "This audit"),
    "previous": ("Audit précédent", "Previous audit"),
    "new": ("Nouvelles", "New"),
    "resolved": ("Résolues", "Resolved"),
    "still_open": ("Toujours ouvertes", "Still open"),
}
# An identifier column left out when its worded twin is in the table.
TWINS = {"check_id": "check", "key": "label", "mechanism_id": "mechanism", "reason_code": "reason_label",
         "reason": "reason_label", "category": "category_label", "country": "country_label", "source": "title",
         "activity": "activity_title"}
# Bookkeeping columns, never shown to a reader of the report.
HIDDEN = {"run_id", "workspace", "key"}
STATUSES = {"loaded": ("chargé", "loaded"), "unchanged": ("inchangé", "unchanged"), "failed": ("en échec", "failed"),
            "empty": ("vide", "empty")}
YES_NO = {True: ("oui", "yes"), False: ("non", "no")}


@dataclass
class Context:
    """What the tables' identifiers are called, for one report."""

    lang: str = "fr"
    sources: dict[str, str] = field(default_factory=dict)  # system id -> title
    activities: dict[str, str] = field(default_factory=dict)  # activity id -> title


# Columns whose text is a date (a view may give one as ISO text rather than a date)
DATE_COLUMNS = frozenset({"as_of", "reference_date", "deadline", "received", "modified", "created"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _missing(v) -> bool:
    try:
        return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))
    except (TypeError, ValueError):
        return False


def _each(value: str, names: dict[str, str]) -> str:
    """``value``, or each of its comma-separated parts, by its name in ``names``."""
    if value in names:
        return names[value]
    if "," not in value:
        return value
    return ", ".join(names.get(x.strip(), x.strip()) for x in value.split(",") if x.strip())


def _words(column: str, v, ctx: Context):
    """One cell of ``column`` in words."""
    i = 0 if ctx.lang == "fr" else 1
    if _missing(v):
        return ""
    if isinstance(v, dt.date) or (isinstance(v, str) and column in DATE_COLUMNS and _ISO_DATE.match(v)):
        return fmt_date(v, ctx.lang)  # 27/11/2026 in French, as the report's page writes it
    if column in ("source", "title", "sources") and isinstance(v, str):  # one system or several
        return _each(v, ctx.sources)
    if column in ("activity", "activity_title", "activities") and isinstance(v, str):
        return _each(v, ctx.activities)
    if column in ("category", "category_label") and isinstance(v, str) and v.startswith("user."):
        return catalogue.category(v, ctx.lang)
    if column in ("check", "check_id") and isinstance(v, str) and v in catalogue.checks():
        return catalogue.check_title(v, ctx.lang)
    if column == "severity" and v in vocab.SEVERITIES:
        return catalogue.severity(v, ctx.lang)
    if column == "use" and v in vocab.SOURCE_USES:
        return vocab.SOURCE_USES.label(v, ctx.lang)
    if column == "status" and v in STATUSES:
        return STATUSES[v][i]
    if column == "format" and isinstance(v, str):
        return v.replace("_", " ")
    if isinstance(v, bool):
        return YES_NO[v][i]
    if isinstance(v, int) and not isinstance(v, bool):
        return fmt_int(v, ctx.lang)
    if isinstance(v, float):
        if v.is_integer():
            return fmt_int(int(v), ctx.lang)
        text = f"{v:,.1f}".replace(",", "\u202f") if ctx.lang == "fr" else f"{v:,.1f}"
        return text.replace(".", ",") if ctx.lang == "fr" else text
    return v


def present(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """``df`` as a reader of the report sees it (columns left out, identifiers in words,
    headings in the report's language)."""
    cols = [c for c in df.columns
            if c not in HIDDEN and not (c in TWINS and TWINS[c] in df.columns)
            and not (c == "message" and df[c].fillna("").astype(str).str.strip().eq("").all())]
    out = pd.DataFrame({c: [_words(c, v, ctx) for v in df[c].tolist()] for c in cols}, index=range(len(df)))
    i = 0 if ctx.lang == "fr" else 1
    out.columns = [COLUMNS[c][i] if c in COLUMNS else c for c in cols]
    return out


def to_html(df: pd.DataFrame, ctx: Context) -> str:
    """The table of an annex: ``present`` then HTML without the index (values escaped)."""
    shown = present(df, ctx)
    if shown.empty and not len(shown.columns):
        return ""
    return shown.to_html(index=False, escape=True, na_rep="", classes="dataframe", border=0)


def context_for(workspace, policy, lang: str) -> Context:
    """The names of one report's systems and activities, as the views name them (read once,
    before the notebooks)."""
    from .panels import _activity_titles, source_titles

    return Context(lang=lang, sources=source_titles(workspace) if workspace is not None else {},
                   activities=_activity_titles(policy, lang))


def install(workspace: str = "", policy: str = "", lang: str = "fr") -> None:
    """Word the tables of the notebook running in this kernel as the report's annexes do: what
    the report injects, after the parameters, into a notebook it runs in a kernel of its own
    (a report started from JupyterLab, with papermill), where the in-process shell's formatter
    (:func:`rgpd_audit.report.inprocess.execute_inprocess`) is not there. Shows nothing."""
    from IPython import get_ipython

    from .handle import find
    from .panels import open_policy

    shell = get_ipython()
    if shell is None:
        return
    with find(workspace, lang).session() as (opened, _problem):
        ctx = context_for(opened, open_policy(policy), lang)
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, formatter(ctx))


def formatter(ctx: Context):
    """An IPython HTML formatter for DataFrames giving :func:`to_html` (``escape``d text)."""
    def fmt(df):
        try:
            return to_html(df, ctx)
        except Exception:  # noqa: BLE001 - a table that cannot be worded is shown as pandas shows it
            return df.to_html(escape=True)
    return fmt


