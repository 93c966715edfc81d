-- Channels and releases (issue 7): a channel is a named pointer to an evaluation of a jobset. Its
-- history is append-only: every promotion, automatic advance and rollback adds a revision, and the
-- newest revision is the channel's current one. See docs/channels.md.

CREATE TABLE channels (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'),
    jobset_id       bigint NOT NULL REFERENCES jobsets(id) ON DELETE CASCADE,
    -- The job the channel follows (typically an aggregate such as "tested"); null: promoted by hand only.
    follow_job      text,
    description     text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL
);
CREATE INDEX channels_jobset ON channels (jobset_id);

-- kind: 'follow' (advanced automatically), 'promote' (by a release manager), 'rollback' (back to the
-- evaluation of an earlier revision, named by rolled_back_to). promoted_by is null for 'follow'.
CREATE TABLE channel_revisions (
    id              bigserial PRIMARY KEY,
    channel_id      bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    evaluation_id   bigint NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    build_id        bigint REFERENCES builds(id) ON DELETE SET NULL,
    kind            text NOT NULL CHECK (kind IN ('follow', 'promote', 'rollback')),
    promoted_by     text,
    rolled_back_to  bigint REFERENCES channel_revisions(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX channel_revisions_channel ON channel_revisions (channel_id, id DESC);
CREATE INDEX channel_revisions_evaluation ON channel_revisions (evaluation_id);
-- Two servers following the same channel cannot both record the same advance.
CREATE UNIQUE INDEX channel_revisions_follow ON channel_revisions (channel_id, evaluation_id) WHERE kind = 'follow';
