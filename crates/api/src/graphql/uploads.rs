//! Reading an uploaded file of a GraphQL multipart request, held to a size cap.

use std::io::Read;

use async_graphql::{Context, Upload};

use crate::error::{AppError, AppResult};

/// The bytes of `upload`, sent as the argument `field` (`BAD_USER_INPUT` when it cannot be
/// read), up to one byte past `limit`: enough for the service to refuse an oversized file
/// without reading all of it. (The multipart reader has already spooled the file to a
/// temporary file, within the request's cap.)
pub(crate) async fn read_upload(
    ctx: &Context<'_>,
    upload: &Upload,
    field: &'static str,
    limit: usize,
) -> AppResult<Vec<u8>> {
    let value = upload
        .value(ctx)
        .map_err(|_| AppError::bad_field(field, "the uploaded file could not be read; send it again"))?;
    let bytes = tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        value.into_read().take(limit as u64 + 1).read_to_end(&mut bytes).map(|_| bytes)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    Ok(bytes)
}
