-- Hydra's generated declarative projects: the ".jobsets" jobset evaluates a job named "jobsets"
-- whose output lists the project's jobsets. decl_build_id is the newest such build whose result
-- was handled (its output applied, or its failure reported); only newer finished builds are
-- handled, so a restart neither loses nor repeats one. decl_error is why that build (or the
-- evaluation that should have made it) could not be applied; it stays on the jobset's
-- error_message across later checks until a newer build is applied. NULL on other jobsets.
ALTER TABLE jobsets ADD COLUMN decl_build_id bigint;
ALTER TABLE jobsets ADD COLUMN decl_error text;
