-- Exported interview reports: the file in the object store and its state. A row outlives its
-- file: once `expires_at` passes, the purge job deletes the file and marks the row EXPIRED.
CREATE TABLE report_exports (
    id            uuid PRIMARY KEY,
    interview_id  uuid NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    requested_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    format        text NOT NULL CHECK (format IN ('PDF', 'CSV', 'JSON')),
    status        text NOT NULL CHECK (status IN ('PENDING', 'READY', 'FAILED', 'EXPIRED')),
    object_key    text CHECK (object_key IS NULL OR char_length(object_key) <= 200),
    byte_size     bigint,
    failure       text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    ready_at      timestamptz,
    expires_at    timestamptz NOT NULL,
    CHECK ((status = 'READY') = (object_key IS NOT NULL AND byte_size IS NOT NULL))
);

CREATE INDEX report_exports_interview_idx ON report_exports (interview_id, created_at DESC);
CREATE INDEX report_exports_expiry_idx ON report_exports (expires_at) WHERE status IN ('READY', 'PENDING');
