-- Workspace schema, version 6: a source's whole hosting entry as the manifest gave it (provider,
-- country, service and the user's own transfer evidence: signed DPA, SCCs and their module,
-- transfer impact assessment, DPF listing checked), so checks judge transfers on it.
ALTER TABLE sources ADD COLUMN IF NOT EXISTS hosting JSON;
