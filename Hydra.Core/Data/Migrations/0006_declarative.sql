-- Declarative projects (Hydra's declfile/decltype/declvalue): the spec file, the type of the input
-- holding it and that input's value. All three are NULL on an ordinary project.
ALTER TABLE projects ADD COLUMN decl_file text;
ALTER TABLE projects ADD COLUMN decl_type text;
ALTER TABLE projects ADD COLUMN decl_value text;
ALTER TABLE projects ADD CONSTRAINT projects_declarative_complete CHECK (
    (decl_file IS NULL AND decl_type IS NULL AND decl_value IS NULL)
    OR (decl_file IS NOT NULL AND decl_type IS NOT NULL AND decl_value IS NOT NULL));

-- A declarative project's spec is read by a hidden jobset named ".jobsets" (Hydra's convention).
-- It is the one jobset name allowed to start with a dot, so no user jobset can take it.
ALTER TABLE jobsets DROP CONSTRAINT jobsets_name_check;
ALTER TABLE jobsets ADD CONSTRAINT jobsets_name_check CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]*$' OR name = '.jobsets');
