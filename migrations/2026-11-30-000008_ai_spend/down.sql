DROP TABLE ai_spend;
