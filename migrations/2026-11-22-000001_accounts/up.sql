-- Accounts, sessions with rotating refresh-token families, one-time tokens, the email outbox,
-- the audit log and the login throttle.

CREATE TABLE users (
    id                   uuid PRIMARY KEY,
    email                text NOT NULL,
    email_verified_at    timestamptz,
    password_hash        text NOT NULL,
    full_name            text NOT NULL,
    role                 text NOT NULL CHECK (role IN ('ADMIN', 'HR', 'CANDIDATE')),
    status               text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DEACTIVATED')),
    headline             text,
    phone                text,
    location             text,
    skills               text[] NOT NULL DEFAULT '{}',
    years_of_experience  integer CHECK (years_of_experience BETWEEN 0 AND 70),
    company              text,
    job_title            text,
    language             text NOT NULL DEFAULT 'en',
    email_notifications  boolean NOT NULL DEFAULT true,
    in_app_notifications boolean NOT NULL DEFAULT true,
    -- The admin an HR user is mapped to; only a mapped HR user manages candidates.
    mapped_admin_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    -- The mapped HR user a candidate is assigned to.
    assigned_hr_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    last_login_at        timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email))),
    CONSTRAINT users_mapping_only_for_hr CHECK (mapped_admin_id IS NULL OR role = 'HR'),
    CONSTRAINT users_assignment_only_for_candidates CHECK (assigned_hr_id IS NULL OR role = 'CANDIDATE')
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_mapped_admin_id_idx ON users (mapped_admin_id);
CREATE INDEX users_assigned_hr_id_idx ON users (assigned_hr_id);
CREATE INDEX users_role_status_created_idx ON users (role, status, created_at, id);

-- A session is one sign-in on one device; it is also the family of its refresh tokens.
CREATE TABLE sessions (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    revoked_reason text CHECK (revoked_reason IN
        ('LOGOUT', 'LOGOUT_EVERYWHERE', 'TOKEN_REUSE', 'PASSWORD_CHANGED', 'PASSWORD_RESET',
         'ACCOUNT_DISABLED')),
    user_agent     text,
    ip_address     text,
    CONSTRAINT sessions_revocation_complete CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- Refresh tokens are stored only as SHA-256 hashes. Each use rotates the token: the old row gets
-- used_at, a new row is inserted. Presenting a used token again revokes the whole session.
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

-- Single-use tokens sent by email (verification, password reset), stored hashed.
CREATE TABLE one_time_tokens (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('VERIFY_EMAIL', 'RESET_PASSWORD')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX one_time_tokens_user_id_purpose_idx ON one_time_tokens (user_id, purpose);

-- Outgoing email. Delivered by SMTP when configured; in development it is also logged.
CREATE TABLE email_outbox (
    id         uuid PRIMARY KEY,
    user_id    uuid REFERENCES users (id) ON DELETE CASCADE,
    recipient  text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    -- A sender holds a row until then; also when a failed row may be tried again.
    locked_until timestamptz,
    attempts   integer NOT NULL DEFAULT 0,
    last_error text
);
CREATE INDEX email_outbox_user_id_idx ON email_outbox (user_id);
CREATE INDEX email_outbox_pending_idx ON email_outbox (created_at) WHERE sent_at IS NULL;

-- Who did what to whom. Actor and target lose their link (not the row) when a user is erased,
-- and details never hold personal data.
CREATE TABLE audit_log (
    id             uuid PRIMARY KEY,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    actor_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    action         text NOT NULL,
    target_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    ip_address     text,
    details        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id);
CREATE INDEX audit_log_target_user_id_idx ON audit_log (target_user_id);
CREATE INDEX audit_log_action_idx ON audit_log (action, occurred_at DESC);

-- Throttle events: one row per counted attempt, keyed by a bucket such as a hashed account or a
-- client address. Shared by every replica, so a throttle holds across the whole deployment.
CREATE TABLE throttle_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket      text NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX throttle_events_bucket_idx ON throttle_events (bucket, occurred_at);
CREATE INDEX throttle_events_occurred_at_idx ON throttle_events (occurred_at);
