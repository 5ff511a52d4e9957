ALTER TABLE interview_questions DROP CONSTRAINT interview_questions_position_key;
ALTER TABLE interview_questions ADD CONSTRAINT interview_questions_position_key UNIQUE (interview_id, position);
DROP INDEX interview_questions_one_follow_up;
ALTER TABLE interview_questions DROP COLUMN follow_up_reason, DROP COLUMN follow_up_of;
DROP TABLE evaluations;
