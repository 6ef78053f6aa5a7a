-- The finding counts of every snapshot, one row per dt, for trend charts. Same rules and
-- thresholds as the individual compliance queries (a test checks that they agree).
WITH params AS (
  SELECT
    90 AS max_key_age_days,
    45 AS unused_credential_days,
    90 AS min_user_age_days,
    90 AS unused_user_days,
    90 AS root_recent_use_days,
    90 AS max_password_age_days
),
report_rows AS (
  SELECT cr.dt, cr.account_id, cr.account_name, cr.is_root, cr.password_enabled, cr.mfa_active,
    cr.access_key_1_active, cr.access_key_2_active, cr.access_key_1_age_days, cr.access_key_2_age_days,
    cr.password_age_days, cr.user_age_days,
    cr.password_days_since_use, cr.access_key_1_days_since_use, cr.access_key_2_days_since_use,
    CASE WHEN cr.password_enabled
      THEN coalesce(cr.password_days_since_use, cr.password_age_days, cr.user_age_days) END AS password_unused,
    CASE WHEN cr.access_key_1_active
      THEN coalesce(cr.access_key_1_days_since_use, cr.access_key_1_age_days, cr.user_age_days) END AS key_1_unused,
    CASE WHEN cr.access_key_2_active
      THEN coalesce(cr.access_key_2_days_since_use, cr.access_key_2_age_days, cr.user_age_days) END AS key_2_unused,
    split_part(cr.arn, ':', 2) = 'aws-us-gov' AS root_govcloud,
    -- The one case without an MFA finding for root: see root_account_findings.sql.
    coalesce(ap.centralized_root_access, false)
      AND NOT coalesce(a.is_management, true)
      AND NOT coalesce(ap.root_password_present, true)
      AND NOT coalesce(ap.root_access_keys_present, true) AS root_credentials_removed
  FROM credential_report cr
  LEFT JOIN account_posture ap ON ap.dt = cr.dt AND ap.account_id = cr.account_id
  LEFT JOIN accounts a ON a.dt = cr.dt AND a.account_id = cr.account_id
),
flags AS (
  SELECT r.dt, r.account_id, r.account_name,
    CASE WHEN r.is_root THEN 0 ELSE 1 END AS is_user,
    CASE WHEN NOT r.is_root AND r.password_enabled THEN 1 ELSE 0 END AS is_console_user,
    CASE WHEN r.access_key_1_active AND r.access_key_1_age_days > p.max_key_age_days THEN 1 ELSE 0 END
      + CASE WHEN r.access_key_2_active AND r.access_key_2_age_days > p.max_key_age_days THEN 1 ELSE 0 END
      AS stale_access_keys,
    CASE WHEN r.is_root THEN 0 ELSE
      CASE WHEN r.password_unused >= p.unused_credential_days THEN 1 ELSE 0 END
      + CASE WHEN r.key_1_unused >= p.unused_credential_days THEN 1 ELSE 0 END
      + CASE WHEN r.key_2_unused >= p.unused_credential_days THEN 1 ELSE 0 END
    END AS unused_credentials,
    CASE WHEN NOT r.is_root AND r.password_enabled AND NOT r.mfa_active THEN 1 ELSE 0 END AS console_users_without_mfa,
    CASE WHEN NOT r.is_root AND r.user_age_days >= p.min_user_age_days
      AND coalesce(r.password_unused, p.unused_user_days) >= p.unused_user_days
      AND coalesce(r.key_1_unused, p.unused_user_days) >= p.unused_user_days
      AND coalesce(r.key_2_unused, p.unused_user_days) >= p.unused_user_days THEN 1 ELSE 0 END AS unused_users,
    CASE WHEN r.is_root THEN
      CASE WHEN coalesce(r.access_key_1_active, false) OR coalesce(r.access_key_2_active, false) THEN 1 ELSE 0 END
      + CASE WHEN NOT coalesce(r.mfa_active, false) AND NOT r.root_govcloud AND NOT r.root_credentials_removed
          THEN 1 ELSE 0 END
      + CASE WHEN r.password_days_since_use <= p.root_recent_use_days
          OR r.access_key_1_days_since_use <= p.root_recent_use_days
          OR r.access_key_2_days_since_use <= p.root_recent_use_days THEN 1 ELSE 0 END
    ELSE 0 END AS root_account_findings,
    CASE WHEN NOT r.is_root AND r.access_key_1_active AND r.access_key_2_active THEN 1 ELSE 0 END AS multiple_active_keys,
    CASE WHEN NOT r.is_root AND r.password_enabled AND r.password_age_days > p.max_password_age_days
      THEN 1 ELSE 0 END AS passwords_not_rotated
  FROM report_rows r
  CROSS JOIN params p
),
runs AS (
  SELECT r.dt,
    sum(CASE WHEN r.status = 'collected' THEN 1 ELSE 0 END) AS accounts_collected,
    sum(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END) AS accounts_failed,
    sum(CASE WHEN r.status = 'skipped' THEN 1 ELSE 0 END) AS accounts_skipped
  FROM collection_runs r
  GROUP BY r.dt
),
per_dt AS (
  SELECT f.dt,
    sum(f.is_user) AS users,
    sum(f.is_console_user) AS console_users,
    sum(f.stale_access_keys) AS stale_access_keys,
    sum(f.unused_credentials) AS unused_credentials,
    sum(f.console_users_without_mfa) AS console_users_without_mfa,
    sum(f.unused_users) AS unused_users,
    sum(f.root_account_findings) AS root_account_findings,
    sum(f.multiple_active_keys) AS multiple_active_keys,
    sum(f.passwords_not_rotated) AS passwords_not_rotated
  FROM flags f
  GROUP BY f.dt
)
SELECT d.dt, runs.accounts_collected, runs.accounts_failed, runs.accounts_skipped, d.users, d.console_users,
  d.stale_access_keys, d.unused_credentials, d.console_users_without_mfa, d.unused_users,
  d.root_account_findings, d.multiple_active_keys, d.passwords_not_rotated
FROM per_dt d
LEFT JOIN runs ON runs.dt = d.dt
ORDER BY d.dt
