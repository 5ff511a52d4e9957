ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_known;
ALTER TABLE email_outbox ADD COLUMN locked_until timestamptz, ADD COLUMN attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN last_error text;
DELETE FROM background_jobs WHERE kind = 'send_email';
DROP INDEX background_jobs_kind_status_idx;
DROP INDEX background_jobs_dedup_key_idx;
ALTER TABLE background_jobs DROP COLUMN dedup_key;
