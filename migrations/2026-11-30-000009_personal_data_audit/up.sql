-- Who saw a case's personal data unmasked, when, and through which endpoint. One row per answer
-- that showed it; rows are evidence and never change.
CREATE TABLE personal_data_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    viewed_at timestamptz NOT NULL DEFAULT now(),
    user_id uuid NOT NULL REFERENCES users (id),
    -- The sign-in name at the time, so the row reads on its own.
    username text NOT NULL,
    case_id uuid NOT NULL REFERENCES cases (id),
    -- Method and route, e.g. `GET /api/v1/cases/{id}`.
    endpoint text NOT NULL CHECK (length(endpoint) BETWEEN 1 AND 200)
);
CREATE INDEX personal_data_audit_case_idx ON personal_data_audit (case_id, id);
CREATE INDEX personal_data_audit_user_idx ON personal_data_audit (user_id, id);
CREATE INDEX personal_data_audit_viewed_idx ON personal_data_audit (viewed_at);

CREATE FUNCTION personal_data_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the personal-data audit is append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER personal_data_audit_no_update_or_delete
    BEFORE UPDATE OR DELETE ON personal_data_audit
    FOR EACH ROW EXECUTE FUNCTION personal_data_audit_is_append_only();
CREATE TRIGGER personal_data_audit_no_truncate
    BEFORE TRUNCATE ON personal_data_audit
    FOR EACH STATEMENT EXECUTE FUNCTION personal_data_audit_is_append_only();
