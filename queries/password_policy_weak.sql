-- Accounts whose IAM password policy is missing or weak, one column per rule: shorter than
-- min_password_length, or remembering fewer than min_password_reuse_prevention passwords.
-- No policy at all fails every rule.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    14 AS min_password_length,
    24 AS min_password_reuse_prevention
)
SELECT ap.dt, ap.account_id, ap.account_name,
  NOT ap.password_policy_present AS no_policy,
  coalesce(ap.minimum_password_length, 0) < p.min_password_length AS length_too_short,
  coalesce(ap.password_reuse_prevention, 0) < p.min_password_reuse_prevention AS reuse_prevention_too_low,
  ap.minimum_password_length, ap.password_reuse_prevention, ap.require_symbols, ap.require_numbers,
  ap.require_uppercase, ap.require_lowercase, ap.max_password_age
FROM account_posture ap
CROSS JOIN params p
WHERE ap.dt = p.snapshot_dt
  AND (NOT ap.password_policy_present
    OR coalesce(ap.minimum_password_length, 0) < p.min_password_length
    OR coalesce(ap.password_reuse_prevention, 0) < p.min_password_reuse_prevention)
ORDER BY ap.account_id
