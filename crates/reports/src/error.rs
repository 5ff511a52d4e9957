//! Why a rendering failed.

use std::path::PathBuf;

/// A rendering that could not be produced. None of these is the caller's fault; the service
/// logs it and tells the client only that the export failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The CSV writer failed.
    #[error("could not write the CSV: {0}")]
    Csv(#[from] ::csv::Error),
    /// The PDF writer refused the document (for example a font it cannot embed), or a chart
    /// could not be laid out.
    #[error("could not write the PDF: {0}")]
    Pdf(String),
}

/// The report's fonts could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// A font file is not there.
    #[error(
        "font {path} not found: install the Debian package {package} (apt-get install {package}), \
         or point the reports at a directory holding {file}"
    )]
    Missing {
        /// Where it was looked for.
        path: PathBuf,
        /// The file name looked for.
        file: &'static str,
        /// The Debian package that ships it.
        package: &'static str,
    },
    /// A font file is there but cannot be read.
    #[error("font {path} could not be read: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A font file is not a TrueType or OpenType font the PDF writer can use.
    #[error("{path} is not a usable TrueType or OpenType font")]
    Invalid {
        /// The file.
        path: PathBuf,
    },
}
