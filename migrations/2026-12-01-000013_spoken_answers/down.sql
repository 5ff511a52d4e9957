DROP TABLE answer_transcripts;
DROP TABLE answer_media;
DELETE FROM answers WHERE text = '';
ALTER TABLE answers DROP CONSTRAINT answers_text_check;
ALTER TABLE answers ADD CONSTRAINT answers_text_check CHECK (char_length(text) BETWEEN 1 AND 20000);
