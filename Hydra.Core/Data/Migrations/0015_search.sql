-- Search (Hydra.Web/Pages/Search): job names match anywhere in the name, which a btree cannot serve.
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX builds_current_job_trgm ON builds USING gin (job gin_trgm_ops) WHERE is_current;
