-- Files attached to a case (evidence, application materials, the reply, signed proofs of
-- service), stored in PostgreSQL in chunks so that neither upload nor download ever holds a
-- whole file in memory. A deletion is a recorded withdrawal; the bytes stay until retention.
CREATE TABLE attachments (
    id uuid PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id),
    kind text NOT NULL CHECK (kind IN ('evidence', 'application_material', 'reply',
        'reply_evidence', 'proof_of_service', 'other')),
    source text NOT NULL CHECK (source IN ('applicant', 'respondent', 'third_party', 'organ')),
    file_name text NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    sha256 bytea NOT NULL,
    chunks integer NOT NULL CHECK (chunks >= 0),
    uploaded_by uuid NOT NULL REFERENCES users (id),
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz,
    withdrawn_by uuid REFERENCES users (id),
    withdrawal_reason text,
    CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL))
);
CREATE INDEX attachments_of_case ON attachments (case_id, uploaded_at);

CREATE TABLE attachment_chunks (
    attachment_id uuid NOT NULL REFERENCES attachments (id),
    seq integer NOT NULL CHECK (seq >= 0),
    data bytea NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);
-- Most uploads (PDF, JPEG, PNG, ZIP-based office files) are compressed already: storing the
-- chunks out of line without compression saves PostgreSQL a futile pass over every byte.
ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

ALTER TABLE document_services ADD CONSTRAINT document_services_proof_fkey
    FOREIGN KEY (proof_attachment_id) REFERENCES attachments (id);
