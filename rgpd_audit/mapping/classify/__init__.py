"""Classification: which data category each loaded column holds, and what free text says.

``suggest(ws)`` fills ``column_map`` (one suggestion per column, with its evidence) and
``special_hits`` (special-category mentions found record by record in free text). The
rules live in ``names`` (headers), ``values`` (validators and masks) and ``freetext``
(French special-category terms); see ``docs/classification.md``.
"""

from .suggest import ReviewRow, Suggestion, SuggestReport, classify, free_text_columns, needs_review, refresh_special_hits, suggest

__all__ = [
    "ReviewRow", "Suggestion", "SuggestReport", "classify", "free_text_columns", "needs_review",
    "refresh_special_hits", "suggest",
]
