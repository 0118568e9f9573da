-- One counter that moves whenever the reference data changes: the working-day calendar, the
-- organs and the respondents. Each service process keeps that data in memory and reads the
-- counter in the same round trip as a request's own query; a different value makes it reload, so
-- a change committed through one replica shows in every replica's next answer.
CREATE TABLE reference_version (
    id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO reference_version (id, version) VALUES (1, 1);

-- Statement-level: one bump per changing statement, whatever the number of rows.
CREATE FUNCTION reference_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER organs_reference_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organs
    FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed();
CREATE TRIGGER respondents_reference_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON respondents
    FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed();
CREATE TRIGGER calendar_years_reference_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_years
    FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed();
CREATE TRIGGER calendar_days_reference_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed();

-- The service's role may read the counter; the triggers, run as the role that changes the
-- reference data, bump it (the default privileges of migration 10 grant the rest).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fuyi_app') THEN
        GRANT SELECT, UPDATE ON reference_version TO fuyi_app;
    END IF;
END
$$;
