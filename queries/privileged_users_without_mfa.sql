-- Administrators who can sign in to the console without MFA.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt
),
admins AS (
  SELECT DISTINCT up.dt, up.account_id, up.arn
  FROM user_privileges up
  CROSS JOIN params p
  WHERE up.dt = p.snapshot_dt AND up.user_is_admin
)
SELECT cr.dt, cr.account_id, cr.account_name, cr.user_name, cr.arn, cr.password_last_used,
  cr.password_days_since_use
FROM credential_report cr
JOIN admins a ON a.dt = cr.dt AND a.account_id = cr.account_id AND a.arn = cr.arn
WHERE NOT cr.is_root AND cr.password_enabled AND NOT cr.mfa_active
ORDER BY cr.account_id, cr.user_name
