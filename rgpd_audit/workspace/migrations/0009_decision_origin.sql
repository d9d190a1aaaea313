-- Workspace schema, version 9: who decided a column's mapping, and when.
-- The mapping file (version 2) records decided_by / decided_at; column_map keeps them so that
-- a finding resting on a decision can name it (column, value, date). NULL for decisions made
-- before this version, and for suggestions.
ALTER TABLE column_map ADD COLUMN IF NOT EXISTS decided_by VARCHAR;
ALTER TABLE column_map ADD COLUMN IF NOT EXISTS decided_at TIMESTAMP;
