-- The waivers applied to the snapshot that need a decision: in force but expiring within
-- expiring_within_days, already expired (their findings are open again), or covering no finding
-- at all (a typo, or the risk is gone). Each with the stored file it came from.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    30 AS expiring_within_days
)
SELECT w.dt, w.waiver_id, w.check_name,
  CASE
    WHEN NOT w.in_force THEN 'expired'
    WHEN w.matched = 0 THEN 'matches_nothing'
    ELSE 'expiring'
  END AS review,
  w.expires, w.days_to_expiry, w.matched, w.scope, w.reason, w.approved_by, w.source_key
FROM waivers w
CROSS JOIN params p
WHERE w.dt = p.snapshot_dt
  AND (NOT w.in_force OR w.matched = 0 OR w.days_to_expiry <= p.expiring_within_days)
ORDER BY w.days_to_expiry, w.waiver_id
