-- What a model-written evaluation cost and how it was obtained (AI-3): tokens at the provider
-- that wrote it, its latency, and the providers passed over first with why (also set on an
-- offline evaluation written because every chat provider failed).
ALTER TABLE evaluations
    ADD COLUMN input_tokens  integer CHECK (input_tokens >= 0),
    ADD COLUMN output_tokens integer CHECK (output_tokens >= 0),
    ADD COLUMN latency_ms    integer CHECK (latency_ms >= 0),
    ADD COLUMN fallback      text;
-- Spending per provider per day is read from here.
CREATE INDEX evaluations_provider_day_idx ON evaluations (provider, created_at);
