-- Workspace schema, version 10: what each check's findings rested on, per run.
-- check_inputs.fingerprint sums up a check's inputs (package and check version, policy file,
-- loaded files, mapping, settings: rgpd_audit/checks/reuse.py). A check that does not depend
-- on the audit date, run again on the same fingerprint, copies its findings from that run.
CREATE TABLE IF NOT EXISTS check_inputs (
    run_id      BIGINT NOT NULL,
    check_id    VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL
);
