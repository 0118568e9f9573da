-- Records kept on a concluded case after its decision (service, compliance, litigation) and the
-- opinion and recommendation letters an organ issues. None of them changes a case's state.
--
-- Records are append-only: a row is never deleted, and once a fact is recorded it never
-- changes. The few facts that arrive later on a record (the respondent's compliance, a letter's
-- receipt and report-back) fill an empty column once. Due dates are projections of recorded
-- facts and the working-day calendar, re-computed when the calendar is replaced.

CREATE FUNCTION followup_records_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'follow-up records are append-only (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

-- Allows an UPDATE only to fill empty columns, or to change the projection columns named as
-- trigger arguments.
CREATE FUNCTION followup_records_are_write_once() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    col text;
BEGIN
    FOR col IN SELECT jsonb_object_keys(old_row) LOOP
        IF old_row -> col <> 'null'::jsonb
           AND NOT (col = ANY (TG_ARGV))
           AND new_row -> col IS DISTINCT FROM old_row -> col THEN
            RAISE EXCEPTION 'follow-up records are append-only (%.% is already recorded)',
                TG_TABLE_NAME, col
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$;

-- Service of the decision (送达, art. 75), per party: the decision takes effect on service.
CREATE TABLE case_services (
    id uuid PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id),
    -- Whose service this is: an applicant, a third party (both by their position among the
    -- case's parties) or the respondent.
    recipient text NOT NULL CHECK (recipient IN ('applicant', 'third_party', 'respondent')),
    party_position integer,
    -- The position of the agent or representative who signed for the party, if one did.
    signed_by_position integer,
    method text NOT NULL CHECK (method IN ('in_person', 'post', 'electronic')),
    -- Electronic service needs the recipient's consent (Civil Procedure Law art. 90).
    electronic_consent boolean NOT NULL DEFAULT false,
    served_on date NOT NULL,
    note text CHECK (length(note) <= 2000),
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((recipient = 'respondent') = (party_position IS NULL)),
    CHECK (recipient <> 'respondent' OR signed_by_position IS NULL),
    CHECK (method <> 'electronic' OR electronic_consent)
);
CREATE INDEX case_services_case_idx ON case_services (case_id, served_on);

-- The respondent's duty under a revoke-with-remake or order-to-perform decision: the time limit
-- runs from the day the decision was served on the respondent.
CREATE TABLE case_compliance (
    case_id uuid PRIMARY KEY REFERENCES cases (id),
    organ_id uuid NOT NULL REFERENCES organs (id),
    ordered text NOT NULL CHECK (ordered IN ('remake', 'perform')),
    time_limit_days integer NOT NULL CHECK (time_limit_days >= 1),
    decided_on date NOT NULL,
    -- Projection: the first day the respondent was served; the time limit runs from here.
    starts_on date,
    -- Projection: the last day of the time limit on the calendar (null while unknown).
    due_on date,
    complied_on date,
    new_act_document_number text CHECK (length(new_act_document_number) BETWEEN 1 AND 100),
    compliance_note text CHECK (length(compliance_note) <= 2000),
    complied_recorded_by uuid REFERENCES users (id),
    complied_recorded_at timestamptz,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_on IS NULL OR starts_on >= decided_on),
    CHECK (complied_on IS NULL OR complied_on >= decided_on),
    CHECK ((complied_on IS NULL) = (complied_recorded_by IS NULL))
);
-- The deadline feed: time limits still running or missed.
CREATE INDEX case_compliance_open_idx ON case_compliance (due_on) INCLUDE (organ_id, case_id)
    WHERE complied_on IS NULL AND due_on IS NOT NULL;
-- Figures: compliance counted by its date, a missed time limit by its due date.
CREATE INDEX case_compliance_complied_idx ON case_compliance (complied_on) INCLUDE (organ_id, due_on)
    WHERE complied_on IS NOT NULL;
CREATE INDEX case_compliance_due_idx ON case_compliance (due_on) INCLUDE (organ_id, complied_on)
    WHERE due_on IS NOT NULL;

-- Follow-up measures against a respondent who does not comply (art. 77).
CREATE TABLE compliance_measures (
    id uuid PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES case_compliance (case_id),
    kind text NOT NULL CHECK (kind IN ('order_to_comply', 'interview', 'public_criticism')),
    taken_on date NOT NULL,
    -- With an order to comply: the new time limit set.
    comply_by date,
    note text CHECK (length(note) <= 2000),
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CHECK (comply_by IS NULL OR (kind = 'order_to_comply' AND comply_by >= taken_on))
);
CREATE INDEX compliance_measures_case_idx ON compliance_measures (case_id, taken_on);

-- Administrative litigation brought against the decision; several per case are possible.
CREATE TABLE lawsuits (
    id uuid PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id),
    organ_id uuid NOT NULL REFERENCES organs (id),
    court text NOT NULL CHECK (length(court) BETWEEN 1 AND 200),
    court_case_number text NOT NULL CHECK (length(court_case_number) BETWEEN 1 AND 100),
    filed_on date NOT NULL,
    -- The reconsideration organ is sued together with the original agency (co-defendant).
    organ_co_defendant boolean NOT NULL,
    note text CHECK (length(note) <= 2000),
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (court, court_case_number)
);
CREATE INDEX lawsuits_case_idx ON lawsuits (case_id);
CREATE INDEX lawsuits_organ_idx ON lawsuits (organ_id);

