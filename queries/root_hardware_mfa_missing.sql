-- Accounts whose root user lacks a hardware MFA device: no MFA at all, or a virtual device
-- (told apart with ListVirtualMFADevices). Not applicable to a member account whose root
-- credentials were removed under centralized root access (never the management account), nor in
-- GovCloud, where root cannot sign in. Accounts whose posture could not be read are in
-- collection_coverage. The root ARN comes from the account's own report, so it carries the
-- right partition. With root_mfa_without_password false (CIS v5.0 1.5) a root with no MFA and
-- no password passes; a virtual device is a finding whatever the password.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    false AS root_mfa_without_password
)
SELECT ap.dt, ap.account_id, ap.account_name, '<root_account>' AS user_name,
  cr.arn, ap.root_mfa_enabled, ap.root_mfa_type
FROM account_posture ap
CROSS JOIN params p
LEFT JOIN credential_report cr
  ON cr.dt = ap.dt AND cr.account_id = ap.account_id AND cr.is_root
LEFT JOIN accounts a ON a.dt = ap.dt AND a.account_id = ap.account_id
WHERE ap.dt = p.snapshot_dt
  AND NOT (
    coalesce(ap.centralized_root_access, false)
    AND NOT coalesce(a.is_management, true)
    AND NOT coalesce(ap.root_password_present, true)
    AND NOT coalesce(ap.root_access_keys_present, true)
  )
  AND NOT coalesce(split_part(cr.arn, ':', 2) = 'aws-us-gov', false)
  AND (NOT ap.root_mfa_enabled OR ap.root_mfa_type <> 'hardware')
  AND (p.root_mfa_without_password OR ap.root_mfa_enabled OR coalesce(ap.root_password_present, true))
ORDER BY ap.account_id
