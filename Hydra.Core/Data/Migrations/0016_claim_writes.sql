-- Claim+complete speed (issue 4): fewer index entries written per step. Each claim inserts an attempt and
-- moves a step and its builds; each success moves them again. Every index on a row that is not updated
-- HOT costs an entry per new row version, so indexes no query needs go, and the tables updated in place
-- keep room on their pages for HOT updates. See docs/architecture.md, "Claims write little".

-- No query looks up running steps by id alone: running steps are found through their attempts.
DROP INDEX steps_running;

-- Running attempts are few (at most the workers' slots) and every reader of them (the slot count of a
-- claim, the lease reaper, the machines page) goes through step_attempts_worker_running (worker_id)
-- WHERE state = 0. Without an index on lease_expires_at a heartbeat, which moves only the lease,
-- can be a HOT update.
DROP INDEX step_attempts_running;

-- Only the fair-share window reads attempts by start time (started_at >= now - 24 h), and attempts are
-- inserted in start order: a BRIN index answers that range and costs next to nothing per insert.
DROP INDEX step_attempts_started;
CREATE INDEX step_attempts_started ON step_attempts USING brin (started_at);

-- A claim sets builds.start_time and a heartbeat moves step_attempts.lease_expires_at, neither of them
-- indexed: with free room on the page those updates are HOT (no index entry at all). Applies to pages
-- written from now on.
ALTER TABLE builds SET (fillfactor = 90);
ALTER TABLE step_attempts SET (fillfactor = 90);
