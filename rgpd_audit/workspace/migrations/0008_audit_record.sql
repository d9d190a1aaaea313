-- Workspace schema, version 8: the analyst's loop.
-- audit_runs.recorded: only an audit (`rgpd-audit report`, or `check --record`) enters the
-- history the report compares with; an ad-hoc `check` is kept but is not "the previous audit".
-- Runs made before this version were all taken as audits: they stay recorded.
ALTER TABLE audit_runs ADD COLUMN recorded BOOLEAN DEFAULT true;
UPDATE audit_runs SET recorded = true;
-- sources.loader_version: the version of the loader that read the source, so that a new
-- loader reloads it (NULL for sources loaded before: reloaded once).
ALTER TABLE sources ADD COLUMN loader_version VARCHAR;
