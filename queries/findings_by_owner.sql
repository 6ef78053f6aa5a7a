-- Per owner of the snapshot's findings: the owner named by the user's owner tag, else by the
-- account's tag in Organizations, else 'unowned' (the tag keys are a setting, default owner then
-- team). Waived findings are counted apart, never dropped: findings = open + waived +
-- waiver_expired, and waiver_expired (a lapsed waiver, the finding open again) is in open too.
-- The open ones are split by severity.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt
)
SELECT p.snapshot_dt AS dt, f.owner,
  count(DISTINCT f.account_id) AS accounts,
  count(*) AS findings,
  sum(CASE WHEN f.waiver_status = 'waived' THEN 0 ELSE 1 END) AS open,
  sum(CASE WHEN f.waiver_status = 'waived' THEN 1 ELSE 0 END) AS waived,
  sum(CASE WHEN f.waiver_status = 'waiver_expired' THEN 1 ELSE 0 END) AS waiver_expired,
  sum(CASE WHEN f.waiver_status <> 'waived' AND f.severity = 'critical' THEN 1 ELSE 0 END) AS open_critical,
  sum(CASE WHEN f.waiver_status <> 'waived' AND f.severity = 'high' THEN 1 ELSE 0 END) AS open_high,
  sum(CASE WHEN f.waiver_status <> 'waived' AND f.severity = 'medium' THEN 1 ELSE 0 END) AS open_medium,
  sum(CASE WHEN f.waiver_status <> 'waived' AND f.severity = 'low' THEN 1 ELSE 0 END) AS open_low
FROM findings f
CROSS JOIN params p
WHERE f.dt = p.snapshot_dt
GROUP BY p.snapshot_dt, f.owner
ORDER BY open_critical DESC, open_high DESC, open DESC, f.owner
