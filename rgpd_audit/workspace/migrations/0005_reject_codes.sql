-- Workspace schema, version 5: a closed list of reject reasons (vocab.REJECT_REASONS), so the
-- report says why a row was rejected in French or English; the reader's own words stay in reason.
ALTER TABLE load_rejects ADD COLUMN reason_code VARCHAR DEFAULT 'other';
