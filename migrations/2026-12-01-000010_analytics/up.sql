-- Analytics (USER-2, REPORT-2): what the dashboards read, kept small and indexed so that no
-- query scans unbounded history or joins a million answers.
--
-- answer_scores is one narrow row per evaluated answer: the current evaluation's scores with
-- what the views group and filter by (candidate, job, question kind, evaluator version), copied
-- from answers, interviews, interview_questions and evaluations. It is written in the
-- transaction that stores an evaluation or a person's score
-- (viva_store::models::analytics::facts::record), from the view answer_score_source, which is
-- the one definition of a row. Evaluator versions (provider, model, rubric and prompt versions)
-- are numbered in evaluators, so that rows and indexes carry, and groups hash, one integer.
--
-- answer_score_days and evaluation_days are the rollups of the platform-wide views, one row per
-- UTC day and group, kept in the same transactions: the fairness view's distributions for
-- admins (per question kind and per evaluator, in 5-point bins) and the evaluations written
-- per provider and model. They hold no one's identity.

CREATE TABLE evaluators (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider       text NOT NULL,
    model          text NOT NULL,
    rubric_version text NOT NULL,
    -- '' for evaluations no prompt wrote (the offline rules), so that versions compare by equality.
    prompt_version text NOT NULL,
    UNIQUE (provider, model, rubric_version, prompt_version)
);

CREATE VIEW answer_score_source AS
SELECT a.id AS answer_id,
       a.interview_id,
       a.interview_question_id,
       i.candidate_id,
       i.job_id,
       i.practice,
       q.kind AS question_kind,
       a.submitted_at,
       e.created_at AS evaluated_at,
       v.id AS evaluator_id,
       e.overall_score::smallint AS overall,
       CASE WHEN jsonb_typeof(e.body -> 'scores' -> 'content') = 'number'
            THEN round((e.body -> 'scores' ->> 'content')::numeric)::smallint END AS content,
       CASE WHEN jsonb_typeof(e.body -> 'scores' -> 'communication') = 'number'
            THEN round((e.body -> 'scores' ->> 'communication')::numeric)::smallint END AS communication,
       CASE WHEN jsonb_typeof(e.body -> 'scores' -> 'technical_depth') = 'number'
            THEN round((e.body -> 'scores' ->> 'technical_depth')::numeric)::smallint END AS technical_depth,
       CASE WHEN jsonb_typeof(e.body -> 'scores' -> 'relevance') = 'number'
            THEN round((e.body -> 'scores' ->> 'relevance')::numeric)::smallint END AS relevance,
       a.human_score::smallint AS human_score
FROM answers a
JOIN interviews i ON i.id = a.interview_id
JOIN interview_questions q ON q.id = a.interview_question_id
JOIN evaluations e ON e.answer_id = a.id AND e.current
JOIN evaluators v ON v.provider = e.provider AND v.model = e.model AND v.rubric_version = e.rubric_version
    AND v.prompt_version = coalesce(e.prompt_version, '');

