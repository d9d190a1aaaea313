-- Workspace schema, version 2: audit runs and their findings.
CREATE SEQUENCE IF NOT EXISTS run_id_seq START 1;

CREATE TABLE IF NOT EXISTS audit_runs (
    run_id        BIGINT PRIMARY KEY,
    as_of         DATE NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    policy_file   VARCHAR,
    policy_sha256 VARCHAR,
    inputs        JSON,      -- per source: files and their sha256
    counts        JSON,      -- per check: number of findings by severity
    status        VARCHAR NOT NULL  -- running | done | failed
);

CREATE TABLE IF NOT EXISTS findings (
    run_id          BIGINT NOT NULL,
    as_of           DATE NOT NULL,
    check_id        VARCHAR NOT NULL,
    severity        VARCHAR NOT NULL,   -- info | warning | error
    activity        VARCHAR,
    source          VARCHAR,
    record_key      VARCHAR,            -- record key, column or document
    subject_ref     VARCHAR,            -- pseudonym of the person, never the raw identifier
    reference_date  DATE,
    deadline        DATE,
    days_overdue    INTEGER,
    clause          VARCHAR,            -- policy clause or legal text the finding rests on
    detail_fr       VARCHAR NOT NULL,
    detail_en       VARCHAR NOT NULL,
    finding_key     VARCHAR NOT NULL    -- stable identity across audits (new / resolved / open)
);
