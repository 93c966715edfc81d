-- Queue speed and metrics: when a step became runnable (the runnable wait time is claim time minus
-- this), and whether an attempt has started its part of the step's log (the attempt header is written
-- with the first log batch, so a claim touches no file).

-- Set on every move into state 1 (runnable), whoever makes it: ingestion, a dependency's success,
-- the repair sweep, a retry, a release, a restart. A trigger keeps every path right without each
-- statement having to remember; it fires only on rows that really change state.
ALTER TABLE steps ADD COLUMN runnable_since timestamptz NOT NULL DEFAULT now();

CREATE FUNCTION steps_runnable_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.runnable_since := clock_timestamp();
    RETURN NEW;
END $$;

CREATE TRIGGER steps_runnable_since_insert BEFORE INSERT ON steps
    FOR EACH ROW WHEN (NEW.state = 1) EXECUTE FUNCTION steps_runnable_since();
CREATE TRIGGER steps_runnable_since_update BEFORE UPDATE OF state ON steps
    FOR EACH ROW WHEN (NEW.state = 1 AND OLD.state <> 1) EXECUTE FUNCTION steps_runnable_since();

-- The attempt wrote its header into the step's log (with its first log batch).
ALTER TABLE step_attempts ADD COLUMN log_started boolean NOT NULL DEFAULT false;
