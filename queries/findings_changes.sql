-- What changed in each account between its snapshot at snapshot_dt and its previous collected
-- one: every finding that is new and every finding that was resolved, with its check's severity,
-- matched on the finding's stable key (check, account, user, credential; never an age). Read
-- from the findings table (one file per day) for those two snapshots only. Nothing unknown is
-- read as resolved: an account not collected at snapshot_dt is listed as not_collected, one
-- with no earlier collected snapshot as no_previous_snapshot, and a check that could not run in
-- either snapshot (posture not read) as not_evaluated, each with no finding. Every account that
-- was compared also gets one row `compared` (with its previous_dt), so a day on which nothing
-- changed is told apart from a day on which nothing could be compared. A finding a waiver
-- covered in the previous snapshot and no longer does (the waiver lapsed or was withdrawn) is
-- `reopened`. Findings carry their owner and waiver status.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt
),
runs_now AS (
  SELECT r.account_id, r.account_name, r.status, r.reason
  FROM collection_runs r
  CROSS JOIN params p
  WHERE r.dt = p.snapshot_dt
),
baseline AS (
  SELECT r.account_id, max(r.dt) AS previous_dt
  FROM collection_runs r
  CROSS JOIN params p
  WHERE r.dt < p.snapshot_dt
    AND r.status = 'collected'
    AND r.account_id IN (SELECT account_id FROM runs_now WHERE status = 'collected')
  GROUP BY r.account_id
),
judged_now AS (
  SELECT d.account_id, d.check_name, d.evaluated
  FROM findings_daily d
  CROSS JOIN params p
  WHERE d.dt = p.snapshot_dt
),
judged_before AS (
  SELECT d.account_id, d.check_name, d.evaluated
  FROM findings_daily d
  JOIN baseline b ON b.account_id = d.account_id AND d.dt = b.previous_dt
  WHERE d.dt IN (SELECT previous_dt FROM baseline)
),
compared AS (
  SELECT n.account_id, n.check_name, n.evaluated AND o.evaluated AS comparable
  FROM judged_now n
  JOIN judged_before o ON o.account_id = n.account_id AND o.check_name = n.check_name
),
now_found AS (
  SELECT f.account_id, f.account_name, f.check_name, f.severity, f.finding_key, f.user_name, f.detail,
    f.owner, f.waiver_status, f.waiver_id
  FROM findings f
  CROSS JOIN params p
  WHERE f.dt = p.snapshot_dt
),
before_found AS (
  SELECT f.account_id, f.account_name, f.check_name, f.severity, f.finding_key, f.user_name, f.detail,
    f.owner, f.waiver_status, f.waiver_id
  FROM findings f
  JOIN baseline b ON b.account_id = f.account_id AND f.dt = b.previous_dt
  WHERE f.dt IN (SELECT previous_dt FROM baseline)
),
changes AS (
  SELECT n.account_id, n.account_name, n.check_name, n.severity, 'new' AS change, n.finding_key, n.user_name,
    n.detail, n.owner, n.waiver_status, n.waiver_id
  FROM now_found n
  JOIN compared c ON c.account_id = n.account_id AND c.check_name = n.check_name AND c.comparable
  WHERE NOT EXISTS (SELECT 1 FROM before_found o WHERE o.finding_key = n.finding_key)
  UNION ALL
  SELECT n.account_id, n.account_name, n.check_name, n.severity, 'reopened', n.finding_key, n.user_name,
    n.detail, n.owner, n.waiver_status, n.waiver_id
  FROM now_found n
  JOIN before_found o ON o.finding_key = n.finding_key
  JOIN compared c ON c.account_id = n.account_id AND c.check_name = n.check_name AND c.comparable
  WHERE o.waiver_status = 'waived' AND n.waiver_status <> 'waived'
  UNION ALL
  SELECT o.account_id, o.account_name, o.check_name, o.severity, 'resolved', o.finding_key, o.user_name,
    o.detail, o.owner, o.waiver_status, o.waiver_id
  FROM before_found o
  JOIN compared c ON c.account_id = o.account_id AND c.check_name = o.check_name AND c.comparable
  WHERE NOT EXISTS (SELECT 1 FROM now_found n WHERE n.finding_key = o.finding_key)
  UNION ALL
  SELECT c.account_id, r.account_name, c.check_name, CAST(NULL AS VARCHAR), 'not_evaluated',
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
  FROM compared c
  JOIN runs_now r ON r.account_id = c.account_id
  WHERE NOT c.comparable
  UNION ALL
  SELECT r.account_id, r.account_name, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),
    CASE WHEN r.status <> 'collected' THEN 'not_collected' ELSE 'no_previous_snapshot' END,
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), r.reason, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),
    CAST(NULL AS VARCHAR)
  FROM runs_now r
  LEFT JOIN baseline b ON b.account_id = r.account_id
  WHERE r.status <> 'collected' OR b.previous_dt IS NULL
  UNION ALL
  SELECT r.account_id, r.account_name, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), 'compared',
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
  FROM runs_now r
  JOIN baseline b ON b.account_id = r.account_id
)
SELECT p.snapshot_dt AS dt, c.account_id, c.account_name, c.check_name, c.severity, c.change, c.finding_key,
  c.user_name, c.detail, c.owner, c.waiver_status, c.waiver_id, b.previous_dt
FROM changes c
CROSS JOIN params p
LEFT JOIN baseline b ON b.account_id = c.account_id
ORDER BY
  CASE c.change WHEN 'new' THEN 1 WHEN 'reopened' THEN 2 WHEN 'resolved' THEN 3 WHEN 'not_collected' THEN 4
    WHEN 'compared' THEN 6 ELSE 5 END,
  CASE c.severity WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3 WHEN 'low' THEN 4 ELSE 5 END,
  c.account_id, c.check_name, c.finding_key
