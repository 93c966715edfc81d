-- Notifications (issue 7) and forge statuses (issue 6): sinks configured per project or jobset, a durable
-- outbox of events written by triggers in the transaction of the state change, and one delivery per
-- event and sink, retried with backoff until it succeeds or runs out of attempts.

-- Where notifications go. jobset_id NULL: every jobset of the project. kind says what settings holds:
-- email {to}, slack {url, force}, matrix {homeserver, room, token}, webhook {url, secret},
-- run_command {command}, github/gitea/gitlab {token, apiUrl, repo, input, context, checkRuns}.
CREATE TABLE notification_sinks (
    id              bigserial PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    jobset_id       bigint REFERENCES jobsets (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('email', 'slack', 'matrix', 'webhook', 'run_command', 'github', 'gitea', 'gitlab')),
    name            text NOT NULL DEFAULT '',
    enabled         boolean NOT NULL DEFAULT true,
    -- Event kinds this sink receives (notification_events.kind).
    events          text[] NOT NULL,
    -- Which jobs: a glob over the job name ('*' any run of characters).
    jobs            text NOT NULL DEFAULT '*',
    settings        jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL
);
CREATE INDEX notification_sinks_project ON notification_sinks (project_id) WHERE enabled;

-- The outbox. Rows are inserted only for jobsets with an enabled sink, so a farm without sinks pays one
-- index probe per statement that changes builds, jobsets or evaluations.
-- kind: evaluation_started, evaluation_failed, evaluation_finished, evaluation_completed (all its builds
-- finished; written by the fan-out), build_queued, build_started, build_finished.
CREATE TABLE notification_events (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,
    project_id      bigint NOT NULL,
    jobset_id       bigint NOT NULL,
    evaluation_id   bigint,
    build_id        bigint,
    job             text,
    build_status    integer,
    message         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    fanned_out      boolean NOT NULL DEFAULT false
);
CREATE INDEX notification_events_pending ON notification_events (id) WHERE NOT fanned_out;
CREATE UNIQUE INDEX notification_events_completed ON notification_events (evaluation_id) WHERE kind = 'evaluation_completed';

-- One delivery of one event to one sink. state: 0 pending (due at next_attempt_at; a worker that takes it
-- moves next_attempt_at a lease ahead, so a crash mid-delivery retries it), 1 delivered, 2 failed (out of
-- attempts or refused for good; retryable from /admin/notifications).
CREATE TABLE notification_deliveries (
    id              bigserial PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES notification_events (id) ON DELETE CASCADE,
    sink_id         bigint NOT NULL REFERENCES notification_sinks (id) ON DELETE CASCADE,
    state           smallint NOT NULL DEFAULT 0,
    attempts        integer NOT NULL DEFAULT 0,
    -- attempts when an administrator last retried it: the attempts after that count against the limit.
    retried_at      integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_attempt_at timestamptz,
    last_error      text,
    note            text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL,
    UNIQUE (event_id, sink_id)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at, id) WHERE state = 0;
CREATE INDEX notification_deliveries_failed ON notification_deliveries (id DESC) WHERE state = 2;
CREATE INDEX notification_deliveries_sink ON notification_deliveries (sink_id);

