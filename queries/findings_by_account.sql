-- One row per account with a run outcome in the snapshot: its users, console users, and the
-- number of findings of each compliance query. The per-row rules repeat those of the individual
-- queries (SQL files cannot share code); a test checks that the counts agree with them.
-- Accounts whose report was not collected show their status and NULL counts: never a pass.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
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
  CROSS JOIN params p
  WHERE cr.dt = p.snapshot_dt
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
per_account AS (
  SELECT f.account_id,
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
  GROUP BY f.account_id
),
runs AS (
  SELECT r.*
  FROM collection_runs r
  CROSS JOIN params p
  WHERE r.dt = p.snapshot_dt
)
SELECT runs.dt, runs.account_id, runs.account_name, runs.status, runs.reason, a.users, a.console_users,
  a.stale_access_keys, a.unused_credentials, a.console_users_without_mfa, a.unused_users,
  a.root_account_findings, a.multiple_active_keys, a.passwords_not_rotated,
  a.stale_access_keys + a.unused_credentials + a.console_users_without_mfa + a.unused_users
    + a.root_account_findings + a.multiple_active_keys + a.passwords_not_rotated AS total_findings
FROM runs
LEFT JOIN per_account a ON a.account_id = runs.account_id
ORDER BY total_findings DESC NULLS LAST, runs.account_id
