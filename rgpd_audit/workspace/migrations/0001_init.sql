-- Workspace schema, version 1: provenance of every loaded file, rejected rows, sources.
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE IF NOT EXISTS settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;

CREATE TABLE IF NOT EXISTS sources (
    name         VARCHAR PRIMARY KEY,
    title        VARCHAR,
    format       VARCHAR NOT NULL,
    activities   VARCHAR[],
    use          VARCHAR NOT NULL,
    provider     VARCHAR,
    country      VARCHAR,
    options      JSON,
    manifest     VARCHAR,
    tables       VARCHAR[],
    loaded_at    TIMESTAMP
);

CREATE TABLE IF NOT EXISTS load_files (
    file_id        BIGINT PRIMARY KEY,
    source         VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,
    entry          VARCHAR,          -- zip entry or sheet, when the file is a container
    size           BIGINT,
    sha256         VARCHAR,
    format         VARCHAR,
    encoding       VARCHAR,
    dialect        JSON,
    rows_read      BIGINT NOT NULL DEFAULT 0,
    rows_loaded    BIGINT NOT NULL DEFAULT 0,
    rows_rejected  BIGINT NOT NULL DEFAULT 0,
    status         VARCHAR NOT NULL,  -- loaded | empty | refused | duplicate
    warnings       VARCHAR[],
    loaded_at      TIMESTAMP,
    load_seconds   DOUBLE,
    loader         VARCHAR,
    loader_version VARCHAR
);

CREATE TABLE IF NOT EXISTS load_rejects (
    file_id  BIGINT NOT NULL,
    source   VARCHAR NOT NULL,
    path     VARCHAR NOT NULL,
    line     BIGINT,    -- physical line in the file, when known
    record   BIGINT,    -- record number (1 = first data row), when known
    field    VARCHAR,
    reason   VARCHAR NOT NULL,
    raw      VARCHAR
);
