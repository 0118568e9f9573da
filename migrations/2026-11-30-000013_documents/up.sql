-- Issued documents (法律文书) of a case, their numbers, the organs' own templates and the
-- service (送达) of each document to each recipient.

-- One gap-free sequence per organ, year and kind, allocated inside the issuing transaction like
-- case_number_counters: the row stays locked until commit, so racing issues queue up and a
-- rolled-back issue gives its number back.
CREATE TABLE document_number_counters (
    organ_id uuid NOT NULL REFERENCES organs (id),
    year integer NOT NULL,
    kind text NOT NULL,
    last_seq integer NOT NULL CHECK (last_seq > 0),
    PRIMARY KEY (organ_id, year, kind)
);

-- Every version of every document. A generated document is version 1; an edited final version
-- (origin 'final') or a correction (origin 'correction') is a new row with the same number that
-- names the version it replaces. Rows never change (see the trigger below).
CREATE TABLE documents (
    id uuid PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id),
    organ_id uuid NOT NULL REFERENCES organs (id),
    kind text NOT NULL,
    document_number text NOT NULL,
    issued_on date NOT NULL,
    version integer NOT NULL CHECK (version > 0),
    origin text NOT NULL CHECK (origin IN ('generated', 'final', 'correction')),
    replaces_id uuid REFERENCES documents (id),
    served_document_id uuid REFERENCES documents (id),
    note text,
    file_name text NOT NULL,
    content bytea NOT NULL,
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((version = 1) = (replaces_id IS NULL)),
    CHECK ((origin = 'generated') = (replaces_id IS NULL))
);
-- A version is replaced at most once: the versions of a document form one line.
CREATE UNIQUE INDEX documents_replaces_once ON documents (replaces_id) WHERE replaces_id IS NOT NULL;
CREATE INDEX documents_of_case ON documents (case_id, created_at);
-- Two first versions never share a number within an organ.
CREATE UNIQUE INDEX documents_number_once ON documents (organ_id, document_number) WHERE version = 1;

CREATE FUNCTION documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an issued document is immutable; issue a correction instead'
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_immutable();

-- An organ's replacement of a kind's shipped template.
CREATE TABLE document_templates (
    organ_id uuid NOT NULL REFERENCES organs (id),
    kind text NOT NULL,
    body text NOT NULL,
    updated_by uuid NOT NULL REFERENCES users (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organ_id, kind)
);

-- Service of a document on one recipient: how, when, and the returned proof (an attachment).
CREATE TABLE document_services (
    id uuid PRIMARY KEY,
    document_id uuid NOT NULL REFERENCES documents (id),
    case_id uuid NOT NULL REFERENCES cases (id),
    recipient_role text NOT NULL
        CHECK (recipient_role IN ('applicant', 'respondent', 'third_party')),
    recipient_name text NOT NULL,
    method text NOT NULL CHECK (method IN ('in_person', 'post', 'electronic')),
    served_on date NOT NULL,
    proof_attachment_id uuid,
    note text,
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_services_of_case ON document_services (case_id, served_on);
