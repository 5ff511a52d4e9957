//! What a file is, from its bytes: never from its name or the client's content type.
//!
//! This runs in the parent, so it only compares a few bytes at known places and searches for a
//! name; it never parses the file. The child process checks the structure for real.

use serde::{Deserialize, Serialize};

use crate::error::ExtractError;

/// The document formats a resume can be read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DocumentKind {
    /// A PDF (`%PDF-` within its first kilobyte, as readers accept it).
    Pdf,
    /// An Office Open XML word-processing document: a ZIP that holds `word/document.xml`.
    Docx,
}

impl DocumentKind {
    /// The name the child process is given (`--kind pdf`).
    pub fn as_arg(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
        }
    }

    /// The media type, for storage.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
}

/// How far into the file a PDF's signature may start, and how close to its end `%%EOF` must be
/// (the tolerances PDF readers apply: some writers put junk before the header or after the end).
const PDF_SLACK: usize = 1024;

/// Decides what `bytes` are. A PDF or a DOCX is returned; anything else is refused with a
/// message naming what it is. A PDF whose end marker is missing is refused as damaged here,
/// because a truncated PDF can still yield part of its text and that part would pass for the
/// whole resume.
pub fn detect(bytes: &[u8]) -> Result<DocumentKind, ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    let head = &bytes[..bytes.len().min(PDF_SLACK)];
    if find(head, b"%PDF-").is_some() {
        let tail = &bytes[bytes.len().saturating_sub(PDF_SLACK)..];
        if find(tail, b"%%EOF").is_none() {
            return Err(ExtractError::damaged("the PDF stops before its end; was the upload cut short?"));
        }
        return Ok(DocumentKind::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        // The part names are stored uncompressed in the local headers and the central directory.
        return if find(bytes, b"word/document.xml").is_some() {
            Ok(DocumentKind::Docx)
        } else {
            Err(unsupported(zip_kind(bytes)))
        };
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // A compound file: an old .doc, or Office's password-protected .docx, whose encrypted
        // package is stored in a stream of this name.
        return if find(bytes, &utf16le("EncryptedPackage")).is_some() {
            Err(ExtractError::Encrypted)
        } else {
            Err(unsupported("an old-format Word (.doc) file"))
        };
    }
    Err(unsupported(other_kind(bytes)))
}

fn unsupported(found: &str) -> ExtractError {
    ExtractError::Unsupported { found: found.to_owned() }
}

fn zip_kind(bytes: &[u8]) -> &'static str {
    if find(bytes, b"xl/workbook").is_some() {
        "an Excel spreadsheet"
    } else if find(bytes, b"ppt/presentation").is_some() {
        "a PowerPoint presentation"
    } else if find(bytes, b"application/vnd.oasis.opendocument.text").is_some() {
        "an OpenDocument text (.odt)"
    } else if find(bytes, b"application/vnd.oasis.opendocument").is_some() {
        "an OpenDocument file"
    } else {
        "a ZIP archive"
    }
}

fn other_kind(bytes: &[u8]) -> &'static str {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (b"BM", "a bitmap image"),
        (b"{\\rtf", "an RTF document"),
        (b"%!PS", "a PostScript file"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"\x7FELF", "a program"),
        (b"MZ", "a program"),
    ];
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return "a WebP image";
    }
    if let Some((_, name)) = SIGNATURES.iter().find(|(signature, _)| bytes.starts_with(signature)) {
        return name;
    }
    let head = &bytes[..bytes.len().min(4096)];
    // A multi-byte character cut at the 4 KB mark is still text.
    let text = match std::str::from_utf8(head) {
        Ok(text) => Some(text),
        Err(err) if err.error_len().is_none() => std::str::from_utf8(&head[..err.valid_up_to()]).ok(),
        Err(_) => None,
    };
    match text {
        Some(text) if !text.contains('\0') => {
            let start = text.trim_start().get(..15).unwrap_or_default().to_ascii_lowercase();
            if start.starts_with("<!doctype html") || start.starts_with("<html") {
                "an HTML page"
            } else {
                "a plain-text file"
            }
        }
        _ => "of a type Viva cannot read",
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(bytes: &[u8]) -> String {
        detect(bytes).expect_err("refused").to_string()
    }

    #[test]
    fn pdf_by_signature_with_its_end_marker() {
        assert_eq!(detect(b"%PDF-1.7\n...\n%%EOF\n").ok(), Some(DocumentKind::Pdf));
        assert_eq!(detect(b"junk\n%PDF-1.4\n...%%EOF").ok(), Some(DocumentKind::Pdf));
        assert!(refused(b"%PDF-1.7\n1 0 obj\n").contains("cut short"));
    }

    #[test]
    fn docx_only_when_the_main_part_is_named() {
        assert_eq!(detect(b"PK\x03\x04....word/document.xml....").ok(), Some(DocumentKind::Docx));
        assert!(refused(b"PK\x03\x04....xl/workbook.xml").contains("an Excel spreadsheet"));
        assert!(refused(b"PK\x03\x04....hello.txt").contains("a ZIP archive"));
    }

    #[test]
    fn other_files_are_named_in_the_refusal() {
        assert_eq!(
            refused(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            "this file is a PNG image; upload a PDF or a Word (.docx) document"
        );
        assert!(refused(b"\xFF\xD8\xFF\xE0").contains("a JPEG image"));
        assert!(refused("Jane Doe — résumé\nExperience".as_bytes()).contains("a plain-text file"));
        assert!(refused(b"<!DOCTYPE html><html>").contains("an HTML page"));
        assert!(refused(b"\x00\x01\x02\x03").contains("of a type Viva cannot read"));
        assert_eq!(detect(b""), Err(ExtractError::Empty));
    }

    #[test]
    fn old_word_files_and_protected_docx() {
        let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        assert!(refused(&cfb).contains("an old-format Word (.doc) file; upload a PDF or a Word (.docx)"));
        cfb.extend(utf16le("EncryptedPackage"));
        assert_eq!(detect(&cfb), Err(ExtractError::Encrypted));
    }
}
