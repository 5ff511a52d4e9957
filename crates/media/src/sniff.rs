//! What a file is, told by its first bytes, never by its name or the client's content type.

use crate::MediaError;

/// A container format Viva accepts for spoken answers or recordings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// WebM, Matroska's subset browsers record (Opus or Vorbis audio; VP8, VP9 or AV1 video).
    WebM,
    /// Matroska in general (`.mkv`, `.mka`).
    Matroska,
    /// Ogg (Opus, Vorbis, FLAC).
    Ogg,
    /// RIFF WAVE.
    Wav,
    /// MPEG audio layer III, with or without an ID3 tag.
    Mp3,
    /// ISO base media (MP4, M4A, MOV).
    Mp4,
    /// Native FLAC.
    Flac,
}

impl Container {
    /// The media type stored with the file and sent with downloads.
    pub fn mime_type(self, video: bool) -> &'static str {
        match (self, video) {
            (Self::WebM, false) => "audio/webm",
            (Self::WebM, true) => "video/webm",
            (Self::Matroska, false) => "audio/x-matroska",
            (Self::Matroska, true) => "video/x-matroska",
            (Self::Ogg, _) => "audio/ogg",
            (Self::Wav, _) => "audio/wav",
            (Self::Mp3, _) => "audio/mpeg",
            (Self::Mp4, false) => "audio/mp4",
            (Self::Mp4, true) => "video/mp4",
            (Self::Flac, _) => "audio/flac",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::WebM => "webm",
            Self::Matroska => "mkv",
            Self::Ogg => "ogg",
            Self::Wav => "wav",
            Self::Mp3 => "mp3",
            Self::Mp4 => "mp4",
            Self::Flac => "flac",
        }
    }

    /// Whether the container can hold video that Viva keeps as a recording.
    pub fn holds_video(self) -> bool {
        matches!(self, Self::WebM | Self::Matroska | Self::Mp4)
    }
}

/// The container of `bytes`, or why it is not one Viva takes.
pub fn sniff(bytes: &[u8]) -> Result<Container, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        // The EBML header names the document type within its first few dozen bytes.
        let head = &bytes[..bytes.len().min(64)];
        return Ok(if contains(head, b"webm") { Container::WebM } else { Container::Matroska });
    }
    if bytes.starts_with(b"OggS") {
        return Ok(Container::Ogg);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE" {
        return Ok(Container::Wav);
    }
    if bytes.starts_with(b"fLaC") {
        return Ok(Container::Flac);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Ok(Container::Mp4);
    }
    if bytes.starts_with(b"ID3") || is_mpeg_audio_frame(bytes) {
        return Ok(Container::Mp3);
    }
    Err(MediaError::Unsupported(describe(bytes)))
}

/// An MPEG-1/2 layer III frame header: 11 sync bits, a valid version, layer III, a bitrate
/// index that is neither free nor bad, and a valid sample rate.
fn is_mpeg_audio_frame(bytes: &[u8]) -> bool {
    let [a, b, c, ..] = bytes else { return false };
    let sync = *a == 0xFF && b & 0xE0 == 0xE0;
    let version_ok = (b >> 3) & 0b11 != 0b01;
    let layer_iii = (b >> 1) & 0b11 == 0b01;
    let bitrate = c >> 4;
    let sample_rate = (c >> 2) & 0b11;
    sync && version_ok && layer_iii && bitrate != 0 && bitrate != 0xF && sample_rate != 0b11
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Names what a refused file seems to be, for the message.
fn describe(bytes: &[u8]) -> String {
    const KNOWN: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a ZIP archive"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"\x7FELF", "a program"),
    ];
    KNOWN
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map_or_else(|| "not a recognised audio or video file".to_owned(), |(_, name)| (*name).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_told_by_their_first_bytes() {
        let mut webm = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84];
        webm.extend_from_slice(b"webm");
        assert_eq!(sniff(&webm).unwrap(), Container::WebM);
        let mkv = [0x1A, 0x45, 0xDF, 0xA3, 0x42, 0x82, 0x88, b'm', b'a', b't', b'r', b'o', b's', b'k', b'a'];
        assert_eq!(sniff(&mkv).unwrap(), Container::Matroska);
        assert_eq!(sniff(b"OggS\0\x02rest").unwrap(), Container::Ogg);
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt ").unwrap(), Container::Wav);
        assert_eq!(sniff(b"fLaC\0\0\0\x22").unwrap(), Container::Flac);
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A \0\0\0\0").unwrap(), Container::Mp4);
        assert_eq!(sniff(b"ID3\x04\0\0\0\0\0\0").unwrap(), Container::Mp3);
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz.
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x64]).unwrap(), Container::Mp3);
    }

    #[test]
    fn other_files_are_refused_and_named() {
        assert!(matches!(sniff(b""), Err(MediaError::Empty)));
        let named = |bytes: &[u8]| match sniff(bytes) {
            Err(MediaError::Unsupported(what)) => what,
            other => panic!("{other:?}"),
        };
        assert_eq!(named(b"PK\x03\x04\x14\0"), "a ZIP archive");
        assert_eq!(named(b"\x89PNG\r\n\x1a\n"), "a PNG image");
        assert_eq!(named(b"hello, world"), "not a recognised audio or video file");
        // A sync word with a reserved layer is not MP3.
        assert_eq!(named(&[0xFF, 0xF9, 0x90, 0x64]), "not a recognised audio or video file");
    }
}
