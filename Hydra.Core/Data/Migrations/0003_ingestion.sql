-- Job meta on builds (Hydra's license/homepage/maintainers/timeout/maxsilent/ischannel), the
-- "current" flag of the jobset's latest evaluation, and aggregate constituents.
-- builds.priority (already there) holds meta.schedulingPriority; steps.local_priority is the
-- highest priority of the builds that need the step.
ALTER TABLE builds ADD COLUMN license text;
ALTER TABLE builds ADD COLUMN homepage text;
ALTER TABLE builds ADD COLUMN maintainers text;
-- Seconds; null means the queue's defaults.
ALTER TABLE builds ADD COLUMN timeout integer;
ALTER TABLE builds ADD COLUMN max_silent integer;
ALTER TABLE builds ADD COLUMN is_channel boolean NOT NULL DEFAULT false;
-- True for the builds of the jobset's latest successful evaluation; set after ingestion in
-- id-ordered batches, outside the evaluation's transaction.
ALTER TABLE builds ADD COLUMN is_current boolean NOT NULL DEFAULT false;
CREATE INDEX builds_current ON builds (jobset_id, job) WHERE is_current;

-- An aggregate job's build and the builds of its constituent jobs in the same evaluation.
CREATE TABLE aggregate_constituents (
    aggregate_id    bigint NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    constituent_id  bigint NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    PRIMARY KEY (aggregate_id, constituent_id)
);
CREATE INDEX aggregate_constituents_constituent ON aggregate_constituents (constituent_id);