CREATE TABLE answer_scores (
    answer_id             uuid PRIMARY KEY REFERENCES answers (id) ON DELETE CASCADE,
    interview_id          uuid NOT NULL,
    interview_question_id uuid NOT NULL,
    candidate_id          uuid NOT NULL,
    job_id                uuid REFERENCES jobs (id) ON DELETE SET NULL,
    practice              boolean NOT NULL,
    question_kind         text NOT NULL,
    submitted_at          timestamptz NOT NULL,
    evaluated_at          timestamptz NOT NULL,
    evaluator_id          integer NOT NULL REFERENCES evaluators (id),
    overall               smallint NOT NULL CHECK (overall BETWEEN 0 AND 100),
    content               smallint,
    communication         smallint,
    technical_depth       smallint,
    relevance             smallint,
    human_score           smallint,
    -- How far a person's score is from the AI's; only for answers a person scored.
    disagreement          smallint GENERATED ALWAYS AS (abs(overall - human_score)) STORED
);
-- Windows over everyone (the edges of the rollups' whole days).
CREATE INDEX answer_scores_time_idx ON answer_scores (submitted_at);
-- One candidate's progress, and an HR user's candidates: covering what the fairness view groups
-- by, so an HR user's distributions are an index-only scan of their candidates' entries (the
-- table itself is in time order, which scatters one candidate's rows over every page).
CREATE INDEX answer_scores_candidate_idx ON answer_scores (candidate_id, submitted_at)
    INCLUDE (practice, question_kind, overall, evaluator_id);
-- Per job (and the foreign key), covering the distribution per job.
CREATE INDEX answer_scores_job_idx ON answer_scores (job_id, submitted_at) INCLUDE (candidate_id, practice, overall);
-- Whether a group's answers come from enough different candidates to be shown: a few probes
-- down these, in candidate order, whatever the group's size.
CREATE INDEX answer_scores_kind_candidate_idx ON answer_scores (question_kind, candidate_id, submitted_at);
-- (Also the foreign key's.)
CREATE INDEX answer_scores_evaluator_candidate_idx ON answer_scores (evaluator_id, candidate_id, submitted_at);
-- AI and human disagreements, largest first, keyset-paginated: a page is an index-only walk
-- (the window's and the HR user's filters are on included columns).
CREATE INDEX answer_scores_disagreement_idx ON answer_scores (disagreement DESC, answer_id DESC)
    INCLUDE (submitted_at, candidate_id, practice) WHERE disagreement IS NOT NULL;

CREATE TABLE answer_score_days (
    day             date NOT NULL,
    question_kind   text NOT NULL,
    evaluator_id    integer NOT NULL REFERENCES evaluators (id),
    -- The AI's overall score in 5-point bins: 0 is 0–4, …, 19 is 95–100.
    bin             smallint NOT NULL CHECK (bin BETWEEN 0 AND 19),
    answers         integer NOT NULL,
    overall_sum     bigint NOT NULL,
    overall_squares bigint NOT NULL,
    PRIMARY KEY (day, question_kind, evaluator_id, bin)
);

CREATE TABLE evaluation_days (
    day            date NOT NULL,
    provider       text NOT NULL,
    model          text NOT NULL,
    evaluations    bigint NOT NULL,
    -- Written after other providers failed or were skipped.
    fallbacks      bigint NOT NULL,
    input_tokens   bigint NOT NULL,
    output_tokens  bigint NOT NULL,
    latency_ms_sum bigint NOT NULL,
    latencies      bigint NOT NULL,
    PRIMARY KEY (day, provider, model)
);

-- Rebuilds the three tables from the base tables: here, and after a bulk load or a restore.
CREATE FUNCTION analytics_rebuild() RETURNS void LANGUAGE sql AS $$
    TRUNCATE answer_scores, answer_score_days, evaluation_days;
    INSERT INTO evaluators (provider, model, rubric_version, prompt_version)
    SELECT DISTINCT provider, model, rubric_version, coalesce(prompt_version, '') FROM evaluations WHERE current
    ON CONFLICT DO NOTHING;
    INSERT INTO answer_scores (answer_id, interview_id, interview_question_id, candidate_id, job_id, practice,
        question_kind, submitted_at, evaluated_at, evaluator_id, overall, content, communication, technical_depth,
        relevance, human_score)
    SELECT answer_id, interview_id, interview_question_id, candidate_id, job_id, practice, question_kind,
        submitted_at, evaluated_at, evaluator_id, overall, content, communication, technical_depth, relevance,
        human_score
    FROM answer_score_source
    ORDER BY submitted_at;
    INSERT INTO answer_score_days (day, question_kind, evaluator_id, bin, answers, overall_sum, overall_squares)
    SELECT (submitted_at AT TIME ZONE 'UTC')::date, question_kind, evaluator_id, least(overall, 99) / 5, count(*),
        sum(overall), sum(overall::bigint * overall)
    FROM answer_scores
    GROUP BY 1, 2, 3, 4;
    INSERT INTO evaluation_days (day, provider, model, evaluations, fallbacks, input_tokens, output_tokens,
        latency_ms_sum, latencies)
    SELECT (created_at AT TIME ZONE 'UTC')::date, provider, model, count(*), count(fallback),
        coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(latency_ms), 0),
        count(latency_ms)
    FROM evaluations
    GROUP BY 1, 2, 3;
$$;
SELECT analytics_rebuild();

-- Interviews per job scheduled in a window (score distributions, the funnel); replaces the
-- plain foreign-key index.
CREATE INDEX interviews_job_created_idx ON interviews (job_id, created_at)
    INCLUDE (id, practice, candidate_id, started_at, completed_at, result_at, result_by, overall_score);
DROP INDEX interviews_job_idx;
-- The funnel over every job: an index-only scan of the scheduled interviews in a window.
CREATE INDEX interviews_funnel_idx ON interviews (created_at)
    INCLUDE (id, job_id, candidate_id, started_at, completed_at, result_at, result_by)
    WHERE NOT practice;
-- Answers submitted per day.
CREATE INDEX answers_submitted_idx ON answers (submitted_at);
-- People's scores since a window began (the funnel's last stage).
CREATE INDEX answers_human_scored_idx ON answers (human_scored_at) INCLUDE (interview_id)
    WHERE human_score IS NOT NULL;
