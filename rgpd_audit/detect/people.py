"""Who a text names: the keys that link a document or an attachment to a person known elsewhere.

A file is linked to a person by what it holds of them, each turned into a *link key* that is
pseudonymised before it reaches the workspace (never the value):

- ``email``: an address it holds (``lea.martin@example.com``, lower-cased): the key is the
  address, as the other sources' subject e-mail columns are pseudonymised;
- ``phone``: a number it holds, normalised to E.164 with ``phonenumbers`` (region FR for a
  number written without a country code): the key is ``tel:+33612345678``;
- ``name``: a person's full name, at least two words (a first and a last name), in any order,
  accents and case ignored: the key is ``name:`` and the sorted words (``name:aissa ndiaye``).
  In a text only runs of capitalised words are candidates (``Aïssa NDIAYE``, ``NDIAYE
  Aïssa``, ``Jean-Pierre Dupont``), so common words that happen to be a name (« une eau
  claire ») never are; in a file name every run of words is (``CV_Aissa_Ndiaye.pdf``). A
  single word (a first name alone) is never a key.

The other side, a person's key from a source's subject columns, is computed in SQL by
:func:`email_key_sql`, :func:`phone_key_sql` and :func:`name_key_sql` with the same
normalisation (``strip_accents``, lower case, words of letters and digits, sorted).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

import phonenumbers

from . import identifiers as ids

MAX_NAME_WORDS = 4    # a full name is 2 to 4 words (« Jean-Pierre Dupont », « Marie de la Tour »)
MAX_NAME_KEYS = 2000  # candidate name keys kept per text
_WORD = re.compile(r"[^\W\d_]+")
_NAME_GAP = re.compile(r"[ \t\u00a0\u202f'’-]+")  # what may stand between two words of one name
_KEY_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case without accents, as SQL ``lower(strip_accents(x))``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _key_words(words: list[str]) -> list[str]:
    return [w for word in words for w in _KEY_WORD.findall(fold(word))]


def name_key(words: list[str]) -> str | None:
    """The key of a full name given as its words, or None for fewer than two words."""
    ws = [w for w in _key_words(words) if len(w) >= 2]
    return "name:" + " ".join(sorted(ws)) if len(ws) >= 2 else None


def _windows(words: list[str], out: set[str]) -> None:
    toks = [w for w in _key_words(words) if len(w) >= 2]
    for i in range(len(toks)):
        for n in range(2, MAX_NAME_WORDS + 1):
            if i + n <= len(toks):
                out.add("name:" + " ".join(sorted(toks[i:i + n])))


def name_keys(text: str, filename: str | None = None) -> set[str]:
    """The name keys of a text (runs of capitalised words) and of a file name (any run)."""
    out: set[str] = set()
    run: list[str] = []
    last_end = -1
    for m in _WORD.finditer(text or ""):
        w = m.group(0)
        capital = w[0].isupper()
        joined = last_end >= 0 and _NAME_GAP.fullmatch(text[last_end:m.start()]) is not None
        if capital and run and joined:
            run.append(w)
        else:
            if len(run) >= 2:
                _windows(run, out)
            run = [w] if capital else []
        last_end = m.end()
        if len(out) >= MAX_NAME_KEYS:
            break
    if len(run) >= 2:
        _windows(run, out)
    if filename:
        _windows(_WORD.findall(PurePosixPath(filename).stem), out)
    return set(sorted(out)[:MAX_NAME_KEYS])


def phone_key(value: str) -> str | None:
    """``tel:`` and the E.164 form of a number as written, or None when it is not one."""
    v = value.strip()
    if v.startswith("(+"):
        v = "+" + v[2:].replace(")", " ", 1)
    v = v.replace("(0)", " ")
    d = re.sub(r"\D", "", v)
    if not v.startswith("+") and len(d) == 11 and d.startswith("33"):
        v = "+" + d
    try:
        num = phonenumbers.parse(v, "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num):
        return None
    return "tel:" + phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def link_keys(text: str, filename: str | None = None, *, skip_emails=(), found=None) -> list[tuple[str, str]]:
    """(via, key) of every person the text (and the file's name) may name: ``email``,
    ``phone``, ``name``; sorted, each once. ``skip_emails``: addresses that are not a named
    person's (a message's own sender and recipients); ``found``: the text's identifiers as
    ``(kind, value)`` when the caller has already looked for them (the content scanner)."""
    skip = {e.lower() for e in skip_emails}
    out: set[tuple[str, str]] = set()
    if found is None:
        found = [(f.kind, text[f.start:f.end]) for f in ids.find_identifiers(text or "")]
    for kind, value in found:
        if kind == "email" and value.strip().lower() not in skip:
            out.add(("email", value.strip().lower()))
        elif kind == "phone" and (k := phone_key(value)):
            out.add(("phone", k))
    out.update(("name", k) for k in name_keys(text, filename))
    return sorted(out)


# -- the same keys, in SQL, from a source's subject columns ---------------------------------

def email_key_sql(col: str) -> str:
    return f"lower(trim(split_part(CAST({col} AS VARCHAR), ' ::: ', 1)))"


def phone_key_sql(col: str) -> str:
    """SQL of :func:`phone_key` for the numbers the estate writes (French national, +33,
    0033, +33 (0)…, other international numbers with + or 00)."""
    raw = f"replace(split_part(CAST({col} AS VARCHAR), ' ::: ', 1), '(0)', ' ')"
    d = f"regexp_replace({raw}, '[^0-9]', '', 'g')"
    plus = f"(ltrim({raw}) LIKE '+%' OR ltrim({raw}) LIKE '(+%')"
    return (
        f"CASE WHEN {plus} THEN 'tel:+' || {d} "
        f"WHEN {d} LIKE '00%' THEN 'tel:+' || {d}[3:] "
        f"WHEN length({d}) = 10 AND {d} LIKE '0%' THEN 'tel:+33' || {d}[2:] "
        f"WHEN length({d}) = 11 AND {d} LIKE '33%' THEN 'tel:+' || {d} END"
    )


def name_key_sql(cols: list[str]) -> str:
    """SQL of :func:`name_key` for a person whose name is in ``cols`` (first and last name
    columns, or one full-name column): NULL for fewer than two words."""
    joined = " || ' ' || ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in cols)
    words = f"list_filter(regexp_extract_all(lower(strip_accents({joined})), '[a-z0-9]+'), w -> length(w) >= 2)"
    return f"CASE WHEN len({words}) >= 2 THEN 'name:' || array_to_string(list_sort({words}), ' ') END"
