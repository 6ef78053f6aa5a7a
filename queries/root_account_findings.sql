-- Root user risks, one row per finding, each showing which credentials root has and when root
-- was last used (the latest of its password's and keys' last use; NULL when never):
--   root_access_key_active  root has an active access key (always a finding)
--   root_mfa_disabled       root has no MFA device (CIS v1.4/v3.0 1.5, v5.0 1.4, Security Hub IAM.9).
--                           With root_mfa_without_password true (CIS v1.4, v3.0, Security Hub) a
--                           missing password does not excuse it: whoever holds the root e-mail can
--                           set one through password recovery. With it false (CIS v5.0) a root
--                           known to have no password passes; one whose password the report calls
--                           not_supported and posture did not read is still a finding.
--   root_used_recently      root's latest use (password or either key) within root_recent_use_days
-- No MFA is no risk in one case only: a member account whose root credentials were removed under
-- centralized root access (no password, no keys, no recovery). The management account is never
-- covered by it. In GovCloud (arn:aws-us-gov) root cannot sign in: no MFA check there.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    90 AS root_recent_use_days,
    false AS root_mfa_without_password
),
root AS (
  SELECT cr.*,
    coalesce(ap.root_password_present, cr.password_enabled) AS root_password,
    coalesce(cr.access_key_1_active, false) OR coalesce(cr.access_key_2_active, false) AS root_access_key,
    coalesce(cr.mfa_active, false) AS root_mfa,
    -- The latest of three values any of which may be NULL, spelled out: greatest() would be NULL
    -- on any NULL input in Trino.
    CASE
      WHEN cr.password_last_used IS NOT NULL AND (cr.access_key_1_last_used_date IS NULL OR cr.password_last_used >= cr.access_key_1_last_used_date) AND (cr.access_key_2_last_used_date IS NULL OR cr.password_last_used >= cr.access_key_2_last_used_date) THEN cr.password_last_used
      WHEN cr.access_key_1_last_used_date IS NOT NULL AND (cr.access_key_2_last_used_date IS NULL OR cr.access_key_1_last_used_date >= cr.access_key_2_last_used_date) THEN cr.access_key_1_last_used_date
      ELSE cr.access_key_2_last_used_date
    END AS root_last_used,
    CASE
      WHEN cr.password_days_since_use IS NOT NULL AND (cr.access_key_1_days_since_use IS NULL OR cr.password_days_since_use <= cr.access_key_1_days_since_use) AND (cr.access_key_2_days_since_use IS NULL OR cr.password_days_since_use <= cr.access_key_2_days_since_use) THEN cr.password_days_since_use
      WHEN cr.access_key_1_days_since_use IS NOT NULL AND (cr.access_key_2_days_since_use IS NULL OR cr.access_key_1_days_since_use <= cr.access_key_2_days_since_use) THEN cr.access_key_1_days_since_use
      ELSE cr.access_key_2_days_since_use
    END AS root_days_since_use,
    split_part(cr.arn, ':', 2) = 'aws-us-gov' AS govcloud,
    coalesce(ap.centralized_root_access, false)
      AND NOT coalesce(a.is_management, true)
      AND NOT coalesce(ap.root_password_present, true)
      AND NOT coalesce(ap.root_access_keys_present, true) AS credentials_removed
  FROM credential_report cr
  CROSS JOIN params p
  LEFT JOIN account_posture ap ON ap.dt = cr.dt AND ap.account_id = cr.account_id
  LEFT JOIN accounts a ON a.dt = cr.dt AND a.account_id = cr.account_id
  WHERE cr.dt = p.snapshot_dt AND cr.is_root
),
findings AS (
  SELECT *, 'root_access_key_active' AS finding
  FROM root
  WHERE root_access_key
  UNION ALL
  SELECT r.*, 'root_mfa_disabled'
  FROM root r
  CROSS JOIN params p
  WHERE NOT r.root_mfa AND NOT r.govcloud AND NOT r.credentials_removed
    AND (p.root_mfa_without_password OR coalesce(r.root_password, true))
  UNION ALL
  SELECT r.*, 'root_used_recently'
  FROM root r
  CROSS JOIN params p
  WHERE r.password_days_since_use <= p.root_recent_use_days
    OR r.access_key_1_days_since_use <= p.root_recent_use_days
    OR r.access_key_2_days_since_use <= p.root_recent_use_days
)
SELECT f.dt, f.account_id, f.account_name, f.user_name, f.arn, f.finding,
  f.root_password, f.root_access_key, f.root_mfa, f.root_last_used, f.root_days_since_use
FROM findings f
ORDER BY f.account_id, f.finding
