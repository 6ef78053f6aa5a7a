-- Every account of the snapshot's organization snapshot, and every account with a run outcome,
-- with its collection status and reason. An account whose report was not collected is never a
-- pass: it is listed here as failed, skipped or not_collected, with why. posture_failed marks
-- an account whose report was collected but whose posture and privileges could not be read.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt
),
org AS (
  SELECT a.*
  FROM accounts a
  CROSS JOIN params p
  WHERE a.dt = p.snapshot_dt
),
runs AS (
  SELECT r.*
  FROM collection_runs r
  CROSS JOIN params p
  WHERE r.dt = p.snapshot_dt
)
SELECT p.snapshot_dt AS dt,
  coalesce(org.account_id, runs.account_id) AS account_id,
  coalesce(org.name, runs.account_name) AS account_name,
  org.state,
  org.ou_path,
  coalesce(runs.status, 'not_collected') AS status,
  CASE WHEN runs.account_id IS NULL THEN 'no_run_record' ELSE runs.reason END AS reason,
  runs.message,
  runs.report_generated_at,
  runs.report_age_hours,
  runs.user_count,
  runs.attempts,
  runs.posture_failed,
  runs.posture_message,
  runs.run_id
FROM org
FULL OUTER JOIN runs ON org.account_id = runs.account_id
CROSS JOIN params p
ORDER BY CASE coalesce(runs.status, 'not_collected') WHEN 'failed' THEN 0 WHEN 'not_collected' THEN 1
  WHEN 'skipped' THEN 2 ELSE 3 END, 2
