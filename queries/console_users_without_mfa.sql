-- IAM users who can sign in to the console (password enabled) without an MFA device. Root excluded.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt
)
SELECT cr.dt, cr.account_id, cr.account_name, cr.user_name, cr.arn, cr.password_last_used,
  cr.password_days_since_use, cr.user_creation_time
FROM credential_report cr
CROSS JOIN params p
WHERE cr.dt = p.snapshot_dt
  AND NOT cr.is_root
  AND cr.password_enabled
  AND NOT cr.mfa_active
ORDER BY cr.account_id, cr.user_name
