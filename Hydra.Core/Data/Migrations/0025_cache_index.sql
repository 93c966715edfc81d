-- The binary cache's own records (issue 7), kept in PostgreSQL so they survive a restart and are shared by every
-- web process over the same storage.

-- Which store paths each NAR file serves, so a NAR of a private project's output needs that project's token
-- just as its narinfo does. Written at upload: a row with store_path NULL when the NAR arrives (uploaded, not yet
-- published by any narinfo), a row per store path when a narinfo naming it is accepted. NAR names are content
-- hashes, so one NAR may serve several paths. NARs written around the upload endpoint (the evaluator's
-- derivations) have no rows.
CREATE TABLE cache_nar_paths (
    nar_key     text NOT NULL,
    store_path  text,
    UNIQUE NULLS NOT DISTINCT (nar_key, store_path)
);

-- NARs the cache recompressed at upload (NarRecompressor): what the worker sent (by its upload name) and what was
-- stored instead, so the narinfo that follows can be checked and rewritten after a restart too, and a second
-- upload of the same file is not recompressed again.
CREATE TABLE cache_recompressed_nars (
    uploaded_name       text PRIMARY KEY,
    uploaded_file_hash  text NOT NULL,
    uploaded_file_size  bigint NOT NULL,
    nar_hash            text NOT NULL,
    nar_size            bigint NOT NULL,
    stored_key          text NOT NULL,
    stored_file_hash    text NOT NULL,
    stored_file_size    bigint NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
