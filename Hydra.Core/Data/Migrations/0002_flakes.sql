-- Flake jobsets (Hydra's type 1): the flake URL on the jobset, the locked URL on each evaluation.
ALTER TABLE jobsets ADD COLUMN type smallint NOT NULL DEFAULT 0 CHECK (type IN (0, 1));
ALTER TABLE jobsets ADD COLUMN flake text;
ALTER TABLE jobsets ALTER COLUMN nix_expr_input DROP NOT NULL;
ALTER TABLE jobsets ALTER COLUMN nix_expr_path DROP NOT NULL;
ALTER TABLE jobsets ADD CONSTRAINT jobsets_legacy_or_flake CHECK (
    (type = 0 AND nix_expr_input IS NOT NULL AND nix_expr_path IS NOT NULL) OR (type = 1 AND flake IS NOT NULL));
ALTER TABLE evaluations ADD COLUMN flake text;
ALTER TABLE evaluations ALTER COLUMN nix_expr_input DROP NOT NULL;
ALTER TABLE evaluations ALTER COLUMN nix_expr_path DROP NOT NULL;
