-- Access control (issue 5): personal API tokens and project members.

-- A user's API tokens for scripts (Authorization: Bearer <token>). Only the SHA-256 of the random
-- secret is stored; the token itself is shown once, when it is created.
CREATE TABLE api_tokens (
    id              bigserial PRIMARY KEY,
    user_name       text NOT NULL REFERENCES users (user_name) ON DELETE CASCADE ON UPDATE CASCADE,
    description     text NOT NULL DEFAULT '',
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz
);
CREATE INDEX api_tokens_user_name ON api_tokens (user_name);

-- Hydra's ProjectMembers: members administer the project's jobsets and act on its builds as its owner does.
CREATE TABLE project_members (
    project_id      bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_name       text NOT NULL REFERENCES users (user_name) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (project_id, user_name)
);
CREATE INDEX project_members_user_name ON project_members (user_name);
