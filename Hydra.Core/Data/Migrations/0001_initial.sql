-- Initial schema. Names are snake_case so hand-written SQL reads cleanly.
-- Build and step status codes follow Hydra (see Hydra.Core/BuildStatus.cs).

CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    user_name       text NOT NULL UNIQUE,
    full_name       text NOT NULL DEFAULT '',
    email_address   text NOT NULL DEFAULT '',
    password_hash   text NOT NULL,
    roles           text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL
);

CREATE TABLE projects (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_-]*$'),
    display_name    text NOT NULL,
    description     text NOT NULL DEFAULT '',
    homepage        text NOT NULL DEFAULT '',
    owner           text NOT NULL,
    enabled         boolean NOT NULL DEFAULT true,
    hidden          boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL
);

CREATE TABLE jobsets (
    id                  bigserial PRIMARY KEY,
    project_id          bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name                text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'),
    description         text NOT NULL DEFAULT '',
    nix_expr_input      text NOT NULL,
    nix_expr_path       text NOT NULL,
    enabled             smallint NOT NULL DEFAULT 1,
    hidden              boolean NOT NULL DEFAULT false,
    check_interval      integer NOT NULL DEFAULT 300 CHECK (check_interval >= 0),
    scheduling_shares   integer NOT NULL DEFAULT 100 CHECK (scheduling_shares > 0),
    keep_nr             integer NOT NULL DEFAULT 3,
    email_override      text NOT NULL DEFAULT '',
    enable_email        boolean NOT NULL DEFAULT false,
    trigger_time        timestamptz,
    force_eval          boolean NOT NULL DEFAULT false,
    last_checked_at     timestamptz,
    eval_started_at     timestamptz,
    error_message       text,
    error_time          timestamptz,
    created_at          timestamptz NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE jobset_inputs (
    jobset_id           bigint NOT NULL REFERENCES jobsets(id) ON DELETE CASCADE,
    name                text NOT NULL,
    type                text NOT NULL,
    value               text NOT NULL,
    email_responsible   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (jobset_id, name)
);

CREATE TABLE evaluations (
    id                  bigserial PRIMARY KEY,
    jobset_id           bigint NOT NULL REFERENCES jobsets(id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL,
    checkout_seconds    double precision NOT NULL DEFAULT 0,
    eval_seconds        double precision NOT NULL DEFAULT 0,
    has_new_builds      boolean NOT NULL DEFAULT false,
    inputs_hash         text NOT NULL,
    nr_builds           integer NOT NULL DEFAULT 0,
    nr_errors           integer NOT NULL DEFAULT 0,
    nix_expr_input      text NOT NULL,
    nix_expr_path       text NOT NULL
);
CREATE INDEX evaluations_jobset ON evaluations (jobset_id, id DESC);

CREATE TABLE evaluation_inputs (
    evaluation_id   bigint NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    name            text NOT NULL,
    type            text NOT NULL,
    uri             text,
    revision        text,
    value           text,
    path            text,
    PRIMARY KEY (evaluation_id, name)
);

-- Per-job evaluation failures; the other jobs of the evaluation still build.
CREATE TABLE evaluation_errors (
    evaluation_id   bigint NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    job             text NOT NULL,
    message         text NOT NULL,
    PRIMARY KEY (evaluation_id, job)
);

-- One row per derivation to build. Shared by every build that needs it while unfinished.
-- state: 0 pending (waits on dependencies), 1 runnable, 2 running, 3 succeeded, 4 failed, 5 cancelled.
CREATE TABLE steps (
    id                  bigserial PRIMARY KEY,
    drv_path            text NOT NULL,
    system              text NOT NULL,
    output_paths        text[] NOT NULL DEFAULT '{}',
    required_features   text[] NOT NULL DEFAULT '{}',
    state               smallint NOT NULL,
    status              integer,
    error_message       text,
    tries               integer NOT NULL DEFAULT 0,
    global_priority     integer NOT NULL DEFAULT 0,
    local_priority      integer NOT NULL DEFAULT 100,
    current_attempt_id  bigint,
    runnable_after      timestamptz,
    created_at          timestamptz NOT NULL,
    started_at          timestamptz,
    finished_at         timestamptz
);
CREATE UNIQUE INDEX steps_unfinished_drv ON steps (drv_path) WHERE state < 3;
CREATE INDEX steps_runnable ON steps (system, global_priority DESC, local_priority DESC, id) WHERE state = 1;
CREATE INDEX steps_running ON steps (id) WHERE state = 2;
CREATE INDEX steps_pending ON steps (id) WHERE state = 0;
CREATE INDEX steps_drv ON steps (drv_path);

CREATE TABLE step_dependencies (
    step_id         bigint NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    depends_on_id   bigint NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    PRIMARY KEY (step_id, depends_on_id)
);
CREATE INDEX step_dependencies_reverse ON step_dependencies (depends_on_id);

CREATE TABLE workers (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    token_hash      text NOT NULL UNIQUE,
    systems         text[] NOT NULL DEFAULT '{}',
    max_jobs        integer NOT NULL DEFAULT 1,
    enabled         boolean NOT NULL DEFAULT true,
    last_seen_at    timestamptz,
    created_at      timestamptz NOT NULL
);

-- Each claim of a step is an attempt. Its id is the fencing token: a report is accepted only
-- while the step still names this attempt as current and the lease has not been taken back.
-- state: 0 running, 1 succeeded, 2 failed, 3 aborted (infrastructure; the step is retried).
CREATE TABLE step_attempts (
    id                  bigserial PRIMARY KEY,
    step_id             bigint NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    worker_id           bigint NOT NULL REFERENCES workers(id),
    state               smallint NOT NULL DEFAULT 0,
    lease_expires_at    timestamptz NOT NULL,
    started_at          timestamptz NOT NULL,
    finished_at         timestamptz,
    exit_code           integer,
    error_message       text
);
CREATE INDEX step_attempts_step ON step_attempts (step_id, id DESC);
CREATE INDEX step_attempts_running ON step_attempts (lease_expires_at) WHERE state = 0;

CREATE TABLE builds (
    id                  bigserial PRIMARY KEY,
    jobset_id           bigint NOT NULL REFERENCES jobsets(id) ON DELETE CASCADE,
    job                 text NOT NULL,
    nix_name            text NOT NULL,
    description         text,
    drv_path            text NOT NULL,
    system              text NOT NULL,
    top_step_id         bigint REFERENCES steps(id),
    finished            boolean NOT NULL DEFAULT false,
    build_status        integer,
    is_cached_build     boolean NOT NULL DEFAULT false,
    priority            integer NOT NULL DEFAULT 100,
    global_priority     integer NOT NULL DEFAULT 0,
    queued_at           timestamptz NOT NULL,
    start_time          timestamptz,
    stop_time           timestamptz,
    CHECK (NOT finished OR build_status IS NOT NULL)
);
CREATE INDEX builds_unfinished ON builds (id) WHERE NOT finished;
CREATE INDEX builds_top_step ON builds (top_step_id) WHERE NOT finished;
CREATE INDEX builds_jobset_job ON builds (jobset_id, job, id DESC);
CREATE INDEX builds_drv ON builds (drv_path);

CREATE TABLE build_outputs (
    build_id    bigint NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    name        text NOT NULL,
    path        text NOT NULL,
    PRIMARY KEY (build_id, name)
);
CREATE INDEX build_outputs_path ON build_outputs (path);

-- Every step in a build's derivation graph (including its top-level step).
CREATE TABLE build_steps (
    build_id    bigint NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    step_id     bigint NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    PRIMARY KEY (build_id, step_id)
);
CREATE INDEX build_steps_step ON build_steps (step_id);

CREATE TABLE evaluation_members (
    evaluation_id   bigint NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    build_id        bigint NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    is_new          boolean NOT NULL,
    PRIMARY KEY (evaluation_id, build_id)
);
CREATE INDEX evaluation_members_build ON evaluation_members (build_id);
