"""The source manifest: valid files, every error with its key path, policy activity ids."""

from __future__ import annotations

import pytest

from rgpd_audit.errors import SpecError
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.policy import load_policy
from rgpd_audit.resources import sample_manifest


def test_sample_manifest_is_valid_against_the_policy():
    m = load_manifest(sample_manifest(), policy=load_policy())
    assert len(m.sources) >= 15
    assert all(m.files_of(s) for s in m.sources)


def test_all_errors_at_once_with_key_paths(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    p = tmp_path / "manifest.yaml"
    p.write_text(
        "version: 1\nname: t\norganisation: {name: T}\nsources:\n"
        "  - name: Bad-Name\n    format: nope\n    path: a.csv\n    hosting: {provider: X, country: usa}\n"
        "    options: {delimiter: ':', colour: red}\n"
        "  - name: ok\n    format: csv\n    path: missing-*.csv\n    activities: [prospectz]\n    hosting: {provider: X, country: FR}\n"
    )
    with pytest.raises(SpecError) as exc:
        load_manifest(p)
    text = str(exc.value)
    for expected in [
        "sources[0].name: Value error, must be lower-case",
        "sources[0].format: Value error, unknown format 'nope'",
        "sources[0].hosting.country",
        "sources[0].options.delimiter",
        "sources[0].options.colour: unknown key",
    ]:
        assert expected in text, (expected, text)
    # structural errors come first; file and activity checks need a valid structure
    p.write_text(
        "version: 1\nname: t\norganisation: {name: T}\nsources:\n"
        "  - name: ok\n    format: csv\n    path: missing-*.csv\n    activities: [prospectz]\n    hosting: {provider: X, country: FR}\n"
    )
    with pytest.raises(SpecError) as exc:
        load_manifest(p, policy=load_policy())
    text = str(exc.value)
    assert "sources[0].activities[0]: unknown activity 'prospectz'" in text
    assert "sources[0].path: no file matches 'missing-*.csv'" in text


def test_split_by_must_target_listed_activities(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    p = tmp_path / "manifest.yaml"
    p.write_text(
        "version: 1\nname: t\norganisation: {name: T}\nsources:\n"
        "  - name: crm\n    format: csv\n    path: a.csv\n    activities: [prospects]\n    hosting: {provider: X, country: FR}\n"
        "    options: {split_by: {column: x, values: {a: client_contacts}}}\n"
    )
    with pytest.raises(SpecError, match="not listed in activities: client_contacts"):
        load_manifest(p)
