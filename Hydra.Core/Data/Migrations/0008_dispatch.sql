-- Dispatch: matching workers to steps, the claim order (bump, fair share, local priority,
-- critical path, age) and the unsupported-system timeout. See docs/architecture.md, "The queue".

-- preferLocalBuild = 1 in the derivation: a worker whose mandatory features include "local" takes it.
ALTER TABLE steps ADD COLUMN prefer_local_build boolean NOT NULL DEFAULT false;
-- What a worker's mandatory features are checked against (Hydra's rule): the required features, plus
-- "local" when the step prefers a local build. A worker takes a step only if all its mandatory
-- features are in here, and only if it supports every required feature.
ALTER TABLE steps ADD COLUMN claim_features text[] GENERATED ALWAYS AS (
    CASE WHEN prefer_local_build THEN required_features || '{local}'::text[] ELSE required_features END) STORED;
-- Longest chain of unfinished steps that wait on this one, itself included (a top step is 1).
-- Written at ingestion, only ever raised.
ALTER TABLE steps ADD COLUMN critical_path integer NOT NULL DEFAULT 1;
-- The lowest share bucket (see jobset_shares) among the jobsets that need the step; lower runs first.
ALTER TABLE steps ADD COLUMN share_bucket integer NOT NULL DEFAULT 0;
-- Since when no recently seen worker can build this runnable step; NULL while one can.
ALTER TABLE steps ADD COLUMN unsupported_since timestamptz;

-- The claim walks this index per system in exactly the claim's order, so a claim reads a few rows
-- however many steps are queued.
DROP INDEX steps_runnable;
CREATE INDEX steps_dispatch ON steps (system, global_priority DESC, share_bucket, local_priority DESC, critical_path DESC, id)
    WHERE state = 1;

-- What each worker said in its last claim: supported and mandatory features, slots, speed.
ALTER TABLE workers ADD COLUMN features text[] NOT NULL DEFAULT '{}';
ALTER TABLE workers ADD COLUMN mandatory_features text[] NOT NULL DEFAULT '{}';
ALTER TABLE workers ADD COLUMN speed_factor double precision NOT NULL DEFAULT 1 CHECK (speed_factor > 0);

CREATE INDEX step_attempts_worker_running ON step_attempts (worker_id) WHERE state = 0;
CREATE INDEX step_attempts_started ON step_attempts (started_at);

-- The jobsets whose builds need a step (Hydra charges a step's time to each of them). Rows of steps
-- that finished before the fair-share window are pruned.
CREATE TABLE step_jobsets (
    step_id     bigint NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    jobset_id   bigint NOT NULL REFERENCES jobsets(id) ON DELETE CASCADE,
    PRIMARY KEY (step_id, jobset_id)
);
CREATE INDEX step_jobsets_jobset ON step_jobsets (jobset_id);
INSERT INTO step_jobsets (step_id, jobset_id)
SELECT DISTINCT bs.step_id, b.jobset_id
FROM build_steps bs JOIN builds b ON b.id = bs.build_id JOIN steps s ON s.id = bs.step_id
WHERE s.state < 3 OR s.finished_at > now() - interval '1 day';

-- Each jobset's step time in the fair-share window (24 h) and that time per scheduling share.
-- share_bucket = floor(log base 1.25 of (1 + share_used)): usage is compared in steps of 25 %, so a
-- jobset's steps are rewritten only when its usage moved by a quarter, not on every refresh of a
-- sliding window (a jobset with 100 shares crosses about 30 buckets in a day of one busy builder).
-- applied_bucket is the bucket its steps were last rewritten to.
CREATE TABLE jobset_shares (
    jobset_id       bigint PRIMARY KEY REFERENCES jobsets(id) ON DELETE CASCADE,
    seconds         double precision NOT NULL,
    share_used      double precision NOT NULL,
    share_bucket    integer NOT NULL,
    applied_bucket  integer NOT NULL DEFAULT 0,
    refreshed_at    timestamptz NOT NULL
);

-- Critical paths of the steps queued before this migration: raise level by level until stable.
DO $$
BEGIN
    LOOP
        UPDATE steps d SET critical_path = x.depth
        FROM (SELECT e.depends_on_id AS id, max(s.critical_path) + 1 AS depth
              FROM step_dependencies e JOIN steps s ON s.id = e.step_id
              WHERE s.state < 3
              GROUP BY e.depends_on_id) x
        WHERE d.id = x.id AND d.state < 3 AND d.critical_path < x.depth;
        EXIT WHEN NOT FOUND;
    END LOOP;
END $$;
