DROP TABLE resume_embeddings;
DROP TABLE resume_passages;
DROP TABLE resumes;
DROP FUNCTION resume_search_vector(text[], text);
ALTER TABLE users DROP COLUMN discoverable;
