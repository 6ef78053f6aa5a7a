-- IAM users nobody uses: at least min_user_age_days old, and every credential absent, inactive, or
-- unused for at least unused_user_days days (never-used credentials count from when they were set).
-- reason: no_active_credentials (no password, no active key), never_used (none ever used),
-- no_use_recorded (none used since IAM began recording key use, but a key predates that record,
-- 2015-04-22), inactive (used once, not recently). A user with an active key whose use the report
-- cannot tell (reports before April 2015 have no key-use columns) is not judged: unknown is not
-- unused. Signing certificates carry no use data and are not counted.
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
      THEN cr.access_key_1_idle_days END AS key_1_unused,
    CASE WHEN cr.access_key_2_active
      THEN cr.access_key_2_idle_days END AS key_2_unused,
    (coalesce(cr.password_enabled, false) AND cr.password_last_used IS NOT NULL)
      OR (coalesce(cr.access_key_1_active, false) AND cr.access_key_1_last_used_date IS NOT NULL)
      OR (coalesce(cr.access_key_2_active, false) AND cr.access_key_2_last_used_date IS NOT NULL) AS ever_used,
    (cr.access_key_1_active AND NOT cr.access_key_1_use_fully_recorded)
      OR (cr.access_key_2_active AND NOT cr.access_key_2_use_fully_recorded) AS use_partly_recorded,
    (cr.access_key_1_active AND cr.access_key_1_idle_days IS NULL)
      OR (cr.access_key_2_active AND cr.access_key_2_idle_days IS NULL) AS key_use_unknown
  FROM credential_report cr
  CROSS JOIN params p
  WHERE cr.dt = p.snapshot_dt AND NOT cr.is_root
)
SELECT u.dt, u.account_id, u.account_name, u.user_name, u.arn,
  CASE
    WHEN u.password_unused IS NULL AND u.key_1_unused IS NULL AND u.key_2_unused IS NULL THEN 'no_active_credentials'
    WHEN u.ever_used THEN 'inactive'
    WHEN u.use_partly_recorded THEN 'no_use_recorded'
    ELSE 'never_used'
  END AS reason,
  u.user_age_days
FROM users u
CROSS JOIN params p
WHERE u.user_age_days >= p.min_user_age_days
  AND NOT coalesce(u.key_use_unknown, false)
  AND coalesce(u.password_unused, p.unused_user_days) >= p.unused_user_days
  AND coalesce(u.key_1_unused, p.unused_user_days) >= p.unused_user_days
  AND coalesce(u.key_2_unused, p.unused_user_days) >= p.unused_user_days
ORDER BY u.account_id, u.user_name
