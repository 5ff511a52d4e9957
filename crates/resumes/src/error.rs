//! Why a document could not be read.

use std::time::Duration;

/// Why a resume's text could not be extracted. Every variant's message (its `Display`) is meant
/// for the person who uploaded the file and says what they can do about it, except
/// [`ExtractError::Internal`], whose message is generic and whose detail is for the logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The file is bigger than the upload limit.
    #[error("the file is {}; the limit is {}. Upload a smaller file (a resume exported without large images is usually well under 1 MB)", human_bytes(*size), human_bytes(*limit))]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is empty.
    #[error("the file is empty; upload a PDF or a Word (.docx) document")]
    Empty,
    /// The content is neither a PDF nor a DOCX; `found` names what it is ("a PNG image").
    #[error("this file is {found}; upload a PDF or a Word (.docx) document")]
    Unsupported {
        /// What the content looks like, with its article: "a PNG image", "a ZIP archive".
        found: String,
    },
    /// The document is protected by a password.
    #[error(
        "the document is protected by a password; remove the protection (or export an unprotected PDF) and upload it again"
    )]
    Encrypted,
    /// The file is damaged or incomplete; `reason` says how, in plain words.
    #[error("the file is damaged or incomplete ({reason}); export the resume again and upload the new file")]
    Damaged {
        /// What is wrong, e.g. "it ends before the end of the PDF".
        reason: String,
    },
    /// The document holds no text: most likely a scanned page or a picture of one.
    #[error(
        "no text was found in the document; it looks like a scan or a picture. Upload a PDF exported from a word processor, or a .docx"
    )]
    NoText,
    /// Reading the document would need more than the limits allow (decompressed size, text
    /// length, memory); `what` says which.
    #[error(
        "the document is too large or too complex to read safely ({what}); upload a simpler PDF or .docx of a few pages"
    )]
    TooComplex {
        /// Which limit was reached, in plain words.
        what: String,
    },
    /// Reading the document took longer than the time limit.
    #[error("reading the document took longer than {} seconds; upload a simpler PDF or .docx of a few pages", limit.as_secs())]
    Timeout {
        /// The wall-clock limit.
        limit: Duration,
    },
    /// Something on our side failed (the parser could not be started, an unexpected exit).
    /// The message shown is generic; `detail` is for the logs only.
    #[error("the document could not be read because of a problem on our side; try again later")]
    Internal {
        /// What happened, for operators.
        detail: String,
    },
}

impl ExtractError {
    /// A stable code for the failure, for storage and for clients that branch on it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "TOO_LARGE",
            Self::Empty => "EMPTY",
            Self::Unsupported { .. } => "UNSUPPORTED_TYPE",
            Self::Encrypted => "ENCRYPTED",
            Self::Damaged { .. } => "DAMAGED",
            Self::NoText => "NO_TEXT",
            Self::TooComplex { .. } => "TOO_COMPLEX",
            Self::Timeout { .. } => "TIMEOUT",
            Self::Internal { .. } => "INTERNAL",
        }
    }

    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        Self::Internal { detail: detail.into() }
    }

    pub(crate) fn damaged(reason: impl Into<String>) -> Self {
        Self::Damaged { reason: reason.into() }
    }

    pub(crate) fn too_complex(what: impl Into<String>) -> Self {
        Self::TooComplex { what: what.into() }
    }
}

/// "12.3 MB", "512 KB", "900 bytes".
pub(crate) fn human_bytes(bytes: u64) -> String {
    const KB: u64 = 1_000;
    const MB: u64 = 1_000_000;
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= KB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(12_345_678), "12.3 MB");
        assert_eq!(human_bytes(10 * 1024 * 1024), "10.5 MB");
        assert_eq!(human_bytes(1_500), "2 KB");
        assert_eq!(human_bytes(900), "900 bytes");
    }

    #[test]
    fn messages_say_what_to_do_and_internal_ones_say_nothing_inside() {
        let png = ExtractError::Unsupported { found: "a PNG image".into() };
        assert_eq!(png.to_string(), "this file is a PNG image; upload a PDF or a Word (.docx) document");
        let internal = ExtractError::internal("pdftotext: No such file or directory");
        assert!(!internal.to_string().contains("pdftotext"));
        assert_eq!(internal.code(), "INTERNAL");
    }
}
