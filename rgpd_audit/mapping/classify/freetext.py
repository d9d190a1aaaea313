"""Special-category content in French free text, found record by record in SQL.

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

from dataclasses import dataclass

from ...sql import quote_ident, quote_literal

HEALTH = "user.health"
UNION = "user.demographic.union_membership"
RELIGION = "user.demographic.religious_belief"
POLITICAL = "user.demographic.political_opinion"
CRIMINAL = "user.criminal_history"
ETHNIC = "user.demographic.race_ethnicity"
SEXUAL = "user.demographic.sexual_orientation"
PHILOSOPHICAL = "user.demographic.philosophical_belief"

SEP = r"[^a-z0-9]+"


@dataclass(frozen=True)
class Term:
    category: str
    term: str
    pattern: str              # on lower(strip_accents(text)); a space = any separators
    exclude: str | None = None
    case_sensitive: bool = False  # then matched on strip_accents(text), spaces kept literal

    def regex(self) -> str:
        return self.pattern if self.case_sensitive else _spaces(self.pattern)

    def exclude_regex(self) -> str | None:
        return None if self.exclude is None else _spaces(self.exclude)


def _spaces(pattern: str) -> str:
    """`` `` = one or more separators, `` ?`` = optional separators."""
    return pattern.replace(" ?", "~").replace(" ", SEP).replace("~", "[^a-z0-9]*")


T = Term
TERMS: list[Term] = [
    # -- health (Art. 9), pregnancy and disability are health data --------------------
    T(HEALTH, "sick_leave", r"\b(arrets?|conges?) (de )?maladie\b|\bmi temps therapeutique\b|\baccident du travail\b"),
    T(HEALTH, "pregnancy",
      r"\benceintes?\b|\bgrossesses?\b|\bconges? (de )?maternite\b|\bconges? pathologique|\bfausses? couches?\b",
      exclude=r"\benceintes? (bluetooth|connectee|acoustique|sono|hifi|de l usine|du site|de l entreprise|du batiment)|"
              r"\bdans l enceinte\b|\bl enceinte (de|du) "),
    T(HEALTH, "disability",
      r"\bhandicap(e|ee|es|ees)?\b|\btravailleurs? handicape|\binvalidite\b|\bmdph\b|\bcotorep\b|\baah\b"),
    T(HEALTH, "disability", r"\bRQTH\b|\bMDPH\b", case_sensitive=True),
    T(HEALTH, "mental_health",
      r"\bdepress(ion|if|ive)s?\b|\bburn out\b|\bburnout\b|\bbipolaire|\bschizophren|\banxiete generalisee\b|\bpsychiatr"),
    T(HEALTH, "illness",
      r"\bmaladies?\b|\bdiabet(e|es|ique|iques)\b|\bcancers?\b|\bchimio(therapie)?\b|\btumeurs?\b|\bleucemie\b|"
      r"\bsclerose\b|\bepilep(sie|tique)\b|\basthm(e|atique)\b|\bvih\b|\bsida\b|\bseropositi|\bhepatite\b|"
      r"\bavc\b|\binfarctus\b|\ballergi(e|que)s?\b|\bhernie discale\b|\blombalgie\b|\bmal de dos\b|"
      r"\bproblemes? de (dos|sante|coeur|genou|vue)\b|\betat de sante\b"),
    T(HEALTH, "medical_care",
      r"\bhospitalis(e|ee|es|ees|ation|ations)\b|\bhopital\b|\btraitements? (medica(l|ux)|lourds?)\b|"
      r"\bmedicaments?\b|\boperee? (du|de la|des)\b|\bkine(sitherapie)?\b|\bsuivi psychologique\b|\bpsychiatre\b"),
    # -- trade union membership -------------------------------------------------------
    T(UNION, "union",
      r"\bsyndiqu(e|ee|es|ees)\b|\bsyndicats?\b|\bsyndica(l|le|les|ux)\b|\bdelegue(e|s|es)? syndica|"
      r"\bforce ouvriere\b|\bmilitant(e|s|es)? syndica",
      exclude=r"\bsyndicats? (de copropriete|des coproprietaires|intercommunal|mixte|d initiative|patronal|professionnel)"),
    T(UNION, "union", r"\b(CGT|CFDT|CFTC|CFE-CGC|CGT-FO|FO|UNSA|FSU|SUD Solidaires|Solidaires)\b", case_sensitive=True),
    # -- religion -------------------------------------------------------------------
    T(RELIGION, "religion",
      r"\bmusulman(e|s|es)?\b|\bcatholiques?\b|\bjui(f|ve|fs|ves)\b|\bjudaisme\b|\bchretien(ne|s|nes)?\b|"
      r"\bprotestant(e|s|es)?\b|\bevangeli(que|ste)s?\b|\bbouddhistes?\b|\bhindou(e|s)?\b|"
      r"\bramadan\b|\bcareme\b|\bshabbat\b|\bsabbat\b|\bkippa\b|\bmosquee\b|\bsynagogue\b|\bhalal\b|"
      r"\b(casher|kasher|cacher)\b|\bjehovah\b|\bislam|\bporte (le|un) voile\b|\bvoilee\b|\bfetes? religieuses?\b|"
      r"\bprieres?\b|\bconvictions? religieuses?\b|\breligi(on|euse|eux)\b",
      exclude=r"\bprieres? de\b"),
    T(RELIGION, "religion", r"\bpratiquant(e|s|es)?\b",
      exclude=r"\bpratiquant(e|s|es)? (le|la|les|l|du|de|des|un|une|regulierement|depuis)\b"),
    # -- political opinion ----------------------------------------------------------
    T(POLITICAL, "political",
      r"\b(membre|adherent|adherente|militant|militante|carte) (du|d un|au|a un) parti\b|"
      r"\bparti (politique|socialiste|communiste|republicain|ecologiste|de gauche|pirate|radical)\b|"
      r"\bmilitant(e|s|es)? (politique|ecologiste|communiste|socialiste|d extreme)|\bextreme (gauche|droite)\b|"
      r"\bengagee? politiquement\b|\bopinions? politiques?\b|\bconseill(er|ere) municipal|\belue? municipal|"
      r"\brassemblement national\b|\bfront national\b|\bfrance insoumise\b|\bgilets? jaunes?\b|"
      r"\bvote(ra|rait)? (pour le|a gauche|a droite|rn|fn|lfi)\b|\bencartee?\b"),
    T(POLITICAL, "political", r"\b(LFI|EELV|RN|FN|NPA)\b", exclude=r"\b(rn|fn) ?\d", case_sensitive=True),
    # -- criminal record (Art. 10): serious terms first, the allowed B3 mention last ------
    T(CRIMINAL, "criminal_record",
      r"\bcasier (judiciaire|charge|vierge)\b|\bcondamn(e|ee|es|ees|ation|ations)\b|\bprison\b|\bincarcer|"
      r"\bmaison d arret\b|\bgarde a vue\b|\bbracelet electronique\b|\bsursis\b|\bdelits?\b|"
      r"\bcasier (b ?2|n ?2)\b|\bfiche s\b|\btravaux d interet general\b|\bcontrole judiciaire\b",
      exclude=r"\bcasier judiciaire (b ?3|n ?3|bulletin n ?3) (vu|ok|fourni|verifie|present)\b"),
    T(CRIMINAL, "b3_seen", r"\b(bulletin|extrait)? ?(n ?)?b ?3\b|\bextrait de casier\b|\bcasier judiciaire\b"),
    # -- ethnic origin ----------------------------------------------------------------
    T(ETHNIC, "ethnic_origin",
      r"\borigines? (ethniques?|maghrebines?|africaines?|arabes?|asiatiques?|antillaises?|roms?|etrangeres?)\b|"
      r"\bde type (africain|maghrebin|asiatique|europeen|caucasien|arabe|noir)e?\b|\bcouleur de peau\b|"
      r"\bethni(e|que|ques)\b|\braci(al|ale|aux)\b"),
    # -- sexual orientation -----------------------------------------------------------
    T(SEXUAL, "sexual_orientation",
      r"\bhomosexuel(le|s|les)?\b|\blesbiennes?\b|\bbisexuel(le|s|les)?\b|\borientation sexuelle\b|\bgay\b|\bpacse avec (son|un) compagnon\b"),
]

CATEGORIES = list(dict.fromkeys(t.category for t in TERMS))


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

