-- Build operations and worker health: Hydra's "keep" flag on builds, and the quarantine of workers
-- whose attempts keep ending as infrastructure failures. See docs/operations.md, "Operating the queue".

-- Hydra's Builds.keep: the build's outputs are kept by garbage collection (set by the project's
-- owner or an admin at /build/<id>/keep).
ALTER TABLE builds ADD COLUMN keep boolean NOT NULL DEFAULT false;

-- The steps whose attempts on this worker ended aborted since its last success, at most one entry
-- per step. Reaching Hydra:Queue:QuarantineAfter distinct steps quarantines the worker: it gets no
-- claims until quarantined_until, for 1 min x 2^(quarantine_level - 1) up to a cap. A successful
-- attempt empties the list and resets the level.
ALTER TABLE workers ADD COLUMN failed_steps bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE workers ADD COLUMN quarantine_level integer NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN quarantined_until timestamptz;
-- Why the last attempt that counted against the worker ended: shown next to the quarantine.
ALTER TABLE workers ADD COLUMN last_failure text;
