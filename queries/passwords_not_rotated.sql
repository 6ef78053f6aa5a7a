-- Console passwords not changed for more than max_password_age_days. Root excluded.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    90 AS max_password_age_days
)
SELECT cr.dt, cr.account_id, cr.account_name, cr.user_name, cr.arn, cr.password_age_days,
  cr.password_last_changed, cr.password_last_used
FROM credential_report cr
CROSS JOIN params p
WHERE cr.dt = p.snapshot_dt
  AND NOT cr.is_root
  AND cr.password_enabled
  AND cr.password_age_days > p.max_password_age_days
ORDER BY cr.account_id, cr.user_name
