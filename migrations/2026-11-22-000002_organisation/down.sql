DROP INDEX users_created_idx;
DROP INDEX users_name_idx;
DROP INDEX users_search_trgm_idx;
DROP TABLE notifications;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE hr_mapping_requests;
