//! Diesel's description of the tables, kept in step with `migrations/` by hand and checked by the
//! migration round-trip test.

diesel::table! {
    organs (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        short_name -> Text,
        parent_id -> Nullable<Uuid>,
        path -> Text,
        time_zone -> Text,
        case_number_pattern -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    respondents (id) {
        id -> Uuid,
        organ_id -> Uuid,
        name -> Text,
        credit_code -> Nullable<Text>,
        domain -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    cases (id) {
        id -> Uuid,
        organ_id -> Uuid,
        respondent_id -> Uuid,
        domain -> Text,
        state -> Text,
        version -> Int4,
        received_on -> Date,
        channel -> Text,
        act_type -> Text,
        act_document_number -> Nullable<Text>,
        act_date -> Date,
        learned_on -> Date,
        amount_fen -> Nullable<Int8>,
        request -> Text,
        reasons -> Text,
        enterprise_related -> Bool,
        late_application -> Bool,
        search_text -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        lifecycle -> Jsonb,
        case_number -> Nullable<Text>,
        procedure -> Nullable<Text>,
        accepted_on -> Nullable<Date>,
        declined_on -> Nullable<Date>,
        concluded_on -> Nullable<Date>,
        termination_ground -> Nullable<Text>,
        suspended_days -> Int4,
        extension_days -> Int4,
        hearings_held -> Int4,
        handlers -> Array<Uuid>,
        next_deadline_on -> Nullable<Date>,
        decision_due_on -> Nullable<Date>,
        closed_on -> Nullable<Date>,
    }
}

diesel::table! {
    case_parties (id) {
        id -> Uuid,
        case_id -> Uuid,
        position -> Int4,
        role -> Text,
        kind -> Text,
        name -> Text,
        id_number -> Nullable<Text>,
        phone -> Nullable<Text>,
        address -> Nullable<Text>,
        acts_for -> Nullable<Int4>,
    }
}

diesel::table! {
    case_events (id) {
        id -> Int8,
        case_id -> Uuid,
        seq -> Int4,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        actor_id -> Nullable<Uuid>,
        occurred_on -> Date,
        recorded_at -> Timestamptz,
        payload -> Jsonb,
    }
}

diesel::table! {
    case_number_counters (organ_id, year) {
        organ_id -> Uuid,
        year -> Int4,
        last_seq -> Int4,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Int4,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        year -> Int4,
        kind -> Text,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Bytea,
        response_status -> Nullable<Int2>,
        response_body -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        organ_id -> Uuid,
        roles -> Array<Text>,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        token_version -> Int4,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        replaced_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Int8,
        username -> Text,
        failed_at -> Timestamptz,
        source_address -> Inet,
    }
}

diesel::table! {
    case_services (id) {
        id -> Uuid,
        case_id -> Uuid,
        recipient -> Text,
        party_position -> Nullable<Int4>,
        signed_by_position -> Nullable<Int4>,
        method -> Text,
        electronic_consent -> Bool,
        served_on -> Date,
        note -> Nullable<Text>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    case_compliance (case_id) {
        case_id -> Uuid,
        organ_id -> Uuid,
        ordered -> Text,
        time_limit_days -> Int4,
        decided_on -> Date,
        starts_on -> Nullable<Date>,
        due_on -> Nullable<Date>,
        complied_on -> Nullable<Date>,
        new_act_document_number -> Nullable<Text>,
        compliance_note -> Nullable<Text>,
        complied_recorded_by -> Nullable<Uuid>,
        complied_recorded_at -> Nullable<Timestamptz>,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    compliance_measures (id) {
        id -> Uuid,
        case_id -> Uuid,
        kind -> Text,
        taken_on -> Date,
        comply_by -> Nullable<Date>,
        note -> Nullable<Text>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    lawsuits (id) {
        id -> Uuid,
        case_id -> Uuid,
        organ_id -> Uuid,
        court -> Text,
        court_case_number -> Text,
        filed_on -> Date,
        organ_co_defendant -> Bool,
        note -> Nullable<Text>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    lawsuit_hearings (id) {
        id -> Uuid,
        lawsuit_id -> Uuid,
        instance -> Text,
        held_on -> Date,
        head_appeared -> Bool,
        note -> Nullable<Text>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    lawsuit_judgments (id) {
        id -> Uuid,
        lawsuit_id -> Uuid,
        instance -> Text,
        decided_on -> Date,
        result -> Text,
        outcome -> Text,
        note -> Nullable<Text>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    letters (id) {
        id -> Uuid,
        organ_id -> Uuid,
        kind -> Text,
        document_number -> Text,
        issued_on -> Date,
        recipient_id -> Nullable<Uuid>,
        recipient_name -> Text,
        summary -> Text,
        handler_id -> Uuid,
        received_on -> Nullable<Date>,
        report_due_on -> Nullable<Date>,
        reported_on -> Nullable<Date>,
        report_summary -> Nullable<Text>,
        reported_by -> Nullable<Uuid>,
        reported_at -> Nullable<Timestamptz>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    letter_cases (letter_id, case_id) {
        letter_id -> Uuid,
        case_id -> Uuid,
    }
}

diesel::joinable!(respondents -> organs (organ_id));
diesel::joinable!(cases -> organs (organ_id));
diesel::joinable!(cases -> respondents (respondent_id));
diesel::joinable!(case_parties -> cases (case_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(users -> organs (organ_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(case_services -> cases (case_id));
diesel::joinable!(case_compliance -> cases (case_id));
diesel::joinable!(lawsuits -> cases (case_id));
diesel::joinable!(lawsuit_hearings -> lawsuits (lawsuit_id));
diesel::joinable!(lawsuit_judgments -> lawsuits (lawsuit_id));
diesel::joinable!(letter_cases -> letters (letter_id));
diesel::joinable!(letter_cases -> cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    organs,
    respondents,
    cases,
    case_parties,
    case_events,
    case_number_counters,
    calendar_years,
    calendar_days,
    idempotency_keys,
    users,
    refresh_tokens,
    login_failures,
    case_services,
    case_compliance,
    compliance_measures,
    lawsuits,
    lawsuit_hearings,
    lawsuit_judgments,
    letters,
    letter_cases,
);

diesel::table! {
    personal_data_audit (id) {
        id -> Int8,
        viewed_at -> Timestamptz,
        user_id -> Uuid,
        username -> Text,
        case_id -> Uuid,
        endpoint -> Text,
    }
}

diesel::joinable!(personal_data_audit -> cases (case_id));
diesel::allow_tables_to_appear_in_same_query!(personal_data_audit, cases);
diesel::allow_tables_to_appear_in_same_query!(personal_data_audit, organs);
