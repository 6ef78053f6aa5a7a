-- IAM users with administrator access, one row per way they have it: AdministratorAccess or a
-- policy allowing * on *, attached directly, inline, or through a group. Permissions boundaries
-- never grant and are not counted.
WITH params AS (
  SELECT
    (SELECT max(dt) FROM collection_runs) AS snapshot_dt
)
SELECT up.dt, up.account_id, up.account_name, up.user_name, up.arn, up.policy_name, up.policy_kind,
  up.source, up.group_name, up.policy_arn
FROM user_privileges up
CROSS JOIN params p
WHERE up.dt = p.snapshot_dt AND up.grants_admin
ORDER BY up.account_id, up.user_name, up.source, up.policy_name
