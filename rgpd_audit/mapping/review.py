"""Reviewing the field mapping in a notebook: an ipywidgets form over the undecided columns.

>>> review = MappingReview(".rgpd-audit")          # mapping file: .rgpd-audit/mapping.yaml
>>> review.widget                                   # display it in JupyterLab

Made for hundreds of columns: **Enregistrer** and the status line at the top; filters
(what needs review: every undecided column, the least sure ones, the personal ones; a
source; a suggested category); "accept every suggestion at or above a confidence" in one
click (over the rows the filters show); pages of ``page_size`` rows. Each row shows the
source, the column, the suggested category, its confidence, the rule that fired and one
masked example (from ``column_map``; raw values are never read), then the category to keep
(the catalogue, labels in ``lang``), the date role (for a date column) and whether the
column identifies the person (subject key). Text cells wrap instead of being cut.

Saving writes only the decided entries to the mapping file, with who decided
(``decided_by``: the ``user`` parameter, else ``$RGPD_AUDIT_USER``, else the OS login) and
when (``decided_at``, UTC), and applies them to the workspace (``file.record_decisions``):
no merge of the whole workspace, so a few decisions save in a fraction of a second.

The same methods (``accept``, ``set_category``, ``mark_not_personal``, ``set_date_role``,
``set_subject_key``, ``accept_above``, ``set_filter``, ``save``) serve the buttons and
scripts or tests. The workspace is opened only for the duration of each operation, so a
notebook kernel never keeps DuckDB's lock between clicks.
"""

from __future__ import annotations

import datetime as dt
import getpass
import html
import os
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets

from ..policy import categories
from ..vocab import DATE_ROLES
from ..workspace import Workspace
from .classify import ReviewRow, needs_review
from .classify.suggest import SUBJECT_CATEGORIES
from .file import DECIDED, read_mapping, record_decisions

USER_ENV = "RGPD_AUDIT_USER"
LOW_CONFIDENCE = 0.8  # the "least sure" filter: below this
SHOWS = ("undecided", "low", "personal")

TEXTS = {
    "fr": {
        "head": ("Source", "Colonne", "Catégorie suggérée", "Confiance", "Règle, exemple masqué", "Catégorie",
                 "Rôle de date", "Identifie la personne", "", "", "État"),
        "accept": "Accepter", "not_personal": "Non personnel", "save": "Enregistrer",
        "none": "(aucune catégorie)", "no_role": "(aucun)", "accepted": "accepté", "changed": "modifié",
        "marked": "non personnel", "nothing": "Aucune colonne à revoir.",
        "pending": "{n} colonne(s) à revoir ; {d} décision(s) non enregistrée(s).",
        "saved": "Enregistré : {d} décision(s) dans {path} en {s:.2f} s ; {n} colonne(s) restent à revoir.",
        "error": "Erreur : {exc}",
        "show": "À revoir", "shows": {"undecided": "toutes les non décidées", "low": "confiance faible (< {low:.2f})",
                                      "personal": "données personnelles"},
        "source": "Source", "category": "Catégorie", "all": "(toutes)",
        "threshold": "Seuil", "accept_all": "Accepter tout ≥ seuil",
        "accepted_n": "{k} suggestion(s) acceptée(s) ; {n} colonne(s) à revoir ; {d} décision(s) non enregistrée(s).",
        "page": "lignes {a}–{b} sur {n}", "prev": "◀ Précédentes", "next": "Suivantes ▶",
    },
    "en": {
        "head": ("Source", "Column", "Suggested category", "Confidence", "Rule, masked example", "Category",
                 "Date role", "Identifies the person", "", "", "State"),
        "accept": "Accept", "not_personal": "Not personal", "save": "Save",
        "none": "(no category)", "no_role": "(none)", "accepted": "accepted", "changed": "changed",
        "marked": "not personal", "nothing": "No column to review.",
        "pending": "{n} column(s) to review; {d} unsaved decision(s).",
        "saved": "Saved: {d} decision(s) to {path} in {s:.2f} s; {n} column(s) left to review.",
        "error": "Error: {exc}",
        "show": "Review", "shows": {"undecided": "every undecided column", "low": "low confidence (< {low:.2f})",
                                    "personal": "personal data"},
        "source": "Source", "category": "Category", "all": "(all)",
        "threshold": "Threshold", "accept_all": "Accept all ≥ threshold",
        "accepted_n": "{k} suggestion(s) accepted; {n} column(s) to review; {d} unsaved decision(s).",
        "page": "rows {a}–{b} of {n}", "prev": "◀ Previous", "next": "Next ▶",
    },
}
# the grid's columns: text wraps in the flexible ones, controls take the room they need
# (≈ 76em at the least: fits JupyterLab's output area beside the file browser at 1600 px; the grid
# scrolls sideways rather than cutting anything on a narrower screen)
GRID_COLUMNS = ("minmax(5em, 0.7fr) minmax(7em, 1.2fr) minmax(7em, 1fr) 4.5em minmax(7em, 1fr) minmax(11em, 1.4fr) "
                "minmax(8em, 1fr) 5.5em max-content max-content minmax(6em, max-content)")


