-- CAND-1, HR-2: resumes, their analysis and their embeddings.

-- A candidate may choose to be found by every HR user's search, not only by their own HR user's.
ALTER TABLE users ADD COLUMN discoverable boolean NOT NULL DEFAULT false;

-- A resume's full-text vector. array_to_string is only STABLE in general, but with text
-- elements and a fixed configuration the result depends on the arguments alone.
CREATE FUNCTION resume_search_vector(skills text[], body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english'::regconfig, array_to_string(skills, ' ')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
$$;

CREATE TABLE resumes (
    id                   uuid PRIMARY KEY,
    candidate_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The client's file name, for display only (the stored object is named by the platform).
    file_name            text NOT NULL CHECK (char_length(file_name) BETWEEN 1 AND 255),
    kind                 text NOT NULL CHECK (kind IN ('PDF', 'DOCX')),
    byte_size            bigint NOT NULL CHECK (byte_size > 0),
    object_key           text NOT NULL CHECK (char_length(object_key) <= 200),
    status               text NOT NULL CHECK (status IN ('PENDING', 'ANALYSED', 'FAILED')),
    failure              text,
    active               boolean NOT NULL DEFAULT false,
    text                 text,
    analysis             jsonb,
    skills               text[] NOT NULL DEFAULT '{}',
    years_of_experience  real,
    created_at           timestamptz NOT NULL DEFAULT now(),
    analysed_at          timestamptz,
    -- Full-text search: skills weigh most, then the text.
    search               tsvector GENERATED ALWAYS AS (resume_search_vector(skills, text)) STORED
);

CREATE UNIQUE INDEX resumes_one_active_idx ON resumes (candidate_id) WHERE active;
CREATE INDEX resumes_candidate_idx ON resumes (candidate_id, created_at DESC);
CREATE INDEX resumes_search_idx ON resumes USING gin (search);
CREATE INDEX resumes_skills_idx ON resumes USING gin (skills);

-- Embeddings, each with the model that made it: vectors of two models are never compared, and
-- a new model means re-embedding (by a job), not mixing.
CREATE TABLE resume_passages (
    resume_id  uuid NOT NULL REFERENCES resumes (id) ON DELETE CASCADE,
    ordinal    integer NOT NULL CHECK (ordinal >= 0),
    text       text NOT NULL,
    model      text NOT NULL,
    embedding  real[] NOT NULL,
    PRIMARY KEY (resume_id, ordinal)
);

CREATE TABLE resume_embeddings (
    resume_id  uuid NOT NULL REFERENCES resumes (id) ON DELETE CASCADE,
    model      text NOT NULL,
    embedding  real[] NOT NULL,
    PRIMARY KEY (resume_id, model)
);
CREATE INDEX resume_embeddings_model_idx ON resume_embeddings (model);
