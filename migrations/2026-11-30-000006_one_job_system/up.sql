-- One background-job system: email delivery becomes a send_email job (the outbox keeps the
-- message until it is sent, the job its attempts and errors), periodic jobs are de-duplicated
-- by key so several replicas schedule each at most once at a time, and the audit log's actions
-- are a closed vocabulary (viva_domain::vocab::AuditAction).
ALTER TABLE background_jobs ADD COLUMN dedup_key text CHECK (char_length(dedup_key) BETWEEN 1 AND 200);
CREATE UNIQUE INDEX background_jobs_dedup_key_idx ON background_jobs (dedup_key)
    WHERE dedup_key IS NOT NULL AND status IN ('QUEUED', 'RUNNING');
CREATE INDEX background_jobs_kind_status_idx ON background_jobs (kind, status);

INSERT INTO background_jobs (id, kind, payload, max_attempts)
SELECT gen_random_uuid(), 'send_email', jsonb_build_object('email_id', id), 8
FROM email_outbox
WHERE sent_at IS NULL AND body <> '';

ALTER TABLE email_outbox DROP COLUMN locked_until, DROP COLUMN attempts, DROP COLUMN last_error;

ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_known CHECK (action IN ('USER_REGISTERED', 'REGISTRATION_FOR_EXISTING_ACCOUNT', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'LOGIN_REFUSED_DEACTIVATED', 'REFRESH_TOKEN_REUSED', 'LOGOUT', 'LOGOUT_EVERYWHERE', 'EMAIL_VERIFIED', 'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'PASSWORD_CHANGED', 'ACCOUNT_DELETED_BY_OWNER', 'USER_DELETED', 'ADMIN_CREATED_BY_CLI', 'USER_ACTIVATED', 'USER_DEACTIVATED', 'HR_APPLIED', 'HR_APPLICATION_CANCELLED', 'HR_INVITED', 'HR_APPLICATION_ACCEPTED', 'HR_APPLICATION_REJECTED', 'HR_INVITATION_ACCEPTED', 'HR_INVITATION_DECLINED', 'HR_UNMAPPED', 'CANDIDATE_ASSIGNED', 'CANDIDATE_REASSIGNED', 'CANDIDATE_UNASSIGNED', 'INTERVIEW_SCHEDULED', 'INTERVIEW_CANCELLED', 'INTERVIEW_RESULT_SUBMITTED', 'SCORE_OVERRIDDEN', 'ANSWER_REEVALUATION_REQUESTED'));
