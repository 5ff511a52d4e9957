-- REPORT-3: question reuse and leak detection.
--
-- Question reuse: every bank question has a `question_usage` row with how often it was asked
-- (in scheduled interviews and in practice), by how many distinct candidates, and when last.
-- The counters are kept by a statement trigger on interview_questions, so every path that
-- gives questions (scheduling, practice, the seed, bulk loads) counts, and a listing ordered by
-- exposure reads an index instead of counting a million rows. `question_exposures` remembers
-- which candidate saw which question, so a second sighting does not count as a new candidate.

-- The target of question_usage's foreign key (id alone is already unique).
ALTER TABLE questions ADD CONSTRAINT questions_id_role_key UNIQUE (id, role_slug);
CREATE TABLE question_usage (
    question_id         uuid PRIMARY KEY,
    role_slug           text NOT NULL,
    asked_in_interviews bigint NOT NULL DEFAULT 0 CHECK (asked_in_interviews >= 0),
    asked_in_practice   bigint NOT NULL DEFAULT 0 CHECK (asked_in_practice >= 0),
    distinct_candidates bigint NOT NULL DEFAULT 0 CHECK (distinct_candidates >= 0),
    last_used_at        timestamptz,
    -- The question's role follows the question (ON UPDATE CASCADE), for the role filter's index.
    CONSTRAINT question_usage_question_fkey FOREIGN KEY (question_id, role_slug)
        REFERENCES questions (id, role_slug) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX question_usage_exposure_idx ON question_usage (distinct_candidates DESC, question_id DESC);
CREATE INDEX question_usage_role_exposure_idx
    ON question_usage (role_slug, distinct_candidates DESC, question_id DESC);

CREATE TABLE question_exposures (
    question_id  uuid NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    candidate_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (question_id, candidate_id)
);
CREATE INDEX question_exposures_candidate_idx ON question_exposures (candidate_id);

CREATE FUNCTION question_usage_for_new_question() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO question_usage (question_id, role_slug) VALUES (NEW.id, NEW.role_slug);
    RETURN NULL;
END
$$;
CREATE TRIGGER questions_usage_row AFTER INSERT ON questions
    FOR EACH ROW EXECUTE FUNCTION question_usage_for_new_question();

CREATE FUNCTION count_question_usage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    asked_ids uuid[];
BEGIN
    SELECT array_agg(DISTINCT question_id ORDER BY question_id) INTO asked_ids
        FROM added WHERE question_id IS NOT NULL;
    IF asked_ids IS NULL THEN
        RETURN NULL;
    END IF;
    -- Lock the usage rows in one order (question id), so concurrent schedulings sharing
    -- questions wait for each other instead of deadlocking.
    PERFORM 1 FROM question_usage WHERE question_id = ANY (asked_ids) ORDER BY question_id FOR UPDATE;
    -- Each row's interview by its primary key (a join could scan interviews: the transition
    -- table has no statistics).
    WITH asked AS (
        SELECT a.question_id, i.candidate_id, i.practice
        FROM added a
        CROSS JOIN LATERAL (SELECT candidate_id, practice FROM interviews WHERE id = a.interview_id) i
        WHERE a.question_id IS NOT NULL
    ), fresh AS (
        INSERT INTO question_exposures (question_id, candidate_id)
        SELECT DISTINCT question_id, candidate_id FROM asked ORDER BY question_id, candidate_id
        ON CONFLICT DO NOTHING
        RETURNING question_id
    ), new_candidates AS (
        SELECT question_id, count(*) AS n FROM fresh GROUP BY question_id
    ), per_question AS (
        SELECT question_id,
               count(*) FILTER (WHERE NOT practice) AS interviews,
               count(*) FILTER (WHERE practice) AS practice
        FROM asked GROUP BY question_id
    )
    UPDATE question_usage u SET
        asked_in_interviews = u.asked_in_interviews + p.interviews,
        asked_in_practice = u.asked_in_practice + p.practice,
        distinct_candidates = u.distinct_candidates + coalesce(c.n, 0),
        last_used_at = greatest(u.last_used_at, now())
    FROM per_question p LEFT JOIN new_candidates c ON c.question_id = p.question_id
    WHERE u.question_id = p.question_id AND u.question_id = ANY (asked_ids);
    RETURN NULL;
END
$$;
CREATE TRIGGER interview_questions_usage AFTER INSERT ON interview_questions
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION count_question_usage();

-- What is there already.
INSERT INTO question_exposures (question_id, candidate_id)
SELECT DISTINCT iq.question_id, i.candidate_id
FROM interview_questions iq JOIN interviews i ON i.id = iq.interview_id
WHERE iq.question_id IS NOT NULL;
INSERT INTO question_usage (question_id, role_slug, asked_in_interviews, asked_in_practice,
                            distinct_candidates, last_used_at)
