-- Workspace schema, version 4: the register of data-subject requests (GDPR Art. 12 and 15-22).
-- subject_ref is the workspace pseudonym of the person's e-mail, never the raw identifier.
CREATE SEQUENCE IF NOT EXISTS dsar_request_seq START 1;

CREATE TABLE IF NOT EXISTS dsar_requests (
    id                 BIGINT PRIMARY KEY,
    received           DATE NOT NULL,
    type               VARCHAR NOT NULL CHECK (type IN ('access', 'rectification', 'erasure', 'restriction', 'portability', 'objection')),
    subject_ref        VARCHAR NOT NULL,
    channel            VARCHAR,
    deadline           DATE NOT NULL,      -- one month from receipt (Art. 12(3))
    extended           BOOLEAN NOT NULL DEFAULT false,
    extension_reason   VARCHAR,
    extended_deadline  DATE,               -- two further months from the deadline
    status             VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'refused')),
    answered           DATE,
    notes              VARCHAR
);
