-- Job roles and the question bank, job descriptions, interviews with their questions and
-- answers.

CREATE TABLE job_roles (
    slug  text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title text NOT NULL
);

CREATE TABLE questions (
    id                 uuid PRIMARY KEY,
    -- The bank's stable id (`backend-engineer-001`) for shipped questions; null for added ones.
    bank_id            text UNIQUE,
    role_slug          text NOT NULL REFERENCES job_roles (slug),
    kind               text NOT NULL CHECK (kind IN ('BEHAVIOURAL', 'TECHNICAL', 'SITUATIONAL')),
    difficulty         text NOT NULL CHECK (difficulty IN ('EASY', 'MEDIUM', 'HARD')),
    text               text NOT NULL CHECK (char_length(text) BETWEEN 10 AND 2000),
    expected_keywords  text[] NOT NULL,
    ideal_answer       text NOT NULL CHECK (char_length(ideal_answer) <= 10000),
    time_limit_seconds integer NOT NULL CHECK (time_limit_seconds BETWEEN 30 AND 1800),
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX questions_role_idx ON questions (role_slug, difficulty, kind);
CREATE INDEX questions_created_idx ON questions (created_at DESC, id DESC);
CREATE INDEX questions_created_by_idx ON questions (created_by);

CREATE TABLE jobs (
    id              uuid PRIMARY KEY,
    owner_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_slug       text REFERENCES job_roles (slug),
    title           text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description     text NOT NULL CHECK (char_length(description) <= 20000),
    required_skills text[] NOT NULL DEFAULT '{}',
    min_years       integer CHECK (min_years BETWEEN 0 AND 70),
    location_type   text NOT NULL CHECK (location_type IN ('REMOTE', 'HYBRID', 'ON_SITE')),
    salary_min      integer CHECK (salary_min >= 0),
    salary_max      integer CHECK (salary_max >= 0),
    salary_currency text CHECK (salary_currency ~ '^[A-Z]{3}$'),
    archived_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_salary_range CHECK (salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max)
);
CREATE INDEX jobs_owner_idx ON jobs (owner_id, created_at DESC, id DESC);
CREATE INDEX jobs_created_idx ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_role_idx ON jobs (role_slug);

CREATE TABLE interviews (
    id              uuid PRIMARY KEY,
    candidate_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The HR user responsible (scheduled ones); null for practice.
    hr_id           uuid REFERENCES users (id) ON DELETE SET NULL,
    scheduled_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    job_id          uuid REFERENCES jobs (id) ON DELETE SET NULL,
    role_slug       text NOT NULL REFERENCES job_roles (slug),
    difficulty      text NOT NULL CHECK (difficulty IN ('EASY', 'MEDIUM', 'HARD')),
    practice        boolean NOT NULL,
    status          text NOT NULL CHECK (status IN ('SCHEDULED', 'IN_PROGRESS', 'COMPLETED', 'EVALUATED', 'CANCELLED', 'EXPIRED')),
    question_source text NOT NULL CHECK (question_source IN ('BANK', 'EXPLICIT', 'MIXED', 'GENERATED')),
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL,
    started_at      timestamptz,
    completed_at    timestamptz,
    cancelled_at    timestamptz,
    cancel_reason   text,
    overall_score   integer CHECK (overall_score BETWEEN 0 AND 100),
    grade           text,
    feedback        text,
    recommendations text[] NOT NULL DEFAULT '{}',
    result_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    result_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT interviews_window CHECK (window_start < window_end)
);
CREATE INDEX interviews_candidate_idx ON interviews (candidate_id, created_at DESC, id DESC);
CREATE INDEX interviews_hr_idx ON interviews (hr_id, created_at DESC, id DESC);
CREATE INDEX interviews_created_idx ON interviews (created_at DESC, id DESC);
CREATE INDEX interviews_overdue_idx ON interviews (window_end) WHERE status = 'SCHEDULED';
CREATE INDEX interviews_job_idx ON interviews (job_id);
CREATE INDEX interviews_scheduled_by_idx ON interviews (scheduled_by);
CREATE INDEX interviews_result_by_idx ON interviews (result_by);

-- The questions of an interview, copied when it is scheduled so later edits to the bank do
-- not change an interview already given.
CREATE TABLE interview_questions (
    id                 uuid PRIMARY KEY,
    interview_id       uuid NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    position           integer NOT NULL CHECK (position >= 1),
    question_id        uuid REFERENCES questions (id) ON DELETE SET NULL,
    kind               text NOT NULL,
    text               text NOT NULL,
    expected_keywords  text[] NOT NULL,
    ideal_answer       text NOT NULL,
    time_limit_seconds integer NOT NULL,
    CONSTRAINT interview_questions_position_key UNIQUE (interview_id, position)
);
CREATE INDEX interview_questions_question_idx ON interview_questions (question_id);

CREATE TABLE answers (
    id                    uuid PRIMARY KEY,
    interview_id          uuid NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    interview_question_id uuid NOT NULL REFERENCES interview_questions (id) ON DELETE CASCADE,
    text                  text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 20000),
    duration_seconds      integer CHECK (duration_seconds BETWEEN 0 AND 7200),
    idempotency_key       text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 8 AND 128),
    -- SHA-256 of what was submitted, so a reused key with other content is told apart.
    request_hash          bytea NOT NULL,
    submitted_at          timestamptz NOT NULL DEFAULT now(),
    human_score           integer CHECK (human_score BETWEEN 0 AND 100),
    human_score_reason    text,
    human_scored_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    human_scored_at       timestamptz,
    CONSTRAINT answers_one_per_question UNIQUE (interview_question_id),
    CONSTRAINT answers_idempotency_key UNIQUE (interview_id, idempotency_key),
    CONSTRAINT answers_override_has_reason CHECK ((human_score IS NULL) = (human_score_reason IS NULL))
);
CREATE INDEX answers_interview_idx ON answers (interview_id, submitted_at);
CREATE INDEX answers_scored_by_idx ON answers (human_scored_by);

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
    'NEW_MESSAGE', 'HR_APPLICATION', 'HR_INVITATION', 'MAPPING_DECIDED', 'HR_UNMAPPED', 'CANDIDATE_ASSIGNED',
    'CANDIDATE_UNASSIGNED', 'INTERVIEW_SCHEDULED', 'INTERVIEW_CANCELLED', 'RESULTS_AVAILABLE'));
