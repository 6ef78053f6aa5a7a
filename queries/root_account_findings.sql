-- Root user risks, one row per finding:
--   root_access_key_active  root has an active access key
--   root_mfa_disabled       no MFA while root has a password or an active key; the password is
--                           known from account posture (AccountPasswordPresent) when it was read,
--                           otherwise a password reported as not_supported counts as present
--   root_used_recently      root's latest use (password or either key) within root_recent_use_days
-- Where the organization manages root credentials centrally, root checks do not apply.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    90 AS root_recent_use_days
),
root AS (
  SELECT cr.*, coalesce(ap.root_password_present, cr.password_enabled, true) AS password_possible
  FROM credential_report cr
  CROSS JOIN params p
  LEFT JOIN account_posture ap ON ap.dt = cr.dt AND ap.account_id = cr.account_id
  WHERE cr.dt = p.snapshot_dt AND cr.is_root AND NOT coalesce(ap.centralized_root_access, false)
),
findings AS (
  SELECT dt, account_id, account_name, user_name, arn, 'root_access_key_active' AS finding
  FROM root
  WHERE coalesce(access_key_1_active, false) OR coalesce(access_key_2_active, false)
  UNION ALL
  SELECT dt, account_id, account_name, user_name, arn, 'root_mfa_disabled'
  FROM root
  WHERE NOT coalesce(mfa_active, false)
    AND (password_possible OR coalesce(access_key_1_active, false) OR coalesce(access_key_2_active, false))
  UNION ALL
  SELECT r.dt, r.account_id, r.account_name, r.user_name, r.arn, 'root_used_recently'
  FROM root r
  CROSS JOIN params p
  WHERE r.password_days_since_use <= p.root_recent_use_days
    OR r.access_key_1_days_since_use <= p.root_recent_use_days
    OR r.access_key_2_days_since_use <= p.root_recent_use_days
)
SELECT f.dt, f.account_id, f.account_name, f.user_name, f.arn, f.finding
FROM findings f
ORDER BY f.account_id, f.finding
