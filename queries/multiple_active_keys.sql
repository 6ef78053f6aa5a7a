-- IAM users with both access key slots active. Root excluded (its keys are root_account_findings).
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt
)
SELECT cr.dt, cr.account_id, cr.account_name, cr.user_name, cr.arn, cr.access_key_1_age_days,
  cr.access_key_2_age_days, cr.access_key_1_last_used_date, cr.access_key_2_last_used_date
FROM credential_report cr
CROSS JOIN params p
WHERE cr.dt = p.snapshot_dt
  AND NOT cr.is_root
  AND cr.access_key_1_active
  AND cr.access_key_2_active
ORDER BY cr.account_id, cr.user_name
