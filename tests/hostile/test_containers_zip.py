"""Hostile zips (the Mailchimp audience export) and Parquet files: archives beyond their budget,
truncated or random bytes, damaged entries; entries read under a key leave nothing in clear."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from tests.loaders.hostile_files import MAILCHIMP_HEAD, Estate, load_error, mailchimp_row, zip_of

EMAIL = "aissa.zip@example.org"
NAME = "Aïssa’s"  # ’ is 0x92 in Windows-1252: the entry is transcoded (in memory under a key)


@pytest.fixture
def estate(tmp_path):
    return Estate(tmp_path)


def test_entries_each_small_but_together_a_bomb_fail_naming_the_option(estate):
    # four 20 MiB entries of the same row (each well under any per-entry cap): 80 MiB from ~300 KB
    row = mailchimp_row("bomb@example.org")
    entry = MAILCHIMP_HEAD + row * (20 * 2**20 // len(row))
    names = [f"{s}_email_audience_export_{i}.csv" for i, s in enumerate(("subscribed", "unsubscribed", "cleaned", "nonsubscribed"))]
    estate.write({"audience.zip": zip_of(dict.fromkeys(names, entry))})
    err = load_error(estate.load(estate.source("news", "mailchimp", "audience.zip")), "news")
    assert "audience.zip: zip archive unpacks to 80 MiB from" in err and "a zip bomb?" in err
    assert "(raise it with options.max_expansion)" in err


def test_archive_with_thousands_of_entries_fails_before_reading_one(estate):
    entries = {f"subscribed_email_audience_export_{i:04d}.csv": MAILCHIMP_HEAD + mailchimp_row(f"n{i}@example.org")
               for i in range(3000)}
    estate.write({"audience.zip": zip_of(entries)})
    err = load_error(estate.load(estate.source("news", "mailchimp", "audience.zip")), "news")
    assert err == ("error: news: audience.zip: zip archive with 3,000 entries, more than the limit of 100 "
                   "(raise it with options.max_entries)")
    # the option raises the limit (here for an archive of 120 entries)
    estate.write({"audience.zip": zip_of(dict(list(entries.items())[:120]))})
    err = load_error(estate.load(estate.source("news", "mailchimp", "audience.zip")), "news")
    assert "zip archive with 120 entries, more than the limit of 100" in err
    proc = estate.load(estate.source("news", "mailchimp", "audience.zip", "{max_entries: 120}"))
    assert proc.returncode == 0, proc.stderr
    rows = estate.counts()
    assert len(rows) == 120 and sum(r[3] for r in rows) == 120


@pytest.mark.parametrize("kind", ["truncated", "random-PK", "damaged-entry"])
def test_damaged_archives_are_one_line_errors(estate, kind):
    good = zip_of({"subscribed_email_audience_export_1.csv": MAILCHIMP_HEAD + "".join(
        mailchimp_row(f"p{i}.{os.urandom(4).hex()}@example.org") for i in range(3000))}, level=1)
    if kind == "truncated":
        data = good[: len(good) // 2]
    elif kind == "random-PK":
        data = b"PK\x03\x04" + os.urandom(5000)
    else:  # the directory is intact, the entry's compressed bytes are not
        info = zipfile.ZipFile(io.BytesIO(good)).infolist()[0]
        start = info.header_offset + 30 + len(info.filename.encode()) + 500
        data = good[:start] + bytes(b ^ 0xA5 for b in good[start:start + 300]) + good[start + 300:]
    estate.write({"audience.zip": data})
    err = load_error(estate.load(estate.source("news", "mailchimp", "audience.zip")), "news")
    if kind == "damaged-entry":
        assert err.startswith("error: news: audience.zip"), err
    else:
        assert err.startswith("error: news: audience.zip: this is not a Mailchimp audience export: it is a zip archive "
                              "that cannot be read"), err


def test_entries_read_under_a_key_leave_nothing_in_clear(estate):
    cp1252 = (MAILCHIMP_HEAD + mailchimp_row(EMAIL, first=NAME, notes="Rappeler")).encode("cp1252")
    z = zip_of({
        "subscribed_email_audience_export_9f.csv": MAILCHIMP_HEAD + mailchimp_row("utf8." + EMAIL),
        "cleaned_email_audience_export_9f.csv": cp1252,
    })
    estate.write({"audience.zip": z})
    proc = estate.load(estate.source("news", "mailchimp", "audience.zip"))
    assert proc.returncode == 0, proc.stderr
    rows = estate.counts()
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("cleaned_email_audience_export_9f.csv", 1, 1), ("subscribed_email_audience_export_9f.csv", 1, 1)]
    assert estate.query('SELECT "First Name", status FROM raw.news WHERE "Email Address" = ?', [EMAIL]) == [(NAME, "cleaned")]
    assert estate.query("SELECT encoding FROM load_files ORDER BY entry") == [("cp1252",), ("utf-8",)]
    estate.no_leak([EMAIL, "Rappeler", NAME])
    assert not [p for p in estate.tmp.rglob("*") if p.is_file()]


@pytest.mark.parametrize("kind", ["truncated", "corrupt-middle", "not-parquet"])
def test_corrupt_parquet_is_a_one_line_error(estate, kind):
    import duckdb

    path = estate.root / "good.parquet"
    duckdb.sql(f"COPY (SELECT 'p' || range AS email, range AS n FROM range(5000)) TO '{path}' (FORMAT parquet)")
    good = path.read_bytes()
    if kind == "truncated":
        data = good[: len(good) // 2]
    elif kind == "corrupt-middle":  # both PAR1 marks in place, the footer's metadata damaged
        data = good[:-200] + bytes(b ^ 0xFF for b in good[-200:-8]) + good[-8:]
    else:
        data = b"email,n\np1,1\n"
    estate.write({"t.parquet": data})
    err = load_error(estate.load(estate.source("tab", "parquet", "t.parquet")), "tab")
    assert err.startswith("error: tab: t.parquet: "), err
    if kind == "not-parquet":
        assert "this is not a Parquet file: it is text" in err
