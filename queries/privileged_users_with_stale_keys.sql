-- Administrators with an active access key older than max_key_age_days, one row per key.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    90 AS max_key_age_days
),
admins AS (
  SELECT DISTINCT up.dt, up.account_id, up.arn
  FROM user_privileges up
  CROSS JOIN params p
  WHERE up.dt = p.snapshot_dt AND up.user_is_admin
),
access_keys AS (
  SELECT cr.dt, cr.account_id, cr.account_name, cr.user_name, cr.arn, 1 AS key_slot,
    cr.access_key_1_active AS active, cr.access_key_1_age_days AS key_age_days
  FROM credential_report cr
  JOIN admins a ON a.dt = cr.dt AND a.account_id = cr.account_id AND a.arn = cr.arn
  UNION ALL
  SELECT cr.dt, cr.account_id, cr.account_name, cr.user_name, cr.arn, 2 AS key_slot,
    cr.access_key_2_active, cr.access_key_2_age_days
  FROM credential_report cr
  JOIN admins a ON a.dt = cr.dt AND a.account_id = cr.account_id AND a.arn = cr.arn
)
SELECT k.dt, k.account_id, k.account_name, k.user_name, k.arn, k.key_slot, k.key_age_days
FROM access_keys k
CROSS JOIN params p
WHERE k.active AND k.key_age_days > p.max_key_age_days
ORDER BY k.account_id, k.user_name, k.key_slot