-- Court hearings of each instance, and whether the agency's head appeared (负责人出庭).
CREATE TABLE lawsuit_hearings (
    id uuid PRIMARY KEY,
    lawsuit_id uuid NOT NULL REFERENCES lawsuits (id),
    instance text NOT NULL CHECK (instance IN ('first', 'second', 'retrial')),
    held_on date NOT NULL,
    head_appeared boolean NOT NULL,
    note text CHECK (length(note) <= 2000),
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lawsuit_hearings_lawsuit_idx ON lawsuit_hearings (lawsuit_id, instance);
CREATE INDEX lawsuit_hearings_held_idx ON lawsuit_hearings (held_on)
    INCLUDE (lawsuit_id, instance, head_appeared);

-- The result of each instance: the agency won or lost, and how.
CREATE TABLE lawsuit_judgments (
    id uuid PRIMARY KEY,
    lawsuit_id uuid NOT NULL REFERENCES lawsuits (id),
    instance text NOT NULL CHECK (instance IN ('first', 'second', 'retrial')),
    decided_on date NOT NULL,
    result text NOT NULL CHECK (result IN (
        'claim_rejected', 'suit_dismissed', 'withdrawn', 'mediated', 'revoked', 'altered',
        'confirmed_illegal', 'confirmed_invalid', 'ordered_to_perform', 'ordered_to_pay',
        'appeal_rejected', 'reversed', 'remanded', 'other')),
    outcome text NOT NULL CHECK (outcome IN ('won', 'lost', 'neither')),
    note text CHECK (length(note) <= 2000),
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (lawsuit_id, instance)
);
CREATE INDEX lawsuit_judgments_decided_idx ON lawsuit_judgments (decided_on)
    INCLUDE (lawsuit_id, outcome) WHERE instance = 'first';

-- Opinion letters (行政复议意见书, art. 76) and recommendation letters (建议书, 2007 regulations
-- art. 57) to an agency. An opinion letter's recipient reports back within 60 days of receipt.
CREATE TABLE letters (
    id uuid PRIMARY KEY,
    organ_id uuid NOT NULL REFERENCES organs (id),
    kind text NOT NULL CHECK (kind IN ('opinion', 'recommendation')),
    document_number text NOT NULL CHECK (length(document_number) BETWEEN 1 AND 100),
    issued_on date NOT NULL,
    recipient_id uuid REFERENCES respondents (id),
    recipient_name text NOT NULL CHECK (length(recipient_name) BETWEEN 1 AND 200),
    summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
    -- The officer who follows the letter up.
    handler_id uuid NOT NULL REFERENCES users (id),
    received_on date,
    -- Projection: the report-back's last day, from receipt (or from issue while receipt is
    -- unknown); opinion letters only.
    report_due_on date,
    reported_on date,
    report_summary text CHECK (length(report_summary) <= 4000),
    reported_by uuid REFERENCES users (id),
    reported_at timestamptz,
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organ_id, document_number),
    CHECK (received_on IS NULL OR received_on >= issued_on),
    CHECK (reported_on IS NULL OR (kind = 'opinion' AND received_on IS NOT NULL
                                   AND reported_on >= received_on AND reported_by IS NOT NULL)),
    CHECK (kind = 'opinion' OR report_due_on IS NULL)
);
CREATE INDEX letters_organ_issued_idx ON letters (organ_id, issued_on) INCLUDE (kind);
CREATE INDEX letters_issued_idx ON letters (issued_on) INCLUDE (organ_id, kind);
-- The deadline feed: report-backs still awaited.
CREATE INDEX letters_report_due_idx ON letters (report_due_on) INCLUDE (organ_id, handler_id)
    WHERE reported_on IS NULL AND report_due_on IS NOT NULL;

-- The cases that prompted a letter (possibly none).
CREATE TABLE letter_cases (
    letter_id uuid NOT NULL REFERENCES letters (id),
    case_id uuid NOT NULL REFERENCES cases (id),
    PRIMARY KEY (letter_id, case_id)
);
CREATE INDEX letter_cases_case_idx ON letter_cases (case_id);

CREATE TRIGGER case_services_append_only BEFORE UPDATE OR DELETE ON case_services
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER compliance_measures_append_only BEFORE UPDATE OR DELETE ON compliance_measures
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER lawsuits_append_only BEFORE UPDATE OR DELETE ON lawsuits
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER lawsuit_hearings_append_only BEFORE UPDATE OR DELETE ON lawsuit_hearings
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER lawsuit_judgments_append_only BEFORE UPDATE OR DELETE ON lawsuit_judgments
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER letter_cases_append_only BEFORE UPDATE OR DELETE ON letter_cases
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER case_compliance_no_delete BEFORE DELETE ON case_compliance
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER case_compliance_write_once BEFORE UPDATE ON case_compliance
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_write_once('starts_on', 'due_on');
CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER letters_write_once BEFORE UPDATE ON letters
    FOR EACH ROW EXECUTE FUNCTION followup_records_are_write_once('report_due_on');
CREATE TRIGGER case_services_no_truncate BEFORE TRUNCATE ON case_services
    FOR EACH STATEMENT EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER case_compliance_no_truncate BEFORE TRUNCATE ON case_compliance
    FOR EACH STATEMENT EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER compliance_measures_no_truncate BEFORE TRUNCATE ON compliance_measures
    FOR EACH STATEMENT EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER lawsuits_no_truncate BEFORE TRUNCATE ON lawsuits
    FOR EACH STATEMENT EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER lawsuit_hearings_no_truncate BEFORE TRUNCATE ON lawsuit_hearings
    FOR EACH STATEMENT EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER lawsuit_judgments_no_truncate BEFORE TRUNCATE ON lawsuit_judgments
    FOR EACH STATEMENT EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER letters_no_truncate BEFORE TRUNCATE ON letters
    FOR EACH STATEMENT EXECUTE FUNCTION followup_records_are_immutable();
CREATE TRIGGER letter_cases_no_truncate BEFORE TRUNCATE ON letter_cases
    FOR EACH STATEMENT EXECUTE FUNCTION followup_records_are_immutable();
