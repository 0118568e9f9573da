-- The role itself stays: roles belong to the whole server, and other databases on it may use it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fuyi_app') THEN
        RETURN;
    END IF;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM fuyi_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM fuyi_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM fuyi_app;
    REVOKE ALL ON ALL TABLES IN SCHEMA public FROM fuyi_app;
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM fuyi_app;
    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM fuyi_app;
    REVOKE USAGE ON SCHEMA public FROM fuyi_app;
END
$$;