@dataclass(frozen=True)
class Decision:
    """What the analyst decided for one row, before it is saved."""

    status: str            # confirmed | not_personal
    category: str | None
    how: str               # accepted | changed | marked (for the row's state label)
    date_role: str | None = None
    subject_key: bool | None = None   # None: follows the category (see ``_subject_key``)


def current_user() -> str:
    """Who decides: ``$RGPD_AUDIT_USER``, else the OS login name."""
    name = os.environ.get(USER_ENV, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a container without passwd entry)
        return "unknown"


def _sort_key(label: str) -> str:
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().casefold()


def _subject_key(row: ReviewRow, category: str | None) -> bool:
    """A decided column identifies the person if its category does, or if the manifest said so."""
    if category is None:
        return False
    declared = row.subject_key and row.category not in SUBJECT_CATEGORIES  # options.subject
    return declared or category in SUBJECT_CATEGORIES


def _wrapped(text: str, second: str = "") -> str:
    """A cell's HTML: the text, escaped, wrapping; ``second`` on a line of its own, in grey."""
    more = f'<br><span style="color: var(--jp-ui-font-color2, #666)">{html.escape(second)}</span>' if second else ""
    return (f'<div style="white-space: normal; overflow-wrap: anywhere; line-height: 1.25">'
            f"{html.escape(text)}{more}</div>")


def _cell(text: str = "") -> widgets.HTML:
    """A text cell that wraps (a long column name is never cut)."""
    return widgets.HTML(_wrapped(text), layout=widgets.Layout(min_width="0"))


TEXT_CELLS = ("source", "column", "suggested", "confidence", "evidence")


