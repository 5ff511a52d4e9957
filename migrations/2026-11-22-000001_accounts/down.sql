DROP TABLE throttle_events;
DROP TABLE audit_log;
DROP TABLE email_outbox;
DROP TABLE one_time_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
