//! Per-request DataLoaders, so nested fields cost one query per kind, not one per row.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;
use viva_store::DbPool;
use viva_store::models::user::{User, find_many};

use crate::error::AppError;

/// Loads users by id.
pub struct UserLoader {
    pool: DbPool,
}

impl Loader<Uuid> for UserLoader {
    type Value = User;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, User>, AppError> {
        let mut conn = self.pool.get().await?;
        let users = find_many(&mut conn, keys).await?;
        Ok(users.into_iter().map(|user| (user.id.0, user)).collect())
    }
}

/// A fresh user loader for one request or one subscription.
pub fn user_loader(pool: DbPool) -> DataLoader<UserLoader> {
    DataLoader::new(UserLoader { pool }, tokio::spawn)
}
