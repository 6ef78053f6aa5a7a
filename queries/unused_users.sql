-- IAM users nobody uses: at least min_user_age_days old, and every credential absent, inactive, or
-- unused for at least unused_user_days days (never-used credentials count from when they were set).
-- reason: no_active_credentials (no password, no active key), never_used (none ever used),
-- inactive (used once, not recently). Signing certificates carry no use data and are not counted.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    90 AS min_user_age_days,
    90 AS unused_user_days
),
users AS (
  SELECT cr.dt, cr.account_id, cr.account_name, cr.user_name, cr.arn, cr.user_age_days,
    CASE WHEN cr.password_enabled
      THEN coalesce(cr.password_days_since_use, cr.password_age_days, cr.user_age_days) END AS password_unused,
    CASE WHEN cr.access_key_1_active
      THEN coalesce(cr.access_key_1_days_since_use, cr.access_key_1_age_days, cr.user_age_days) END AS key_1_unused,
    CASE WHEN cr.access_key_2_active
      THEN coalesce(cr.access_key_2_days_since_use, cr.access_key_2_age_days, cr.user_age_days) END AS key_2_unused,
    (coalesce(cr.password_enabled, false) AND cr.password_last_used IS NOT NULL)
      OR (coalesce(cr.access_key_1_active, false) AND cr.access_key_1_last_used_date IS NOT NULL)
      OR (coalesce(cr.access_key_2_active, false) AND cr.access_key_2_last_used_date IS NOT NULL) AS ever_used
  FROM credential_report cr
  CROSS JOIN params p
  WHERE cr.dt = p.snapshot_dt AND NOT cr.is_root
)
SELECT u.dt, u.account_id, u.account_name, u.user_name, u.arn,
  CASE
    WHEN u.password_unused IS NULL AND u.key_1_unused IS NULL AND u.key_2_unused IS NULL THEN 'no_active_credentials'
    WHEN u.ever_used THEN 'inactive'
    ELSE 'never_used'
  END AS reason,
  u.user_age_days
FROM users u
CROSS JOIN params p
WHERE u.user_age_days >= p.min_user_age_days
  AND coalesce(u.password_unused, p.unused_user_days) >= p.unused_user_days
  AND coalesce(u.key_1_unused, p.unused_user_days) >= p.unused_user_days
  AND coalesce(u.key_2_unused, p.unused_user_days) >= p.unused_user_days
ORDER BY u.account_id, u.user_name
