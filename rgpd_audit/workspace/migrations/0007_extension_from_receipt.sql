-- Workspace schema, version 7: an extended Art. 12(3) deadline is counted from receipt (one
-- month + two further months = three months from receipt: 31/01 -> 30/04), not two months from
-- the first deadline (31/01 -> 28/02 -> 28/04, up to three days too early). Extensions recorded
-- before are recomputed with the rule of rgpd_audit/dates.py (months clamped to the month's end).
UPDATE dsar_requests SET extended_deadline = CAST(received + to_months(3) AS DATE) WHERE extended;
