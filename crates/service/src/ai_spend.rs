//! The AI providers' spending ledger in PostgreSQL, so daily caps hold across replicas and
//! restarts.

use viva_domain::ai::Usage;
use viva_store::DbPool;
use viva_store::models::ai_spend;

/// [`viva_ai::SpendLedger`] over the `ai_spend` table.
pub struct StoreLedger {
    pool: DbPool,
}

impl StoreLedger {
    /// A ledger over the pool.
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

#[async_trait::async_trait]
impl viva_ai::SpendLedger for StoreLedger {
    async fn add(&self, provider: &str, usd: f64, usage: Usage) -> Result<f64, String> {
        let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
        let tokens = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        ai_spend::add(&mut conn, provider, usd, tokens(usage.input_tokens), tokens(usage.output_tokens))
            .await
            .map_err(|e| e.to_string())
    }

    async fn today(&self, provider: &str) -> Result<f64, String> {
        let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
        ai_spend::today(&mut conn, provider).await.map_err(|e| e.to_string())
    }
}
