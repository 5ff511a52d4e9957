//! The diesel schema, kept in step with `migrations/` by hand and checked by the test suite,
//! which runs every query against a freshly migrated database.

#![expect(
    missing_docs,
    reason = "the table! macro generates one item per column; the tables themselves are documented"
)]

diesel::table! {
    /// AI spending per provider per UTC day (read and written with SQL in models/ai_spend.rs).
    ai_spend (day, provider) {
        day -> Date,
        provider -> Text,
        usd -> Float8,
        input_tokens -> Int8,
        output_tokens -> Int8,
        calls -> Int8,
    }
}

diesel::table! {
    /// Every account: admins, HR users and candidates.
    users (id) {
        id -> Uuid,
        email -> Text,
        email_verified_at -> Nullable<Timestamptz>,
        password_hash -> Text,
        full_name -> Text,
        role -> Text,
        status -> Text,
        headline -> Nullable<Text>,
        phone -> Nullable<Text>,
        location -> Nullable<Text>,
        skills -> Array<Text>,
        years_of_experience -> Nullable<Int4>,
        company -> Nullable<Text>,
        job_title -> Nullable<Text>,
        language -> Text,
        email_notifications -> Bool,
        in_app_notifications -> Bool,
        mapped_admin_id -> Nullable<Uuid>,
        assigned_hr_id -> Nullable<Uuid>,
        last_login_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        discoverable -> Bool,
    }
}

diesel::table! {
    /// Sign-in sessions; each is one refresh-token family.
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        ip_address -> Nullable<Text>,
    }
}

