-- What a successful build leaves besides its outputs (Hydra's BuildProducts, BuildMetrics and
-- Builds.releaseName, read from the outputs' nix-support/ files by the builder), and the failure
-- cache (Hydra's FailedPaths, keyed here by derivation).

ALTER TABLE builds ADD COLUMN release_name text;

-- One row per line of nix-support/hydra-build-products, or one "nix-build" product per directory
-- output when the build declares none. product_nr counts from 1 in the order the builder reported.
-- file_size and sha256hash (base16) only for regular files; default_path is '' when absent.
CREATE TABLE build_products (
    build_id        bigint NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    product_nr      integer NOT NULL,
    type            text NOT NULL,
    subtype         text NOT NULL,
    file_size       bigint,
    sha256hash      text,
    path            text NOT NULL,
    name            text NOT NULL,
    default_path    text NOT NULL DEFAULT '',
    PRIMARY KEY (build_id, product_nr)
);

-- One row per metric of nix-support/hydra-metrics (the last line of a name wins). jobset_id, job
-- and timestamp repeat the build's, so a job's chart of a metric is one index range scan.
CREATE TABLE build_metrics (
    build_id    bigint NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    name        text NOT NULL,
    unit        text NOT NULL DEFAULT '',
    value       double precision NOT NULL,
    jobset_id   bigint NOT NULL REFERENCES jobsets(id) ON DELETE CASCADE,
    job         text NOT NULL,
    timestamp   timestamptz NOT NULL,
    PRIMARY KEY (build_id, name)
);
CREATE INDEX build_metrics_job ON build_metrics (jobset_id, job, name, timestamp DESC);

-- Derivations whose build failed permanently (status 1). A new step for one of them is not built:
-- it fails at once as a cached failure (step status 8) until the entry is cleared (restart, or
-- hydra-server clear-failed-cache / POST /api/clear-failed-cache).
CREATE TABLE failed_derivations (
    drv_path    text PRIMARY KEY,
    step_id     bigint,
    failed_at   timestamptz NOT NULL
);
