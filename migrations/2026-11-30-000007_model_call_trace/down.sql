DROP INDEX evaluations_provider_day_idx;
ALTER TABLE evaluations
    DROP COLUMN input_tokens,
    DROP COLUMN output_tokens,
    DROP COLUMN latency_ms,
    DROP COLUMN fallback;
