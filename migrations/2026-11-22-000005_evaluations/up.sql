-- Evaluations of answers, kept forever: a re-evaluation adds a row and retires the previous
-- one, so at most one evaluation per answer is current. Each row records its provenance and
-- the job that wrote it (a job delivered twice writes once).
CREATE TABLE evaluations (
    id             uuid PRIMARY KEY,
    answer_id      uuid NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    job_id         uuid NOT NULL UNIQUE,
    current        boolean NOT NULL DEFAULT true,
    provider       text NOT NULL,
    model          text NOT NULL,
    rubric_version text NOT NULL,
    prompt_version text,
    overall_score  integer NOT NULL CHECK (overall_score BETWEEN 0 AND 100),
    grade          text NOT NULL,
    -- The whole evaluation (scores, strengths, improvements, feedback, analysis) as written.
    body           jsonb NOT NULL,
    requested_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX evaluations_one_current ON evaluations (answer_id) WHERE current;
CREATE INDEX evaluations_answer_idx ON evaluations (answer_id, created_at DESC);
CREATE INDEX evaluations_requested_by_idx ON evaluations (requested_by);

-- Follow-up questions (INT-6) sit right after the question they probe.
ALTER TABLE interview_questions
    ADD COLUMN follow_up_of uuid REFERENCES interview_questions (id) ON DELETE CASCADE,
    ADD COLUMN follow_up_reason text;
CREATE UNIQUE INDEX interview_questions_one_follow_up ON interview_questions (follow_up_of);

ALTER TABLE interview_questions DROP CONSTRAINT interview_questions_position_key;
ALTER TABLE interview_questions ADD CONSTRAINT interview_questions_position_key
    UNIQUE (interview_id, position) DEFERRABLE INITIALLY IMMEDIATE;