-- What RunCommand sinks ran for a build, shown on the build page (Hydra's RunCommandLogs).
CREATE TABLE run_command_logs (
    id              bigserial PRIMARY KEY,
    build_id        bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    sink_id         bigint REFERENCES notification_sinks (id) ON DELETE SET NULL,
    delivery_id     bigint,
    command         text NOT NULL,
    exit_code       integer,
    output          text NOT NULL DEFAULT '',
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz
);
CREATE INDEX run_command_logs_build ON run_command_logs (build_id, id);

-- Statement-level triggers with transition tables: one INSERT ... SELECT per statement however many rows
-- it changed, so the group-committed claim and success statements stay one statement each, and every
-- path that changes a build (completion, cancel, restart, the repair sweep, ingestion) is covered.
-- Whether a jobset has an enabled sink (of the project or its own): events are written only then. Inlined
-- by the planner (LANGUAGE sql, STABLE).
CREATE FUNCTION notification_wanted(project bigint, jobset bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM notification_sinks s
                   WHERE s.enabled AND s.project_id = project AND (s.jobset_id IS NULL OR s.jobset_id = jobset))
$$;

CREATE FUNCTION notification_builds_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM notification_sinks WHERE enabled) THEN
        RETURN NULL;
    END IF;
    INSERT INTO notification_events (kind, project_id, jobset_id, build_id, job, build_status)
    SELECT CASE WHEN n.finished THEN 'build_finished' ELSE 'build_queued' END, j.project_id, n.jobset_id, n.id, n.job, n.build_status
    FROM new_builds n JOIN jobsets j ON j.id = n.jobset_id
    WHERE notification_wanted(j.project_id, j.id)
    ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE FUNCTION notification_builds_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM notification_sinks WHERE enabled) THEN
        RETURN NULL;
    END IF;
    INSERT INTO notification_events (kind, project_id, jobset_id, build_id, job, build_status)
    SELECT k.kind, j.project_id, n.jobset_id, n.id, n.job, n.build_status
    FROM old_builds o
    JOIN new_builds n ON n.id = o.id
    JOIN jobsets j ON j.id = n.jobset_id
    CROSS JOIN LATERAL (VALUES
        (1, CASE WHEN o.finished AND NOT n.finished THEN 'build_queued' END),
        (2, CASE WHEN o.start_time IS NULL AND n.start_time IS NOT NULL AND NOT n.finished THEN 'build_started' END),
        (3, CASE WHEN NOT o.finished AND n.finished THEN 'build_finished' END)) k (nr, kind)
    WHERE (o.finished <> n.finished OR (o.start_time IS NULL AND n.start_time IS NOT NULL))
      AND k.kind IS NOT NULL
      AND notification_wanted(j.project_id, j.id)
    ORDER BY n.id, k.nr;
    RETURN NULL;
END $$;

CREATE FUNCTION notification_jobsets_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM notification_sinks WHERE enabled) THEN
        RETURN NULL;
    END IF;
    INSERT INTO notification_events (kind, project_id, jobset_id, message)
    SELECT k.kind, n.project_id, n.id, k.message
    FROM old_jobsets o
    JOIN new_jobsets n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES
        (1, CASE WHEN n.eval_started_at IS NOT NULL AND n.eval_started_at IS DISTINCT FROM o.eval_started_at THEN 'evaluation_started' END, NULL),
        (2, CASE WHEN o.eval_started_at IS NOT NULL AND n.eval_started_at IS NULL AND n.error_message IS NOT NULL
                      AND n.error_time IS DISTINCT FROM o.error_time THEN 'evaluation_failed' END, n.error_message)) k (nr, kind, message)
    WHERE k.kind IS NOT NULL
      AND notification_wanted(n.project_id, n.id)
    ORDER BY n.id, k.nr;
    RETURN NULL;
END $$;

CREATE FUNCTION notification_evaluations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM notification_sinks WHERE enabled) THEN
        RETURN NULL;
    END IF;
    INSERT INTO notification_events (kind, project_id, jobset_id, evaluation_id)
    SELECT 'evaluation_finished', j.project_id, n.jobset_id, n.id
    FROM new_evaluations n JOIN jobsets j ON j.id = n.jobset_id
    WHERE notification_wanted(j.project_id, j.id)
    ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE TRIGGER builds_notification_insert AFTER INSERT ON builds
    REFERENCING NEW TABLE AS new_builds FOR EACH STATEMENT EXECUTE FUNCTION notification_builds_inserted();
CREATE TRIGGER builds_notification_update AFTER UPDATE ON builds
    REFERENCING OLD TABLE AS old_builds NEW TABLE AS new_builds FOR EACH STATEMENT EXECUTE FUNCTION notification_builds_updated();
CREATE TRIGGER jobsets_notification_update AFTER UPDATE ON jobsets
    REFERENCING OLD TABLE AS old_jobsets NEW TABLE AS new_jobsets FOR EACH STATEMENT EXECUTE FUNCTION notification_jobsets_updated();
CREATE TRIGGER evaluations_notification_insert AFTER INSERT ON evaluations
    REFERENCING NEW TABLE AS new_evaluations FOR EACH STATEMENT EXECUTE FUNCTION notification_evaluations_inserted();
