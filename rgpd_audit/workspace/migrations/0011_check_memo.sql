-- Workspace schema, version 11: results of the checks' queries that do not depend on the
-- audit date (a transfer's records and people per provider and activity), kept with the
-- digest of the inputs they were computed from (rgpd_audit/checks/reuse.py, memo_rows): next
-- month, on the same inputs, a check reads them back instead of scanning every table again.
CREATE TABLE IF NOT EXISTS check_memo (
    run_id BIGINT NOT NULL,
    name   VARCHAR NOT NULL,
    key    VARCHAR NOT NULL,
    rows   VARCHAR NOT NULL
);
