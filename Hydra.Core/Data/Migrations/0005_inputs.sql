-- Credentials for private git inputs. Write-only through the API (GET only says whether one is
-- set); removed with the input they belong to.
CREATE TABLE input_secrets (
    jobset_id   bigint NOT NULL,
    input_name  text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('ssh-key', 'token')),
    secret      text NOT NULL,
    PRIMARY KEY (jobset_id, input_name),
    FOREIGN KEY (jobset_id, input_name) REFERENCES jobset_inputs (jobset_id, name) ON DELETE CASCADE ON UPDATE CASCADE
);