SELECT q.id, q.role_slug,
       count(i.id) FILTER (WHERE NOT i.practice),
       count(i.id) FILTER (WHERE i.practice),
       count(DISTINCT i.candidate_id),
       max(i.created_at)
FROM questions q
LEFT JOIN interview_questions iq ON iq.question_id = q.id
LEFT JOIN interviews i ON i.id = iq.interview_id
GROUP BY q.id, q.role_slug;

-- Leak detection. Each answer gets a fingerprint: its question key (the bank question, else a
-- hash of the interview question's normalised text), its candidate, and the LSH bucket of each
-- band of the MinHash signature of its word 3-shingles (none for answers too short to compare).
CREATE TABLE answer_fingerprints (
    answer_id     uuid PRIMARY KEY REFERENCES answers (id) ON DELETE CASCADE,
    question_key  uuid NOT NULL,
    candidate_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    practice      boolean NOT NULL,
    word_count    integer NOT NULL CHECK (word_count >= 0),
    shingle_count integer NOT NULL CHECK (shingle_count >= 0),
    -- The answer's buckets, also in answer_lsh_buckets (whose rows the delete trigger finds by them).
    bands         bigint[] NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answer_fingerprints_candidate_idx ON answer_fingerprints (candidate_id);

-- The band index: one row per answer and band. A bucket is a 64-bit hash of the question key,
-- the band's number and the band's MinHash values, so `bucket` stands for (question, band,
-- bucket) and answers sharing a bucket with a new one are found by one B-tree probe per band
-- (an index-only scan), never by reading every answer to the question. (A GIN index over
-- `bands` was tried: PostgreSQL cannot estimate `&&` on arrays of unique values, and planned a
-- sequential scan, 3.3 s at a million answers, against 0.5 ms here.)
CREATE TABLE answer_lsh_buckets (
    bucket    bigint NOT NULL,
    answer_id uuid NOT NULL,
    PRIMARY KEY (bucket, answer_id)
);

-- Buckets go with their fingerprint. Found through the primary key by the fingerprint's own
-- bucket list, so no second index over answer_id is needed.
CREATE FUNCTION delete_answer_buckets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM answer_lsh_buckets WHERE bucket = ANY (OLD.bands) AND answer_id = OLD.answer_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER answer_fingerprints_buckets AFTER DELETE ON answer_fingerprints
    FOR EACH ROW EXECUTE FUNCTION delete_answer_buckets();

-- Pairs of answers by different candidates to the same question that were verified to be
-- near-copies. `earlier` is the answer submitted first (the possible source). The candidates
-- and whether each answer was practice are copied from the answers' interviews (they never
-- change), so the HR scope filter needs no join through answers.
CREATE TABLE answer_similarity_flags (
    id                   uuid PRIMARY KEY,
    earlier_answer_id    uuid NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    later_answer_id      uuid NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    question_key         uuid NOT NULL,
    question_id          uuid REFERENCES questions (id) ON DELETE SET NULL,
    earlier_candidate_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    later_candidate_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    earlier_practice     boolean NOT NULL,
    later_practice       boolean NOT NULL,
    jaccard              real NOT NULL CHECK (jaccard BETWEEN 0 AND 1),
    containment          real NOT NULL CHECK (containment BETWEEN 0 AND 1),
    -- Null when no embedding model was available and text overlap alone decided.
    cosine               real CHECK (cosine BETWEEN -1 AND 1),
    embedding_model      text,
    status               text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'DISMISSED', 'CONFIRMED')),
    review_note          text CHECK (char_length(review_note) <= 2000),
    reviewed_by          uuid REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT answer_similarity_flags_pair UNIQUE (earlier_answer_id, later_answer_id),
    CONSTRAINT answer_similarity_flags_two_answers CHECK (earlier_answer_id <> later_answer_id),
    CONSTRAINT answer_similarity_flags_two_candidates CHECK (earlier_candidate_id <> later_candidate_id)
);
CREATE INDEX answer_similarity_flags_created_idx ON answer_similarity_flags (created_at DESC, id DESC);
CREATE INDEX answer_similarity_flags_status_idx ON answer_similarity_flags (status, created_at DESC, id DESC);
CREATE INDEX answer_similarity_flags_later_idx ON answer_similarity_flags (later_answer_id);
CREATE INDEX answer_similarity_flags_question_idx ON answer_similarity_flags (question_id);
CREATE INDEX answer_similarity_flags_earlier_candidate_idx ON answer_similarity_flags (earlier_candidate_id);
CREATE INDEX answer_similarity_flags_later_candidate_idx ON answer_similarity_flags (later_candidate_id);
CREATE INDEX answer_similarity_flags_reviewed_by_idx ON answer_similarity_flags (reviewed_by);

-- Answers stored before this migration are checked by the job, like new ones.
INSERT INTO background_jobs (id, kind, payload, max_attempts)
SELECT gen_random_uuid(), 'check_answer_similarity', jsonb_build_object('answer_id', id), 5
FROM answers;
