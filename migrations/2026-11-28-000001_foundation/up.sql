-- Organs, respondents and registered cases: the foundation every later table hangs on.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE organs (
    id uuid PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    short_name text NOT NULL CHECK (length(short_name) BETWEEN 1 AND 50),
    parent_id uuid REFERENCES organs (id),
    -- Materialised path of ids from the root, '/root/…/self/', so a subtree is one prefix match.
    path text NOT NULL UNIQUE,
    time_zone text NOT NULL DEFAULT 'Asia/Shanghai',
    case_number_pattern text NOT NULL DEFAULT '{organ_short}复〔{year}〕{seq}号',
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX organs_parent_id_idx ON organs (parent_id);
CREATE INDEX organs_path_prefix_idx ON organs (path text_pattern_ops);

CREATE TABLE respondents (
    id uuid PRIMARY KEY,
    organ_id uuid NOT NULL REFERENCES organs (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    credit_code text CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
    domain text NOT NULL CHECK (domain IN (
        'public_security', 'market_regulation', 'natural_resources', 'human_resources',
        'housing_construction', 'transport', 'ecology_environment', 'urban_management',
        'taxation', 'health', 'education', 'other')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organ_id, name)
);
CREATE INDEX respondents_domain_idx ON respondents (domain);

CREATE TABLE cases (
    id uuid PRIMARY KEY,
    organ_id uuid NOT NULL REFERENCES organs (id),
    respondent_id uuid NOT NULL REFERENCES respondents (id),
    -- Copied from the respondent at registration so figures group by the domain the case had.
    domain text NOT NULL,
    state text NOT NULL,
    version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    received_on date NOT NULL,
    channel text NOT NULL,
    act_type text NOT NULL,
    act_document_number text,
    act_date date NOT NULL,
    learned_on date NOT NULL,
    amount_fen bigint CHECK (amount_fen >= 0),
    request text NOT NULL,
    reasons text NOT NULL,
    enterprise_related boolean NOT NULL,
    late_application boolean NOT NULL,
    -- Lowercased applicant names, respondent name and document numbers for free-text search.
    search_text text NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (received_on >= act_date)
);
CREATE INDEX cases_organ_received_idx ON cases (organ_id, received_on);
CREATE INDEX cases_respondent_idx ON cases (respondent_id);
CREATE INDEX cases_state_idx ON cases (state);
CREATE INDEX cases_search_text_trgm_idx ON cases USING gin (search_text gin_trgm_ops);

CREATE TABLE case_parties (
    id uuid PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position integer NOT NULL,
    role text NOT NULL CHECK (role IN ('applicant', 'agent', 'representative', 'third_party')),
    kind text NOT NULL CHECK (kind IN ('natural_person', 'legal_person', 'other_organization')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    id_number text,
    phone text,
    address text,
    -- For agents and representatives: the position of the applicant they act for.
    acts_for integer,
    UNIQUE (case_id, position)
);
CREATE INDEX case_parties_case_idx ON case_parties (case_id);