class MappingReview:
    """The review form of one workspace and one mapping file (default ``<workspace>/mapping.yaml``)."""

    def __init__(self, ws_path: str | Path, mapping_path: str | Path | None = None, lang: str = "fr", *,
                 user: str | None = None, page_size: int = 50, threshold: float = 0.9):
        if lang not in TEXTS:
            raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(TEXTS)}")
        self.ws_path = Path(ws_path)
        self.mapping_path = Path(mapping_path) if mapping_path else self.ws_path / "mapping.yaml"
        self.lang = lang
        self.t = TEXTS[lang]
        self.user = user or current_user()
        self.page_size = max(1, int(page_size))
        cats = categories()
        self.labels = {name: c.en if lang == "en" else c.fr for name, c in cats.items()}
        self.choices = [(self.t["none"], None)] + sorted(
            ((label, name) for name, label in self.labels.items()), key=lambda o: _sort_key(o[0]))
        self.roles = [(self.t["no_role"], None)] + [(DATE_ROLES.label(r, lang), r) for r in DATE_ROLES]
        self.rows: list[ReviewRow] = []
        self.decisions: dict[int, Decision] = {}
        self.visible: list[int] = []     # indices of self.rows the filters keep
        self.page = 0
        self.last_save_seconds: float | None = None
        self._filter = {"show": "undecided", "source": None, "category": None}
        self._quiet = False
        self._row_widgets: dict[int, dict[str, widgets.Widget]] = {}  # row index -> the widgets showing it
        self._slots: list[dict[str, widgets.Widget]] = []  # the page's row widgets, made once, reused
        self._slot_rows: list[int] = []                     # the row each slot shows
        # the toolbar, on top: save and status, filters, accept above a confidence, pages
        self.status = widgets.Label(style={"font_weight": "bold"})
        self.save_button = widgets.Button(description=self.t["save"], button_style="primary", icon="save",
                                          layout=widgets.Layout(width="auto"))
        self.save_button.on_click(lambda _b: self._safely(self.save))
        self.show_filter = widgets.Dropdown(description=self.t["show"], layout=widgets.Layout(width="auto"),
                                            style={"description_width": "initial"})
        self.source_filter = widgets.Dropdown(description=self.t["source"], layout=widgets.Layout(width="auto"),
                                              style={"description_width": "initial"})
        self.category_filter = widgets.Dropdown(description=self.t["category"], layout=widgets.Layout(width="auto"),
                                                style={"description_width": "initial"})
        for w in (self.show_filter, self.source_filter, self.category_filter):
            w.observe(self._on_filter, names="value")
        self.threshold = widgets.BoundedFloatText(value=threshold, min=0, max=1, step=0.05, description=self.t["threshold"],
                                                  layout=widgets.Layout(width="11em"), style={"description_width": "initial"})
        self.accept_all_button = widgets.Button(description=self.t["accept_all"], button_style="success",
                                                layout=widgets.Layout(width="auto"))
        self.accept_all_button.on_click(lambda _b: self._safely(self.accept_above, self.threshold.value))
        self.prev_button = widgets.Button(description=self.t["prev"], layout=widgets.Layout(width="auto"))
        self.next_button = widgets.Button(description=self.t["next"], layout=widgets.Layout(width="auto"))
        self.prev_button.on_click(lambda _b: self._safely(self.go_to_page, self.page - 1))
        self.next_button.on_click(lambda _b: self._safely(self.go_to_page, self.page + 1))
        self.page_label = widgets.Label()
        self.grid = widgets.GridBox(layout=widgets.Layout(grid_template_columns=GRID_COLUMNS, grid_gap="2px 6px",
                                                          align_items="center", width="100%", overflow="auto"))
        wrap = widgets.Layout(flex_flow="row wrap", align_items="center", grid_gap="4px 12px")
        self.widget = widgets.VBox([
            widgets.HBox([self.save_button, self.status], layout=wrap),
            widgets.HBox([self.show_filter, self.source_filter, self.category_filter, self.threshold,
                          self.accept_all_button], layout=wrap),
            widgets.HBox([self.prev_button, self.page_label, self.next_button], layout=wrap),
            self.grid,
        ], layout=widgets.Layout(width="100%"))
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
        self._options()
        self._refilter()
        self._show(self.t["pending"].format(n=len(self.rows), d=0) if self.rows else self.t["nothing"])

    def accept(self, i: int) -> Decision:
        """Confirm row ``i`` with the category shown (no category = not personal)."""
        category = self._current(i).category
        if category is None:
            return self.mark_not_personal(i)
        return self._decide(i, "confirmed", category, "accepted")

    def set_category(self, i: int, category: str | None) -> Decision:
        """Give row ``i`` another category of the catalogue (``None`` = not personal); it becomes confirmed."""
        if category is None:
            return self.mark_not_personal(i)
        if category not in self.labels:
            raise ValueError(f"unknown data category {category!r}")
        return self._decide(i, "confirmed", category, "changed")

    def mark_not_personal(self, i: int) -> Decision:
        """Mark row ``i``'s column as not personal data (its date role is kept)."""
        return self._decide(i, "not_personal", None, "marked")

    def set_date_role(self, i: int, role: str | None) -> Decision:
        """The date role of row ``i`` (``None``: none); the row is decided with its shown category."""
        if role is not None:
            DATE_ROLES.check(role)
        cur = self._current(i)
        return self._decide(i, cur.status, cur.category, "changed", date_role=role)

    def set_subject_key(self, i: int, value: bool) -> Decision:
        """Whether row ``i``'s column identifies the person; the row is decided with its shown category."""
        cur = self._current(i)
        return self._decide(i, cur.status, cur.category, "changed", subject_key=bool(value))

    def accept_above(self, threshold: float) -> int:
        """Accept every suggestion the filters show whose confidence is ``threshold`` or more,
        not decided yet in the form; returns how many."""
        if not 0 <= float(threshold) <= 1:
            raise ValueError(f"a confidence is between 0 and 1, not {threshold}")
        picked = [i for i in self.visible if i not in self.decisions
                  and self.rows[i].confidence is not None and self.rows[i].confidence >= float(threshold)]
        for i in picked:
            self.accept(i)
        self._show(self.t["accepted_n"].format(k=len(picked), n=len(self.rows), d=len(self.decisions)))
        return len(picked)

    def set_filter(self, show: str | None = None, source: str | None = "", category: str | None = "") -> list[int]:
        """Filter the rows: ``show`` one of ``undecided``, ``low`` (confidence below
        ``LOW_CONFIDENCE``), ``personal`` (a suggested category); ``source`` a source's name
        (``None``: all); ``category`` a suggested category (``None``: all). An argument left
        out keeps its filter. Returns the indices of the rows kept."""
        if show is not None:
            if show not in SHOWS:
                raise ValueError(f"unknown filter {show!r}; expected one of {', '.join(SHOWS)}")
            self._filter["show"] = show
        if source != "":
            self._filter["source"] = source
        if category != "":
            self._filter["category"] = category
        self._quiet = True
        try:
            self.show_filter.value = self._filter["show"]
            if self._filter["source"] in [v for _, v in self.source_filter.options]:
                self.source_filter.value = self._filter["source"]
            if self._filter["category"] in [v for _, v in self.category_filter.options]:
                self.category_filter.value = self._filter["category"]
        finally:
            self._quiet = False
        self._refilter()
        return list(self.visible)

    def go_to_page(self, page: int) -> None:
        pages = max(1, -(-len(self.visible) // self.page_size))
        self.page = min(max(0, page), pages - 1)
        self._render()

    def save(self) -> Path:
        """Write the decisions to the mapping file (with who and when), apply them to the
        workspace, and drop the decided rows from the form."""
        t0 = time.perf_counter()
        path = self.mapping_path
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        decisions = {}
        for i, d in self.decisions.items():
            r = self.rows[i]
            key = d.subject_key if d.subject_key is not None else _subject_key(r, d.category)
            decisions[(r.table, r.column)] = {
                "status": d.status, "category": d.category, "subject_key": bool(key and d.category is not None),
                "date_role": d.date_role, "decided_by": self.user, "decided_at": now}
        if decisions:
            with Workspace(self.ws_path, create=False) as ws:
                record_decisions(ws, path, decisions)
        self._drop(set(self.decisions))
        self.last_save_seconds = time.perf_counter() - t0
        self._show(self.t["saved"].format(d=len(decisions), path=path, n=len(self.rows), s=self.last_save_seconds))
        return path

    # -- the form -----------------------------------------------------------------
    def _drop(self, done: set[int]) -> None:
        """Remove saved rows: their lines leave the page, the other lines keep their widgets
        (one update of the grid, not a page rebuilt), the filters' choices follow."""
        new_index, j = {}, 0
        for i in range(len(self.rows)):
            if i not in done:
                new_index[i], j = j, j + 1
        self.rows = [r for i, r in enumerate(self.rows) if i not in done]
        self.decisions = {}
        self._slot_rows = [new_index.get(i, -1) if i >= 0 else -1 for i in self._slot_rows]
        self._row_widgets = {new_index[i]: w for i, w in self._row_widgets.items() if i in new_index}
        self.visible = [new_index[i] for i in self.visible if i in new_index]
        self._options()
        if any(r >= 0 for r in self._slot_rows) or not self.visible:
            cells = list(getattr(self, "_head", []))
            for k, i in enumerate(self._slot_rows):
                if i >= 0:
                    cells.extend(self._slots[k].values())
            self.grid.children = cells
            start = self.page * self.page_size
            shown = sum(1 for i in self._slot_rows if i >= 0)
            self.page_label.value = self.t["page"].format(a=start + 1 if shown else 0, b=start + shown, n=len(self.visible))
            self.next_button.disabled = start + shown >= len(self.visible)
        else:  # the whole page was saved: show the next rows
            self.go_to_page(self.page)

    def _index(self, i: int) -> int:
        if not 0 <= i < len(self.rows):
            raise IndexError(f"row {i} out of range: {len(self.rows)} column(s) to review")
        return i

    def _current(self, i: int) -> Decision:
        """Row ``i`` as it stands: its decision, or its suggestion."""
        r = self.rows[self._index(i)]
        if i in self.decisions:
            return self.decisions[i]
        cat = r.category if r.category in self.labels else None
        return Decision("confirmed" if cat else "not_personal", cat, "accepted", r.date_role, None)

    def _decide(self, i: int, status: str, category: str | None, how: str, **changes) -> Decision:
        prev = self._current(i)
        d = Decision(status, category, how, changes.get("date_role", prev.date_role),
                     changes.get("subject_key", prev.subject_key))
        self.decisions[self._index(i)] = d
        self._paint(i)
        self._show(self.t["pending"].format(n=len(self.rows), d=len(self.decisions)))
        return d

    def _show(self, text: str) -> None:
        self.status.value = text

    def _safely(self, op, *args) -> None:
        """Run an operation from a button: errors go to the status line, not to the kernel log."""
        try:
            op(*args)
        except Exception as exc:  # noqa: BLE001 - the UI boundary
            self._show(self.t["error"].format(exc=exc))

    def _options(self) -> None:
        """The filters' choices, from the rows left."""
        self._quiet = True
        try:
            shows = [(self.t["shows"][s].format(low=LOW_CONFIDENCE), s) for s in SHOWS]
            sources = [(self.t["all"], None)] + [(s, s) for s in sorted({r.source for r in self.rows})]
            cats = sorted({r.category for r in self.rows if r.category}, key=lambda c: _sort_key(self.labels.get(c, c)))
            catopts = [(self.t["all"], None)] + [(self.labels.get(c, c), c) for c in cats]
            for w, opts, key in ((self.show_filter, shows, "show"), (self.source_filter, sources, "source"),
                                 (self.category_filter, catopts, "category")):
                if [tuple(o) for o in w.options] != opts:
                    w.options = opts
                values = [v for _, v in opts]
                if self._filter[key] not in values:
                    self._filter[key] = values[0]
                w.value = self._filter[key]
        finally:
            self._quiet = False

    def _on_filter(self, _change) -> None:
        if self._quiet:
            return
        self._filter = {"show": self.show_filter.value, "source": self.source_filter.value,
                        "category": self.category_filter.value}
        self._safely(self._refilter)

    def _keep(self, r: ReviewRow) -> bool:
        f = self._filter
        if f["source"] is not None and r.source != f["source"]:
            return False
        if f["category"] is not None and r.category != f["category"]:
            return False
        if f["show"] == "low":
            return r.confidence is None or r.confidence < LOW_CONFIDENCE
        if f["show"] == "personal":
            return r.category is not None
        return True

    def _refilter(self, keep_page: bool = False) -> None:
        self.visible = [i for i, r in enumerate(self.rows) if self._keep(r)]
        self.go_to_page(self.page if keep_page else 0)

    def _render(self) -> None:
        """Show the rows of the current page in the page's widgets (made once, then only
        their values change: a save or a new page sends a few small updates, not a new form)."""
        self._row_widgets = {}
        start = self.page * self.page_size
        shown = self.visible[start:start + self.page_size]
        n = len(self.visible)
        self.page_label.value = self.t["page"].format(a=start + 1 if n else 0, b=start + len(shown), n=n)
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = start + self.page_size >= n
        if not hasattr(self, "_head"):
            self._head = [_cell(h) for h in self.t["head"]]
        while len(self._slots) < len(shown):
            self._slots.append(self._new_slot(len(self._slots)))
            self._slot_rows.append(-1)
        cells: list[widgets.Widget] = list(self._head)
        for k, i in enumerate(shown):
            self._slot_rows[k] = i
            self._show_row(self._slots[k], i)
            cells.extend(self._slots[k].values())
        for k in range(len(shown), len(self._slot_rows)):
            self._slot_rows[k] = -1
        if list(self.grid.children) != cells:
            self.grid.children = cells

    def _new_slot(self, k: int) -> dict[str, widgets.Widget]:
        """The widgets of one line of the page; their callbacks act on the row the slot shows."""
        def row() -> int:
            return self._slot_rows[k]

        category = widgets.Dropdown(options=self.choices, layout=widgets.Layout(width="100%"))
        category.observe(lambda c: self._on_pick(row(), c), names="value")
        role = widgets.Dropdown(options=self.roles, layout=widgets.Layout(width="100%"))
        role.observe(lambda c: self._on_role(row(), c), names="value")
        key = widgets.Checkbox(indent=False, layout=widgets.Layout(width="auto"))
        key.observe(lambda c: self._on_key(row(), c), names="value")
        accept = widgets.Button(description=self.t["accept"], button_style="success", layout=widgets.Layout(width="auto"))
        accept.on_click(lambda _b: self._safely(self.accept, row()))
        nonpers = widgets.Button(description=self.t["not_personal"], layout=widgets.Layout(width="auto"))
        nonpers.on_click(lambda _b: self._safely(self.mark_not_personal, row()))
        w: dict[str, widgets.Widget] = {name: _cell() for name in TEXT_CELLS}
        w.update({"category": category, "role": role, "key": key, "accept": accept, "not_personal": nonpers,
                  "state": widgets.Label()})
        return w

    def _show_row(self, w: dict[str, widgets.Widget], i: int) -> None:
        r = self.rows[i]
        texts = {"source": r.source if r.table == r.source else r.table.replace("__", " › "), "column": r.column,
                 "suggested": self.labels.get(r.category, r.category or "—"),
                 "confidence": "" if r.confidence is None else f"{r.confidence:.2f}",
                 "evidence": (r.rule or "", r.example or "")}
        for name, text in texts.items():
            value = _wrapped(*text) if isinstance(text, tuple) else _wrapped(text)
            if w[name].value != value:
                w[name].value = value
        is_date = r.date_role is not None or (r.rule or "").endswith(":date")
        w["role"].layout.visibility = "visible" if is_date else "hidden"
        self._row_widgets[i] = w
        self._paint(i)

    def _paint(self, i: int) -> None:
        """Show row ``i``'s decision (or suggestion) in its widgets, if it is on the page."""
        w = self._row_widgets.get(i)
        if w is None:
            return
        cur = self._current(i)
        self._quiet = True
        try:
            w["category"].value = cur.category
            w["role"].value = cur.date_role
            key = cur.subject_key if cur.subject_key is not None else _subject_key(self.rows[i], cur.category)
            w["key"].value = bool(key)
            w["state"].value = self.t[self.decisions[i].how] if i in self.decisions else ""
        finally:
            self._quiet = False

    def _on_pick(self, i: int, change) -> None:
        if not self._quiet and change["new"] != change["old"]:
            self._safely(self.set_category, i, change["new"])

    def _on_role(self, i: int, change) -> None:
        if not self._quiet and change["new"] != change["old"]:
            self._safely(self.set_date_role, i, change["new"])

    def _on_key(self, i: int, change) -> None:
        if not self._quiet and change["new"] != change["old"]:
            self._safely(self.set_subject_key, i, change["new"])


__all__ = ["Decision", "MappingReview", "current_user"]
