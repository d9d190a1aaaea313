"""Special-category content in French free text, found record by record in SQL.

The vocabulary (``TERMS``) lives in :mod:`rgpd_audit.detect.special`, shared with the
content scanner of mail bodies, attachments and documents, which runs the same patterns in
Python (``detect.special.find_special``).

Every record of a free-text column is scanned by DuckDB with ``regexp_matches`` (RE2,
vectorised; each distinct text once, its hits then given to every record holding it):
the text is lower-cased with accents stripped, so ``Arrêt maladie`` and
``ARRET MALADIE`` match the same rule. In a pattern a space stands for any run of
separators (space, apostrophe, hyphen, punctuation). Acronyms (``CGT``, ``RQTH``) are
matched case-sensitively on the original text, so ``cgtx`` or a word containing them does
not match. Each rule may carry an exclusion, for the usual false positives (``enceinte
bluetooth``, ``prière de rappeler``).

One ``special_hits`` row is written per (record, column, category): the first matching
term of the category (terms are ordered from the most to the least serious), with a
masked excerpt around the match (e-mail addresses, phone numbers and digit runs masked).
``b3_seen`` ("B3 vu : oui") is the one mention of a criminal record the law allows; it is
still a hit, under its own term name, so the check can decide.
"""

from __future__ import annotations

from ...detect.special import CATEGORIES, TERMS, Term  # noqa: F401 - one vocabulary, shared
from ...sql import quote_ident, quote_literal


def _term_case(t: Term, n: str, m: str) -> tuple[str, str]:
    """(condition, matched-text expression) of one term."""
    text = m if t.case_sensitive else n
    cond = f"regexp_matches({text}, {quote_literal(t.regex())})"
    if t.exclude_regex():
        # An exclusion drops the record for this term only when the excluded phrase is the
        # only match: the match is searched again with excluded phrases blanked out.
        blanked = f"regexp_replace({n}, {quote_literal(t.exclude_regex())}, ' ', 'g')"
        if not t.case_sensitive:
            text = blanked
            cond = f"regexp_matches({blanked}, {quote_literal(t.regex())})"
        else:
            cond = f"({cond} AND NOT regexp_matches({n}, {quote_literal(t.exclude_regex())}))"
    hit = f"regexp_extract({text}, {quote_literal(t.regex())})"
    return cond, hit


MASK_SQL = (
    "regexp_replace(regexp_replace(regexp_replace({x}, "
    r"'[A-Za-z0-9._%+''-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*', '[e-mail]', 'g'), "
    r"'(\+|\b00)?\d[\d .()/-]{6,}\d', '[numéro]', 'g'), "
    r"'\d{3,}', '***', 'g')"
)


def scan_sql(source: str, table: str, column: str) -> str:
    """The INSERT scanning every record of one column; one row per (record, category).

    Whether a text holds a term, which one, and its masked excerpt depend on the text
    alone, so the rules run once per distinct text (exports repeat the same notes many
    times) and the hits are joined back to every record holding that text. Rows are
    inserted in the order a record-by-record scan gives (table order, then category
    order), so what is stored does not depend on the deduplication.
    """
    col = quote_ident(column)
    v = f"CAST({col} AS VARCHAR)"
    n = "n"
    m = "m"
    per_category = []
    for cat in CATEGORIES:
        whens = []
        for t in (t for t in TERMS if t.category == cat):
            cond, hit = _term_case(t, n, m)
            whens.append(f"WHEN {cond} THEN {{'term': {quote_literal(t.term)}, 'hit': {hit}, 'cs': {str(t.case_sensitive).lower()}}}")
        per_category.append(
            f"CASE {' '.join(whens)} END AS {quote_ident(cat)}"
        )
    cats = ", ".join(
        f"CASE WHEN {quote_ident(c)} IS NOT NULL THEN {{'category': {quote_literal(c)}, 'term': {quote_ident(c)}.term, "
        f"'hit': {quote_ident(c)}.hit, 'cs': {quote_ident(c)}.cs, 'o': {i}}} END"
        for i, c in enumerate(CATEGORIES)
    )
    excerpt = (
        "CASE WHEN len(h.hit) = 0 THEN left(mv, 120) ELSE "
        "(CASE WHEN p > 41 THEN '…' ELSE '' END) || substring(mv, greatest(p - 40, 1), length(h.hit) + 60 + least(p - 1, 40)) "
        "|| (CASE WHEN p + length(h.hit) + 60 <= length(mv) THEN '…' ELSE '' END) END"
    )
    mask = MASK_SQL.replace("{x}", "v")
    return f"""
INSERT INTO special_hits (source, table_name, file_id, row_no, column_name, category, term, excerpt, activity)
WITH base AS (
    SELECT rowid AS _rid, _file_id, _row, _activity, {v} AS v
    FROM raw.{quote_ident(table)}
    WHERE {col} IS NOT NULL AND length(trim({v})) > 0
), texts AS (
    SELECT DISTINCT v FROM base
), normed AS (
    SELECT v, lower(strip_accents(replace(v, '’', ''''))) AS {n}, strip_accents(v) AS {m} FROM texts
), scored AS (
    SELECT v, n, {', '.join(per_category)} FROM normed
), hits AS (
    SELECT v, n, unnest(list_filter([{cats}], x -> x IS NOT NULL)) AS h FROM scored
), masked AS (
    SELECT *, replace(replace({mask}, chr(10), ' '), chr(13), ' ') AS mv FROM hits
), placed AS (
    SELECT *, greatest(CASE WHEN h.cs THEN strpos(strip_accents(mv), h.hit)
                            ELSE strpos(lower(strip_accents(replace(mv, '’', ''''))), h.hit) END, 1) AS p FROM masked
), found AS (
    SELECT v, h.o AS o, h.category AS category, h.term AS term, {excerpt} AS excerpt FROM placed
)
SELECT {quote_literal(source)}, {quote_literal(table)}, b._file_id, b._row, {quote_literal(column)}, f.category, f.term,
       f.excerpt, b._activity
FROM base b JOIN found f ON f.v = b.v
ORDER BY b._rid, f.o
"""


def scan_column(con, source: str, table: str, column: str) -> int:
    """Scan one column, append its hits to ``special_hits``; return the number of hits."""
    before = con.execute("SELECT count(*) FROM special_hits").fetchone()[0]
    con.execute(scan_sql(source, table, column))
    return con.execute("SELECT count(*) FROM special_hits").fetchone()[0] - before

