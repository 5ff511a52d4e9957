-- What each AI provider cost per UTC day, from the tokens its replies reported and the
-- configured prices: the daily spend caps read it, so they hold across replicas and restarts.
CREATE TABLE ai_spend (
    day           date NOT NULL,
    provider      text NOT NULL,
    usd           double precision NOT NULL DEFAULT 0 CHECK (usd >= 0),
    input_tokens  bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
    output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
    calls         bigint NOT NULL DEFAULT 0 CHECK (calls >= 0),
    PRIMARY KEY (day, provider)
);
