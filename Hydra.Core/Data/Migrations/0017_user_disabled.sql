-- The admin page (issue 5) disables users: a disabled user cannot sign in, its session and API tokens stop
-- working at the next request, and its name, roles and history stay. NULL: enabled.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