diesel::table! {
    /// Hashed refresh tokens, rotated on every use.
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Hashed single-use tokens sent by email.
    one_time_tokens (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        purpose -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Outgoing email.
    email_outbox (id) {
        id -> Uuid,
        user_id -> Nullable<Uuid>,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Who did what to whom, and when.
    audit_log (id) {
        id -> Uuid,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        target_user_id -> Nullable<Uuid>,
        ip_address -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::table! {
    /// Counted attempts for throttles shared by every replica.
    throttle_events (id) {
        id -> Int8,
        bucket -> Text,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    /// HR applications to admins and admin invitations to HR users.
    hr_mapping_requests (id) {
        id -> Uuid,
        hr_id -> Uuid,
        admin_id -> Uuid,
        kind -> Text,
        status -> Text,
        message -> Nullable<Text>,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// One conversation per HR user and candidate.
    conversations (id) {
        id -> Uuid,
        hr_id -> Uuid,
        candidate_id -> Uuid,
        created_at -> Timestamptz,
        last_message_at -> Timestamptz,
    }
}

diesel::table! {
    /// Messages in conversations.
    messages (id) {
        id -> Uuid,
        conversation_id -> Uuid,
        sender_id -> Uuid,
        body -> Text,
        created_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Stored notifications.
    notifications (id) {
        id -> Uuid,
        user_id -> Uuid,
        kind -> Text,
        title -> Text,
        body -> Text,
        data -> Jsonb,
        created_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Job roles (the bank's roles).
    job_roles (slug) {
        slug -> Text,
        title -> Text,
    }
}

diesel::table! {
    /// The question bank.
    questions (id) {
        id -> Uuid,
        bank_id -> Nullable<Text>,
        role_slug -> Text,
        kind -> Text,
        difficulty -> Text,
        text -> Text,
        expected_keywords -> Array<Text>,
        ideal_answer -> Text,
        time_limit_seconds -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Job descriptions.
    jobs (id) {
        id -> Uuid,
        owner_id -> Uuid,
        role_slug -> Nullable<Text>,
        title -> Text,
        description -> Text,
        required_skills -> Array<Text>,
        min_years -> Nullable<Int4>,
        location_type -> Text,
        salary_min -> Nullable<Int4>,
        salary_max -> Nullable<Int4>,
        salary_currency -> Nullable<Text>,
        archived_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Interviews, scheduled and practice.
    interviews (id) {
        id -> Uuid,
        candidate_id -> Uuid,
        hr_id -> Nullable<Uuid>,
        scheduled_by -> Nullable<Uuid>,
        job_id -> Nullable<Uuid>,
        role_slug -> Text,
        difficulty -> Text,
        practice -> Bool,
        status -> Text,
        question_source -> Text,
        window_start -> Timestamptz,
        window_end -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        completed_at -> Nullable<Timestamptz>,
        cancelled_at -> Nullable<Timestamptz>,
        cancel_reason -> Nullable<Text>,
        overall_score -> Nullable<Int4>,
        grade -> Nullable<Text>,
        feedback -> Nullable<Text>,
        recommendations -> Array<Text>,
        result_by -> Nullable<Uuid>,
        result_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// The questions of each interview, copied at scheduling.
    interview_questions (id) {
        id -> Uuid,
        interview_id -> Uuid,
        position -> Int4,
        question_id -> Nullable<Uuid>,
        kind -> Text,
        text -> Text,
        expected_keywords -> Array<Text>,
        ideal_answer -> Text,
        time_limit_seconds -> Int4,
        follow_up_of -> Nullable<Uuid>,
        follow_up_reason -> Nullable<Text>,
    }
}

diesel::table! {
    /// Evaluations of answers; at most one current per answer.
    evaluations (id) {
        id -> Uuid,
        answer_id -> Uuid,
        job_id -> Uuid,
        current -> Bool,
        provider -> Text,
        model -> Text,
        rubric_version -> Text,
        prompt_version -> Nullable<Text>,
        overall_score -> Int4,
        grade -> Text,
        body -> Jsonb,
        requested_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        input_tokens -> Nullable<Int4>,
        output_tokens -> Nullable<Int4>,
        latency_ms -> Nullable<Int4>,
        fallback -> Nullable<Text>,
    }
}

diesel::table! {
    /// Answers, one per interview question.
    answers (id) {
        id -> Uuid,
        interview_id -> Uuid,
        interview_question_id -> Uuid,
        text -> Text,
        duration_seconds -> Nullable<Int4>,
        idempotency_key -> Text,
        request_hash -> Bytea,
        submitted_at -> Timestamptz,
        human_score -> Nullable<Int4>,
        human_score_reason -> Nullable<Text>,
        human_scored_by -> Nullable<Uuid>,
        human_scored_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// How often each bank question was asked, kept by a trigger on interview_questions.
    question_usage (question_id) {
        question_id -> Uuid,
        role_slug -> Text,
        asked_in_interviews -> Int8,
        asked_in_practice -> Int8,
        distinct_candidates -> Int8,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Which candidate has seen which bank question (kept by the same trigger).
    question_exposures (question_id, candidate_id) {
        question_id -> Uuid,
        candidate_id -> Uuid,
    }
}

diesel::table! {
    /// The MinHash LSH fingerprint of each answer, for finding near-copies through an index.
    answer_fingerprints (answer_id) {
        answer_id -> Uuid,
        question_key -> Uuid,
        candidate_id -> Uuid,
        practice -> Bool,
        word_count -> Int4,
        shingle_count -> Int4,
        bands -> Array<Int8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// The LSH band index: which answers fall in which (question, band, bucket).
    answer_lsh_buckets (bucket, answer_id) {
        bucket -> Int8,
        answer_id -> Uuid,
    }
}

diesel::table! {
    /// Verified near-copies between answers of different candidates to the same question.
    answer_similarity_flags (id) {
        id -> Uuid,
        earlier_answer_id -> Uuid,
        later_answer_id -> Uuid,
        question_key -> Uuid,
        question_id -> Nullable<Uuid>,
        earlier_candidate_id -> Uuid,
        later_candidate_id -> Uuid,
        earlier_practice -> Bool,
        later_practice -> Bool,
        jaccard -> Float4,
        containment -> Float4,
        cosine -> Nullable<Float4>,
        embedding_model -> Nullable<Text>,
        status -> Text,
        review_note -> Nullable<Text>,
        reviewed_by -> Nullable<Uuid>,
        reviewed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// The durable background-job queue.
    background_jobs (id) {
        id -> Uuid,
        kind -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        run_after -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        dedup_key -> Nullable<Text>,
    }
}

diesel::table! {
    /// Exported interview reports and their files.
    report_exports (id) {
        id -> Uuid,
        interview_id -> Uuid,
        requested_by -> Nullable<Uuid>,
        format -> Text,
        status -> Text,
        object_key -> Nullable<Text>,
        byte_size -> Nullable<Int8>,
        failure -> Nullable<Text>,
        created_at -> Timestamptz,
        ready_at -> Nullable<Timestamptz>,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    /// Candidates' resumes: the stored file, its text and analysis. (Its generated `search`
    /// tsvector is read through SQL.)
    resumes (id) {
        id -> Uuid,
        candidate_id -> Uuid,
        file_name -> Text,
        kind -> Text,
        byte_size -> Int8,
        object_key -> Text,
        status -> Text,
        failure -> Nullable<Text>,
        active -> Bool,
        text -> Nullable<Text>,
        analysis -> Nullable<Jsonb>,
        skills -> Array<Text>,
        years_of_experience -> Nullable<Float4>,
        created_at -> Timestamptz,
        analysed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// A resume's passages with their embeddings.
    resume_passages (resume_id, ordinal) {
        resume_id -> Uuid,
        ordinal -> Int4,
        text -> Text,
        model -> Text,
        embedding -> Array<Float4>,
    }
}

diesel::table! {
    /// A resume's embedding per model.
    resume_embeddings (resume_id, model) {
        resume_id -> Uuid,
        model -> Text,
        embedding -> Array<Float4>,
    }
}

diesel::table! {
    /// An answer's audio and recordings; the row outlives the file.
    answer_media (id) {
        id -> Uuid,
        answer_id -> Uuid,
        kind -> Text,
        media_type -> Text,
        byte_size -> Int8,
        object_key -> Text,
        created_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// What was said in an answer's audio.
    answer_transcripts (answer_id) {
        answer_id -> Uuid,
        status -> Text,
        text -> Nullable<Text>,
        language -> Nullable<Text>,
        duration_seconds -> Nullable<Float8>,
        segments -> Jsonb,
        provider -> Nullable<Text>,
        model -> Nullable<Text>,
        delivery -> Nullable<Jsonb>,
        failure -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(answer_media -> answers (answer_id));
diesel::joinable!(answer_transcripts -> answers (answer_id));
diesel::joinable!(resume_embeddings -> resumes (resume_id));
diesel::joinable!(resume_passages -> resumes (resume_id));
diesel::joinable!(questions -> job_roles (role_slug));
diesel::joinable!(interview_questions -> interviews (interview_id));
diesel::joinable!(answers -> interview_questions (interview_question_id));
diesel::joinable!(evaluations -> answers (answer_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(email_outbox -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    evaluations,
    question_usage,
    question_exposures,
    answer_fingerprints,
    answer_lsh_buckets,
    answer_similarity_flags,
    users,
    sessions,
    refresh_tokens,
    one_time_tokens,
    email_outbox,
    audit_log,
    throttle_events,
    hr_mapping_requests,
    conversations,
    messages,
    notifications,
    job_roles,
    questions,
    jobs,
    interviews,
    interview_questions,
    answers,
    background_jobs,
    report_exports,
    resumes,
    resume_passages,
    resume_embeddings,
    answer_media,
    answer_transcripts,
);
