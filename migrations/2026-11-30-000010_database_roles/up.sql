-- The service's role, `fuyi_app`: it reads and writes rows, and nothing else. The role that runs
-- the migrations owns the tables; only an owner may alter a table or disable its triggers, so the
-- service cannot switch off what keeps events, follow-up records and the audit append-only.
--
-- The role is created NOLOGIN when missing (a login role is then made a member of it, or it is
-- given LOGIN, by whoever runs the server); the embedded PostgreSQL creates it with LOGIN before
-- migrating. A migrating role that may not create roles, on a server where `fuyi_app` does not
-- exist, makes no grants and says so: its tables then belong to that role alone.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fuyi_app') THEN
        IF NOT EXISTS (
            SELECT 1 FROM pg_roles
            WHERE rolname = current_user AND (rolsuper OR rolcreaterole)
        ) THEN
            RAISE NOTICE 'role fuyi_app does not exist and % may not create it: no grants made',
                current_user;
            RETURN;
        END IF;
        CREATE ROLE fuyi_app NOLOGIN;
    END IF;

    GRANT USAGE ON SCHEMA public TO fuyi_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO fuyi_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO fuyi_app;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO fuyi_app;
    -- Tables the migrating role creates later get the same grants.
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO fuyi_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO fuyi_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO fuyi_app;

    -- Append-only by grant as well as by trigger; the migrations' own record is read-only.
    REVOKE UPDATE, DELETE ON case_events, personal_data_audit FROM fuyi_app;
    REVOKE INSERT, UPDATE, DELETE ON __diesel_schema_migrations FROM fuyi_app;
END
$$;
