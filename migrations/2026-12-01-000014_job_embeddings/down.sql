DROP TABLE job_embeddings;
