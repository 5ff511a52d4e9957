-- The people side: HR ↔ admin mapping requests, HR ↔ candidate messaging, stored notifications,
-- and the indexes the admin lists filter and sort by.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- An HR user's application to an admin, or an admin's invitation to an HR user. Accepting one
-- maps the HR user to the admin; at most one pending request per pair.
CREATE TABLE hr_mapping_requests (
    id         uuid PRIMARY KEY,
    hr_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    admin_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('APPLICATION', 'INVITATION')),
    status     text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'CANCELLED')),
    message    text CHECK (char_length(message) <= 1000),
    decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
    decided_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT hr_mapping_requests_decision CHECK ((status = 'PENDING') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX hr_mapping_requests_one_pending ON hr_mapping_requests (hr_id, admin_id) WHERE status = 'PENDING';
CREATE INDEX hr_mapping_requests_admin_idx ON hr_mapping_requests (admin_id, created_at DESC, id DESC);
CREATE INDEX hr_mapping_requests_hr_idx ON hr_mapping_requests (hr_id, created_at DESC, id DESC);
CREATE INDEX hr_mapping_requests_status_idx ON hr_mapping_requests (status, created_at DESC, id DESC);
CREATE INDEX hr_mapping_requests_decided_by_idx ON hr_mapping_requests (decided_by);

-- One conversation per HR user and candidate.
CREATE TABLE conversations (
    id              uuid PRIMARY KEY,
    hr_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    candidate_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_message_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversations_pair_key UNIQUE (hr_id, candidate_id)
);
CREATE INDEX conversations_hr_idx ON conversations (hr_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_candidate_idx ON conversations (candidate_id, last_message_at DESC, id DESC);

CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sender_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body            text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- When the recipient read it.
    read_at         timestamptz
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at DESC, id DESC);
CREATE INDEX messages_sender_idx ON messages (sender_id);
CREATE INDEX messages_unread_idx ON messages (conversation_id, sender_id) WHERE read_at IS NULL;

-- Notifications are stored, so clients that were offline see them, and announced live through
-- the event bus.
CREATE TABLE notifications (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('NEW_MESSAGE', 'HR_APPLICATION', 'HR_INVITATION', 'MAPPING_DECIDED',
                                             'HR_UNMAPPED', 'CANDIDATE_ASSIGNED', 'CANDIDATE_UNASSIGNED')),
    title      text NOT NULL,
    body       text NOT NULL,
    -- Ids of the related objects, never personal data.
    data       jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- The admin user list: text search over name and email, and sorting by name and email.
CREATE INDEX users_search_trgm_idx ON users USING gin ((full_name || ' ' || email) gin_trgm_ops);
CREATE INDEX users_name_idx ON users (full_name, id);
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);
