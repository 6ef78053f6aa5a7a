-- Users who appeared in or disappeared from each account between the account's snapshot at
-- snapshot_dt and its previous collected snapshot. Accounts without an earlier snapshot have no
-- baseline and list nothing; an account not collected at snapshot_dt is not reported as emptied.
-- The previous snapshot of each account is found in collection_runs (one small file per day), so
-- credential_report is read only at snapshot_dt and at those dates.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt
),
current_users AS (
  SELECT cr.dt, cr.account_id, cr.account_name, cr.user_name, cr.arn, cr.user_creation_time
  FROM credential_report cr
  CROSS JOIN params p
  WHERE cr.dt = p.snapshot_dt
),
baseline AS (
  SELECT r.account_id, max(r.dt) AS previous_dt
  FROM collection_runs r
  CROSS JOIN params p
  WHERE r.dt < p.snapshot_dt
    AND r.status = 'collected'
    AND r.account_id IN (SELECT account_id FROM current_users)
  GROUP BY r.account_id
),
previous_users AS (
  SELECT cr.account_id, cr.account_name, cr.user_name, cr.arn, cr.user_creation_time, b.previous_dt
  FROM credential_report cr
  JOIN baseline b ON cr.account_id = b.account_id AND cr.dt = b.previous_dt
  WHERE cr.dt IN (SELECT previous_dt FROM baseline)
)
SELECT c.dt, c.account_id, c.account_name, c.user_name, c.arn, 'added' AS change, b.previous_dt,
  c.user_creation_time
FROM current_users c
JOIN baseline b ON b.account_id = c.account_id
WHERE NOT EXISTS (
  SELECT 1 FROM previous_users pu WHERE pu.account_id = c.account_id AND pu.arn = c.arn
)
UNION ALL
SELECT p.snapshot_dt, pu.account_id, pu.account_name, pu.user_name, pu.arn, 'removed', pu.previous_dt,
  pu.user_creation_time
FROM previous_users pu
CROSS JOIN params p
WHERE NOT EXISTS (
  SELECT 1 FROM current_users c WHERE c.account_id = pu.account_id AND c.arn = pu.arn
)
ORDER BY account_id, user_name, change
