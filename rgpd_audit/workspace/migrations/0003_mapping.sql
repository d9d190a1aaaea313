-- Workspace schema, version 3: column classification / mapping, and per-record special-category hits.
CREATE TABLE IF NOT EXISTS column_map (
    source          VARCHAR NOT NULL,
    table_name      VARCHAR NOT NULL,   -- raw.<table_name>
    column_name     VARCHAR NOT NULL,
    category        VARCHAR,            -- fideslang name or user.x_rgpd.* extension; NULL = not personal
    activity        VARCHAR,            -- policy activity id, when one applies to the whole column
    subject_key     BOOLEAN DEFAULT false,  -- identifies the person (e-mail, phone, name, NIR…)
    date_role       VARCHAR,            -- last_activity | creation | contract_end | … (dates the policy counts from)
    status          VARCHAR NOT NULL,   -- suggested | confirmed | not_personal
    rule            VARCHAR,            -- the rule that fired (name:…, value:…)
    confidence      DOUBLE,
    sampled         BIGINT,
    matched         BIGINT,
    examples        VARCHAR[],          -- masked examples, never raw values
    updated_at      TIMESTAMP,
    PRIMARY KEY (source, table_name, column_name)
);

CREATE TABLE IF NOT EXISTS special_hits (
    source      VARCHAR NOT NULL,
    table_name  VARCHAR NOT NULL,
    file_id     BIGINT,
    row_no      BIGINT,                 -- _row of the record
    column_name VARCHAR NOT NULL,
    category    VARCHAR NOT NULL,       -- user.health, user.x_rgpd.pregnancy, user.criminal_history …
    term        VARCHAR NOT NULL,       -- the rule / keyword family that matched
    excerpt     VARCHAR,                -- masked excerpt around the match
    activity    VARCHAR
);
