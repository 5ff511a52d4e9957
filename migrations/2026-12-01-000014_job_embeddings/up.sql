-- HR-5: a job description's embedding per model, for ranking candidates against the job and
-- jobs against a candidate. Made when a match first needs it and made again when the
-- description changes (its digest no longer matches); like resumes' vectors, kept per model
-- and never compared across models. Deleted with its job.
CREATE TABLE job_embeddings (
    job_id              uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    model               text NOT NULL,
    -- SHA-256 of the description the vector was made from, hex.
    description_digest  text NOT NULL CHECK (char_length(description_digest) = 64),
    embedding           real[] NOT NULL,
    PRIMARY KEY (job_id, model)
);
