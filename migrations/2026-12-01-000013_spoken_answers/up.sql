-- INT-5, PLAT-4, PLAT-6: spoken answers and recordings, their transcripts, and retention.

-- A spoken answer may come with no typed text: its transcript is then all there is.
ALTER TABLE answers DROP CONSTRAINT answers_text_check;
ALTER TABLE answers ADD CONSTRAINT answers_text_check CHECK (char_length(text) <= 20000);

-- The files of an answer: its audio, and recordings of the camera, the screen or both. The row
-- outlives the file: retention and erasure delete the object and set deleted_at.
CREATE TABLE answer_media (
    id          uuid PRIMARY KEY,
    answer_id   uuid NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('AUDIO', 'CAMERA', 'SCREEN', 'COMBINED')),
    -- The type told by the file's content, never the client's.
    media_type  text NOT NULL CHECK (char_length(media_type) <= 100),
    byte_size   bigint NOT NULL CHECK (byte_size > 0),
    -- The object's generated name in the store.
    object_key  text NOT NULL UNIQUE CHECK (char_length(object_key) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    CONSTRAINT answer_media_one_per_kind UNIQUE (answer_id, kind)
);
CREATE INDEX answer_media_retention_idx ON answer_media (created_at) WHERE deleted_at IS NULL;

-- What was said in an answer's audio, with its timing and the provider and model that heard it.
CREATE TABLE answer_transcripts (
    answer_id        uuid PRIMARY KEY REFERENCES answers (id) ON DELETE CASCADE,
    status           text NOT NULL CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    text             text CHECK (char_length(text) <= 100000),
    language         text CHECK (char_length(language) <= 35),
    duration_seconds double precision CHECK (duration_seconds >= 0),
    -- [{start, end, text}], in order; grows while the audio is transcribed.
    segments         jsonb NOT NULL DEFAULT '[]'::jsonb,
    provider         text,
    model            text,
    -- Words per minute, long pauses and filler words, from the segments' timing.
    delivery         jsonb,
    -- Why it failed, for the candidate and their HR user.
    failure          text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
