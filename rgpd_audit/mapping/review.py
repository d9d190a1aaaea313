"""Reviewing the field mapping in a notebook: an ipywidgets form over the undecided columns.

>>> review = MappingReview(".rgpd-audit")          # mapping file: .rgpd-audit/mapping.yaml
>>> review.widget                                   # display it in JupyterLab

One row per column still to review (``needs_review``: special categories first, least
sure first), showing the source, the column, the suggested category, its confidence, the
rule that fired and one masked example (from ``column_map``; raw values are never read).
The analyst accepts the suggestion, picks another category in the catalogue (labels in
``lang``) or marks the column as not personal, then saves: the decisions are written to
the mapping file as ``confirmed`` / ``not_personal`` entries and applied to the workspace
through ``rgpd_audit.mapping.sync_mapping``, so later suggestion runs keep them.

The same methods (``accept``, ``set_category``, ``mark_not_personal``, ``save``) serve the
buttons and scripts or tests. The workspace is opened only for the duration of each
operation, so a notebook kernel never keeps DuckDB's lock between clicks.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets

from ..policy import categories
from ..workspace import Workspace
from .classify import ReviewRow, needs_review
from .classify.suggest import SUBJECT_CATEGORIES
from .file import DECIDED, ColumnEntry, read_mapping, sync_mapping, write_mapping_file

TEXTS = {
    "fr": {
        "head": ("Source", "Colonne", "Catégorie suggérée", "Confiance", "Règle", "Exemple masqué", "Catégorie"),
        "accept": "Accepter", "not_personal": "Non personnel", "save": "Enregistrer",
        "none": "(aucune catégorie)", "accepted": "accepté", "changed": "catégorie modifiée",
        "marked": "non personnel", "nothing": "Aucune colonne à revoir.",
        "pending": "{n} colonne(s) à revoir ; {d} décision(s) non enregistrée(s).",
        "saved": "Enregistré : {d} décision(s) dans {path} ; {n} colonne(s) restent à revoir.",
        "error": "Erreur : {exc}",
    },
    "en": {
        "head": ("Source", "Column", "Suggested category", "Confidence", "Rule", "Masked example", "Category"),
        "accept": "Accept", "not_personal": "Not personal", "save": "Save",
        "none": "(no category)", "accepted": "accepted", "changed": "category changed",
        "marked": "not personal", "nothing": "No column to review.",
        "pending": "{n} column(s) to review; {d} unsaved decision(s).",
        "saved": "Saved: {d} decision(s) to {path}; {n} column(s) left to review.",
        "error": "Error: {exc}",
    },
}
WIDTHS = ("9em", "12em", "16em", "6em", "11em", "11em", "20em")


@dataclass(frozen=True)
class Decision:
    """What the analyst decided for one row, before it is saved."""

    status: str            # confirmed | not_personal
    category: str | None
    how: str               # accepted | changed | marked (for the row's state label)


def _sort_key(label: str) -> str:
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().casefold()


def _subject_key(entry: ColumnEntry, category: str | None) -> bool:
    """A decided column identifies the person if its category does, or if the manifest said so."""
    if category is None:
        return False
    declared = entry.subject_key and entry.category not in SUBJECT_CATEGORIES  # options.subject
    return declared or category in SUBJECT_CATEGORIES


class MappingReview:
    """The review form of one workspace and one mapping file (default ``<workspace>/mapping.yaml``)."""

    def __init__(self, ws_path: str | Path, mapping_path: str | Path | None = None, lang: str = "fr"):
        if lang not in TEXTS:
            raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(TEXTS)}")
        self.ws_path = Path(ws_path)
        self.mapping_path = Path(mapping_path) if mapping_path else self.ws_path / "mapping.yaml"
        self.lang = lang
        self.t = TEXTS[lang]
        cats = categories()
        self.labels = {name: c.en if lang == "en" else c.fr for name, c in cats.items()}
        self.choices = [(self.t["none"], None)] + sorted(
            ((label, name) for name, label in self.labels.items()), key=lambda o: _sort_key(o[0]))
        self.rows: list[ReviewRow] = []
        self.decisions: dict[int, Decision] = {}
        self.status = widgets.Label()
        self.save_button = widgets.Button(description=self.t["save"], button_style="primary", icon="save")
        self.save_button.on_click(lambda _b: self._safely(self.save))
        self.widget = widgets.VBox(layout=widgets.Layout(width="100%"))
        self._dropdowns: list[widgets.Dropdown] = []
        self._states: list[widgets.Label] = []
        self._quiet = False
        self.reload()

    # -- the operations (used by the buttons, scripts and tests) ------------------------
    def reload(self) -> None:
        """Read the columns to review again; unsaved decisions are dropped."""
        with Workspace(self.ws_path, create=False) as ws:
            rows = needs_review(ws)
        if self.mapping_path.exists():  # decisions already in the file but not yet applied
            decided = {(t, c) for t, te in read_mapping(self.mapping_path).tables.items()
                       for c, e in te.columns.items() if e.status in DECIDED or e.edited}
            rows = [r for r in rows if (r.table, r.column) not in decided]
        self.rows, self.decisions = rows, {}
        self._build()
        self._show(self.t["pending"].format(n=len(self.rows), d=0) if self.rows else self.t["nothing"])

    def accept(self, i: int) -> Decision:
        """Confirm row ``i`` with the category its dropdown shows (no category = not personal)."""
        category = self._dropdowns[self._index(i)].value
        if category is None:
            return self.mark_not_personal(i)
        return self._decide(i, Decision("confirmed", category, "accepted"))

    def set_category(self, i: int, category: str | None) -> Decision:
        """Give row ``i`` another category of the catalogue (``None`` = not personal); it becomes confirmed."""
        if category is None:
            return self.mark_not_personal(i)
        if category not in self.labels:
            raise ValueError(f"unknown data category {category!r}")
        return self._decide(i, Decision("confirmed", category, "changed"))

    def mark_not_personal(self, i: int) -> Decision:
        """Mark row ``i``'s column as not personal data."""
        return self._decide(i, Decision("not_personal", None, "marked"))

    def save(self) -> Path:
        """Write the decisions to the mapping file, apply them to the workspace, reload the rows."""
        path = self.mapping_path
        decisions = {(self.rows[i].table, self.rows[i].column): d for i, d in self.decisions.items()}
        with Workspace(self.ws_path, create=False) as ws:
            sync_mapping(ws, path)  # the file exists and lists every loaded column
            mapping = read_mapping(path)
            for (table, column), d in decisions.items():
                entry = mapping.tables[table].columns[column]
                mapping.tables[table].columns[column] = entry.model_copy(update={
                    "status": d.status, "category": d.category, "subject_key": _subject_key(entry, d.category)})
            write_mapping_file(mapping, path)
            sync_mapping(ws, path)  # applies the decisions to column_map (and the free-text scan)
        self.reload()
        self._show(self.t["saved"].format(d=len(decisions), path=path, n=len(self.rows)))
        return path

    # -- the form -----------------------------------------------------------------
    def _index(self, i: int) -> int:
        if not 0 <= i < len(self.rows):
            raise IndexError(f"row {i} out of range: {len(self.rows)} column(s) to review")
        return i

    def _decide(self, i: int, d: Decision) -> Decision:
        self.decisions[self._index(i)] = d
        self._quiet = True
        try:
            self._dropdowns[i].value = d.category
        finally:
            self._quiet = False
        self._states[i].value = self.t[d.how]
        self._show(self.t["pending"].format(n=len(self.rows), d=len(self.decisions)))
        return d

    def _show(self, text: str) -> None:
        self.status.value = text

    def _safely(self, op, *args) -> None:
        """Run an operation from a button: errors go to the status label, not to the kernel log."""
        try:
            op(*args)
        except Exception as exc:  # noqa: BLE001 - the UI boundary
            self._show(self.t["error"].format(exc=exc))

    def _on_pick(self, i: int, change) -> None:
        if not self._quiet and change["new"] != change["old"]:
            self._safely(self.set_category, i, change["new"])

    def _cell(self, text: str, k: int) -> widgets.Label:
        return widgets.Label(value=text, layout=widgets.Layout(width=WIDTHS[k]))

    def _build(self) -> None:
        head = widgets.HBox([self._cell(h, k) for k, h in enumerate(self.t["head"])])
        lines = [head]
        self._dropdowns, self._states = [], []
        for i, r in enumerate(self.rows):
            dropdown = widgets.Dropdown(options=self.choices, value=r.category if r.category in self.labels else None,
                                        layout=widgets.Layout(width=WIDTHS[6]))
            dropdown.observe(lambda change, i=i: self._on_pick(i, change), names="value")
            accept = widgets.Button(description=self.t["accept"], button_style="success",
                                    layout=widgets.Layout(width="8em"))
            accept.on_click(lambda _b, i=i: self._safely(self.accept, i))
            nonpers = widgets.Button(description=self.t["not_personal"], layout=widgets.Layout(width="9em"))
            nonpers.on_click(lambda _b, i=i: self._safely(self.mark_not_personal, i))
            state = widgets.Label(layout=widgets.Layout(width="10em"))
            conf = "" if r.confidence is None else f"{r.confidence:.2f}"
            label = self.labels.get(r.category, r.category or "—")
            lines.append(widgets.HBox([
                self._cell(r.source if r.table == r.source else r.table.replace("__", " › "), 0), self._cell(r.column, 1), self._cell(label, 2), self._cell(conf, 3),
                self._cell(r.rule or "", 4), self._cell(r.example or "", 5), dropdown, accept, nonpers, state,
            ]))
            self._dropdowns.append(dropdown)
            self._states.append(state)
        self.widget.children = lines + [widgets.HBox([self.save_button, self.status])]


__all__ = ["Decision", "MappingReview"]
