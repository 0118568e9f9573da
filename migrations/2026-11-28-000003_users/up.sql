-- Staff who sign in, their refresh tokens and failed sign-ins.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{2,64}$'),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash text NOT NULL,
    organ_id uuid NOT NULL REFERENCES organs (id),
    roles text[] NOT NULL CHECK (
        cardinality(roles) >= 1
        AND roles <@ ARRAY['officer', 'head', 'statistician', 'admin']::text[]),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_organ_idx ON users (organ_id);

-- Refresh tokens rotate: each use replaces the token with a new one of the same family. Reusing a
-- replaced token means it leaked, and revokes the whole family.
CREATE TABLE refresh_tokens (
    id uuid PRIMARY KEY,
    family_id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    token_hash bytea NOT NULL UNIQUE,
    issued_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    replaced_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE login_failures (
    id bigserial PRIMARY KEY,
    username text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_username_idx ON login_failures (username, failed_at);

ALTER TABLE cases ADD CONSTRAINT cases_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id);
ALTER TABLE case_events ADD CONSTRAINT case_events_actor_fkey FOREIGN KEY (actor_id) REFERENCES users (id);
ALTER TABLE calendar_years ADD CONSTRAINT calendar_years_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES users (id);
