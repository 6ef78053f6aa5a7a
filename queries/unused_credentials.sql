-- Credentials not used for at least unused_credential_days days, one row per credential: an enabled
-- password or an active access key. A credential never used counts from when it was set
-- (password_last_changed, or the key's last rotation; the user's creation when that is unknown).
-- Inactive keys are ignored even though they carry dates. Root is handled by root_account_findings.
-- use_record: used, never_used, or no_use_recorded for a key set before 2015-04-22, when IAM began
-- recording key use (it counts from that date). A key whose use the report cannot tell (reports
-- before April 2015 have no key-use columns) is not listed: unknown is not unused.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    45 AS unused_credential_days
),
snapshot AS (
  SELECT cr.*
  FROM credential_report cr
  CROSS JOIN params p
  WHERE cr.dt = p.snapshot_dt AND NOT cr.is_root
),
credentials AS (
  SELECT dt, account_id, account_name, user_name, arn, 'password' AS credential,
    password_last_used AS last_used_at,
    coalesce(password_days_since_use, password_age_days, user_age_days) AS days_unused,
    CASE WHEN password_last_used IS NOT NULL THEN 'used' ELSE 'never_used' END AS use_record
  FROM snapshot
  WHERE password_enabled
  UNION ALL
  SELECT dt, account_id, account_name, user_name, arn, 'access_key_1',
    access_key_1_last_used_date,
    access_key_1_idle_days,
    CASE WHEN access_key_1_last_used_date IS NOT NULL THEN 'used'
      WHEN access_key_1_use_fully_recorded THEN 'never_used' ELSE 'no_use_recorded' END
  FROM snapshot
  WHERE access_key_1_active
  UNION ALL
  SELECT dt, account_id, account_name, user_name, arn, 'access_key_2',
    access_key_2_last_used_date,
    access_key_2_idle_days,
    CASE WHEN access_key_2_last_used_date IS NOT NULL THEN 'used'
      WHEN access_key_2_use_fully_recorded THEN 'never_used' ELSE 'no_use_recorded' END
  FROM snapshot
  WHERE access_key_2_active
)
SELECT c.dt, c.account_id, c.account_name, c.user_name, c.arn, c.credential, c.days_unused, c.last_used_at,
  c.use_record
FROM credentials c
CROSS JOIN params p
WHERE c.days_unused >= p.unused_credential_days
ORDER BY c.account_id, c.user_name, c.credential
