-- Active access keys not rotated for more than max_key_age_days, one row per key; root keys included.
-- Runs unchanged in Athena (Trino) and DuckDB: day counts are precomputed columns.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt,
    90 AS max_key_age_days
),
snapshot AS (
  SELECT cr.*
  FROM credential_report cr
  CROSS JOIN params p
  WHERE cr.dt = p.snapshot_dt
),
access_keys AS (
  SELECT dt, account_id, account_name, user_name, arn, is_root, 1 AS key_slot,
    access_key_1_active AS active, access_key_1_age_days AS key_age_days,
    access_key_1_last_rotated AS last_rotated, access_key_1_last_used_date AS last_used_at
  FROM snapshot
  UNION ALL
  SELECT dt, account_id, account_name, user_name, arn, is_root, 2 AS key_slot,
    access_key_2_active, access_key_2_age_days, access_key_2_last_rotated, access_key_2_last_used_date
  FROM snapshot
)
SELECT k.dt, k.account_id, k.account_name, k.user_name, k.arn, k.is_root, k.key_slot, k.key_age_days,
  k.last_rotated, k.last_used_at
FROM access_keys k
CROSS JOIN params p
WHERE k.active AND k.key_age_days > p.max_key_age_days
ORDER BY k.account_id, k.user_name, k.key_slot
