"""The classifier's value counts (``values.score``) are those of running every validator on
every value: the cheap tests that spare a validator its work only skip values it would refuse.

``score`` is compared with the plain loop (the implementation it replaced), value by value
and column by column, on the labelled corpus, the hostile forms of the identifier guard, valid
identifiers of every kind, their mutations (separators, Unicode spaces and digits, letters
whose upper case is longer, cut, doubled, joined) and random strings.
"""

from __future__ import annotations

import random

from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from rgpd_audit.mapping.classify import values as V
from tests.classification_corpus import load

SEPARATORS = [" ", ".", "-", "/", "\u00a0", "\t", "\n", "\u2003", "  ", ", ", "; "]
# ASCII and not: Unicode digits (Arabic-Indic, fullwidth, superscript), letters whose upper
# case is longer (ß, ﬁ, ŉ) or ASCII (ı, ſ), the characters the validators look for
# IBANs of other countries, 15 (Norway) to 32 characters; Belgium's fails its national check
IBANS = ["NO9386011117947", "BE68539007547034", "GB82WEST12345698765432", "DE89370400440532013000", "CH9300762011623852957",
         "MT84MALT011000012345MTLCAST001S", "LC55HEMM000100010012001200023015", "SC18SSCB11010000000000001497USD"]
ODD = "0123456789AaBbFfRrXxZz@:.+()-/ ,;<>\"'_%#éßﬁŉıſİ٣０１²ⅷ\u00a0\u2003\t\n"


def reference_score(values: list[str]) -> dict[str, int]:
    """Every validator on every value: what ``score`` must count."""
    out = {k.name: 0 for k in V.KINDS}
    out["nir_shape"] = 0
    out["long_text"] = 0
    for v in values:
        for k in V.KINDS:
            if k.check(v):
                out[k.name] += 1
        if V.looks_like_nir(v):
            out["nir_shape"] += 1
        if V.is_long_text(v):
            out["long_text"] += 1
    return out


def _digits(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice("0123456789") for _ in range(n))


def _valid(rnd: random.Random) -> list[str]:
    """Valid values of every kind, in the forms the exports write them."""
    out = []
    for _ in range(60):
        body = rnd.choice("123478") + _digits(rnd, 4) + rnd.choice(["2A", "2B", _digits(rnd, 2)]) + _digits(rnd, 6)
        nir = body + stdnum_nir.calc_check_digits(body)
        out += [nir, nir[:13], " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]])]
        bban = _digits(rnd, 23)
        iban = "FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban
        out += [iban, " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)), iban.lower()]
        siren = _digits(rnd, 8)
        siren += luhn.calc_check_digit(siren)
        siret = siren + _digits(rnd, 4)
        siret += luhn.calc_check_digit(siret)
        out += [siren, siret, f"{siren[:3]} {siren[3:6]} {siren[6:]}", f"{siret[:9]} {siret[9:]}"]
        mobile = "0" + rnd.choice("1234567") + _digits(rnd, 8)
        out += [mobile, " ".join(mobile[i:i + 2] for i in range(0, 10, 2)), ".".join(mobile[i:i + 2] for i in range(0, 10, 2)),
                "+33 " + mobile[1:], "+33 (0)" + mobile[1:], "(+33) " + mobile[1:], "0033" + mobile[1:], "33" + mobile[1:],
                "+44 20 " + _digits(rnd, 4) + " " + _digits(rnd, 4), "+1 (415) 555-" + _digits(rnd, 4)]
        user = "".join(rnd.choice("abcdefghij.") for _ in range(rnd.randint(1, 10))).strip(".") or "x"
        out += [f"{user}@example.fr", f"Jean Dupont <{user}@exemple.com>", f"{user}@a.fr, {user}@b.org; z@c.net",
                f"<{user}@host>"]
        out += [".".join(str(rnd.randint(0, 300)) for _ in range(4)), f"2001:db8::{rnd.randint(0, 65535):x}", "::1"]
        y, m, d = rnd.randint(1950, 2030), rnd.randint(0, 13), rnd.randint(0, 32)
        out += [f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y % 100:02d}", f"{y}-{m:02d}-{d:02d}T12:{d:02d}:59Z",
                f"{y}/{m}/{d} 24:00"]
        out += [f"{rnd.randint(0, 99):02d}{_digits(rnd, 3)}", " 75015 ", "00000"]
        out += ["Lorem ipsum dolor sit amet, " * rnd.randint(1, 3), "x" * rnd.randint(35, 45)]
    return out


def _mutate(rnd: random.Random, v: str) -> str:
    """One random edit of a value: a separator or odd character put in, a character replaced
    or removed, the value cut, doubled, upper-cased or surrounded by spaces."""
    i = rnd.randint(0, len(v))
    edit = rnd.randrange(9)
    if edit == 0:
        return v[:i] + rnd.choice(SEPARATORS) + v[i:]
    if edit == 1:
        return v[:i] + rnd.choice(ODD) + v[i:]
    if edit == 2 and v:
        return v[:i] + rnd.choice(ODD) + v[i + 1:]
    if edit == 3:
        return v[:i] + v[i + 1:]
    if edit == 4:
        return v[:i]
    if edit == 5:
        return v + rnd.choice(["", " ", "-", "/"]) + v
    if edit == 6:
        return v.upper()
    if edit == 7:
        return rnd.choice(SEPARATORS) + v + rnd.choice(SEPARATORS)
    return v.replace(rnd.choice("0123456789"), rnd.choice("٣０ⅷ²"))


def corpus() -> list[str]:
    rnd = random.Random(24)
    values = [v for f in load() for c in f.columns for v in c.sample]
    values += [
        "", " ", "@", "a@b", "a@b.c", "<>", ":", "...", "1.2.3.4", "::", "+", "(+33)", "00", "0" * 15, "ß" * 8,
        "ﬁ" * 14, "ŉ" * 13, "ı" * 15, "+33 (0)6 12 34 56 78", "06/12/34/56/78", "1-85-05-78-006-084-91",
        "FR76 3000 6000 0112 3456 7890 189", "FR76 3000 6000 0112 3456 7890 188", "SIRET 732 829 320 00074",
        "73282932000074", "732 829 320", "AAAA+33612345678AAAA", "v1.0.612345678", "2019-01-02 03:04:05",
        "1 234 567,89 €", "0,0612345678", "P-CE1698F65F", "M.", "Mme", "x" * 200 + " y",
    ]
    valid = _valid(rnd) + IBANS + [" ".join(i[k:k + 4] for k in range(0, len(i), 4)) for i in IBANS]
    values += valid
    for _ in range(6000):
        v = rnd.choice(valid)
        for _ in range(rnd.randint(1, 3)):
            v = _mutate(rnd, v)
        values.append(v)
    for _ in range(3000):
        values.append("".join(rnd.choice(ODD) for _ in range(rnd.randint(0, 40))))
    return values


def test_score_counts_what_every_validator_on_every_value_counts():
    values = corpus()
    # the corpus reaches every kind, accepted and refused
    counts = reference_score(values)
    assert all(counts[k] >= 20 and counts[k] <= len(values) - 20 for k in counts), counts
    for v in values:  # value by value: a pre-test refusing a value its validator accepts shows here
        assert V.score([v]) == reference_score([v]), repr(v)
    assert V.score(values) == counts
    assert list(V.score(values)) == list(counts)  # the same keys, in the same order


def test_score_of_the_corpus_columns():
    for f in load():
        for c in f.columns:
            assert V.score(c.sample) == reference_score(c.sample), (f.id, c.header)
