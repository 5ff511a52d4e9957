//! Why a rendering failed.

/// A rendering that could not be produced. None of these is the caller's fault; the service
/// logs it and tells the client only that the export failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The CSV writer failed.
    #[error("could not write the CSV: {0}")]
    Csv(#[from] ::csv::Error),
}
