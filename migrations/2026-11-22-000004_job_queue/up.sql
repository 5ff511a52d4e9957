-- The durable background-job queue. A job is enqueued in the transaction of the write that
-- needs it; workers claim due jobs with FOR UPDATE SKIP LOCKED and hold them under a lease that
-- a dead worker loses. Failures are retried with backoff until the attempts run out, then the
-- job is DEAD and visible to admins.
CREATE TABLE background_jobs (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 64),
    payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
    status       text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'DONE', 'DEAD')),
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 100),
    run_after    timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    CONSTRAINT background_jobs_lease CHECK ((status = 'RUNNING') = (locked_until IS NOT NULL))
);
CREATE INDEX background_jobs_due_idx ON background_jobs (run_after) WHERE status = 'QUEUED';
CREATE INDEX background_jobs_lease_idx ON background_jobs (locked_until) WHERE status = 'RUNNING';
CREATE INDEX background_jobs_dead_idx ON background_jobs (created_at DESC) WHERE status = 'DEAD';
