//! The text of a DOCX: a ZIP of XML parts, read with the `zip` crate and `quick-xml`.
//!
//! This runs in the sandbox child, on bytes from an upload. Everything it reads is counted:
//! decompressed bytes against one budget shared by all parts (checked against each entry's
//! declared size first, then against the bytes really inflated, so a ZIP that lies about its
//! sizes stops as soon as the budget is spent), and the text written against its own cap.
//! quick-xml expands no entities beyond the five predefined ones and character references, so
//! an XML "billion laughs" has nothing to grow from.

use std::cell::Cell;
use std::io::{self, BufReader, Cursor, Read, Seek};

use quick_xml::NsReader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use serde::{Deserialize, Serialize};
use zip::ZipArchive;
use zip::result::ZipError;

/// WordprocessingML, transitional and strict.
const W: &[&str] = &[
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];
/// DrawingML pictures (`pic:pic`), transitional and strict.
const PIC: &[&str] = &[
    "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://purl.oclc.org/ooxml/drawingml/picture",
];
/// VML, the legacy drawing markup (`v:imagedata`).
const VML: &str = "urn:schemas-microsoft-com:vml";
/// Markup compatibility: `mc:AlternateContent` holds the same drawing twice, a `Choice` and a
/// `Fallback`; only the choice is read, or text boxes would be read twice.
const MC: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// The main part, which every DOCX has.
pub(crate) const MAIN_PART: &str = "word/document.xml";
const RELATIONSHIPS: &str = "word/_rels/document.xml.rels";
/// A resume has a few dozen parts; this bounds the work of looking at names.
const MAX_ENTRIES: usize = 5_000;
const MAX_LINKS: usize = 100;
const MAX_LINK_LEN: usize = 2_048;

/// The caps a DOCX is read under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DocxLimits {
    /// Bytes inflated from all the parts read, together.
    pub(crate) max_decompressed_bytes: u64,
    /// Bytes of text produced.
    pub(crate) max_text_bytes: usize,
}

/// What the child reports for a DOCX: the text and what an applicant tracking system would
/// struggle with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DocxText {
    /// Headers, then the body, then footers; one paragraph per line, table cells tab-separated.
    pub(crate) text: String,
    /// Tables (nested ones included).
    pub(crate) tables: u32,
    /// Pictures.
    pub(crate) images: u32,
    /// Text boxes.
    pub(crate) text_boxes: u32,
    /// Whether any text came from a page header or footer.
    pub(crate) header_footer_text: bool,
    /// External hyperlink targets (a "LinkedIn" link's address is not in the text).
    pub(crate) links: Vec<String>,
}

/// Why a DOCX could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DocxError {
    /// A ZIP, but not a word-processing document.
    #[error("the archive holds no word/document.xml")]
    NotDocx,
    /// An encrypted ZIP entry.
    #[error("an entry is encrypted")]
    Encrypted,
    /// The ZIP or the XML is broken.
    #[error("damaged: {0}")]
    Damaged(&'static str),
    /// A budget ran out.
    #[error("too much: {0}")]
    TooMuch(&'static str),
}

/// Reads a DOCX's text.
pub(crate) fn read(bytes: &[u8], limits: DocxLimits) -> Result<DocxText, DocxError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|err| match err {
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) => DocxError::Encrypted,
        _ => DocxError::Damaged("its ZIP structure is broken or incomplete"),
    })?;
    if archive.len() > MAX_ENTRIES {
        return Err(DocxError::TooMuch("too many parts"));
    }
    let mut headers = Vec::new();
    let mut footers = Vec::new();
    let mut has_main = false;
    let mut has_rels = false;
    for index in 0..archive.len() {
        let entry =
            archive.by_index_raw(index).map_err(|_| DocxError::Damaged("a part's header is broken"))?;
        let Ok(name) = entry.name() else { continue };
        let wanted = name == MAIN_PART
            || name == RELATIONSHIPS
            || is_part(&name, "header")
            || is_part(&name, "footer");
        if !wanted {
            continue;
        }
        if entry.encrypted() {
            return Err(DocxError::Encrypted);
        }
        if entry.size() > limits.max_decompressed_bytes {
            return Err(DocxError::TooMuch("a part inflates beyond the limit"));
        }
        match name.as_ref() {
            MAIN_PART => has_main = true,
            RELATIONSHIPS => has_rels = true,
            name if is_part(name, "header") => headers.push(name.to_owned()),
            name => footers.push(name.to_owned()),
        }
    }
    if !has_main {
        return Err(DocxError::NotDocx);
    }
    headers.sort_by(|a, b| natural(a).cmp(&natural(b)));
    footers.sort_by(|a, b| natural(a).cmp(&natural(b)));

    let budget = Budget { remaining: Cell::new(limits.max_decompressed_bytes), exceeded: Cell::new(false) };
    let mut walker = Walker::new(limits.max_text_bytes);
    for name in &headers {
        walker.read_part(&mut archive, name, &budget)?;
    }
    let header_len = walker.out.len();
    walker.read_part(&mut archive, MAIN_PART, &budget)?;
    let body_end = walker.out.len();
    for name in &footers {
        walker.read_part(&mut archive, name, &budget)?;
    }
    let header_footer_text = walker.out[..header_len].trim().len() + walker.out[body_end..].trim().len() > 0;
    let links = if has_rels { external_links(&mut archive, &budget)? } else { Vec::new() };
    Ok(DocxText {
        text: walker.out,
        tables: walker.tables,
        images: walker.images,
        text_boxes: walker.text_boxes,
        header_footer_text,
        links,
    })
}

/// `word/header1.xml`, `word/footer2.xml`.
fn is_part(name: &str, kind: &str) -> bool {
    name.strip_prefix("word/")
        .and_then(|rest| rest.strip_prefix(kind))
        .and_then(|rest| rest.strip_suffix(".xml"))
        .is_some_and(|number| number.bytes().all(|b| b.is_ascii_digit()))
}

/// Sorts `header10` after `header2`.
fn natural(name: &str) -> (usize, &str) {
    (name.len(), name)
}

/// Decompressed bytes left for all the parts together.
struct Budget {
    remaining: Cell<u64>,
    exceeded: Cell<bool>,
}

/// A part's inflating reader, counted against the budget.
struct Counted<'a, R> {
    inner: R,
    budget: &'a Budget,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Never ask for more than the budget allows plus one byte, so the first byte over is
        // seen without inflating a whole buffer's worth past the limit.
        let allowed = self.budget.remaining.get().saturating_add(1).min(buf.len() as u64) as usize;
        let read = self.inner.read(&mut buf[..allowed])?;
        let remaining = self.budget.remaining.get();
        if read as u64 > remaining {
            self.budget.exceeded.set(true);
            return Err(io::Error::other("decompressed size limit reached"));
        }
        self.budget.remaining.set(remaining - read as u64);
        Ok(read)
    }
}

fn open_part<'a, R: Read + Seek>(
    archive: &'a mut ZipArchive<R>,
    name: &str,
) -> Result<zip::read::ZipFile<'a, R>, DocxError> {
    archive.by_name(name).map_err(|err| match err {
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) | ZipError::InvalidPassword => {
            DocxError::Encrypted
        }
        ZipError::FileNotFound => DocxError::NotDocx,
        ZipError::CompressionMethodNotSupported(_) | ZipError::UnsupportedArchive(_) => {
            DocxError::Damaged("a part uses a compression method Word does not write")
        }
        _ => DocxError::Damaged("a part's data is broken"),
    })
}

fn xml_failure(budget: &Budget) -> DocxError {
    if budget.exceeded.get() {
        DocxError::TooMuch("the document inflates beyond the limit")
    } else {
        DocxError::Damaged("its XML is broken or incomplete")
    }
}

fn is_ns(resolved: &ResolveResult<'_>, namespaces: &[&str]) -> bool {
    matches!(resolved, ResolveResult::Bound(Namespace(ns)) if namespaces.contains(ns))
}

/// The state of the walk over WordprocessingML.
struct Walker {
    out: String,
    max_text: usize,
    /// Paragraphs being read: more than one inside a text box within a paragraph.
    paragraphs: Vec<String>,
    /// Tables being read, innermost last.
    open_tables: Vec<Table>,
    in_text: bool,
    run_depth: usize,
    tables: u32,
    images: u32,
    text_boxes: u32,
}

#[derive(Default)]
struct Table {
    row: Vec<String>,
    cell: Option<String>,
}

impl Walker {
    fn new(max_text: usize) -> Self {
        Self {
            out: String::new(),
            max_text,
            paragraphs: Vec::new(),
            open_tables: Vec::new(),
            in_text: false,
            run_depth: 0,
            tables: 0,
            images: 0,
            text_boxes: 0,
        }
    }

    fn read_part<R: Read + Seek>(
        &mut self,
        archive: &mut ZipArchive<R>,
        name: &str,
        budget: &Budget,
    ) -> Result<(), DocxError> {
        let part = open_part(archive, name)?;
        let mut reader = NsReader::from_reader(BufReader::new(Counted { inner: part, budget }));
        let mut buf = Vec::new();
        // Depth inside an `mc:Fallback`, whose content is skipped.
        let mut skipping = 0usize;
        loop {
            buf.clear();
            let (resolved, event) =
                reader.read_resolved_event_into(&mut buf).map_err(|_| xml_failure(budget))?;
            if skipping > 0 {
                match event {
                    Event::Start(_) => skipping += 1,
                    Event::End(_) => skipping -= 1,
                    Event::Eof => return Err(DocxError::Damaged("its XML is broken or incomplete")),
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(element) => {
                    if is_ns(&resolved, &[MC]) && element.local_name().as_ref() == "Fallback" {
                        skipping = 1;
                    } else {
                        self.start(&resolved, &element, false)?;
                    }
                }
                Event::Empty(element) => {
                    self.start(&resolved, &element, true)?;
                    self.end(&resolved, element.local_name().as_ref())?;
                }
                Event::End(element) => self.end(&resolved, element.local_name().as_ref())?,
                Event::Text(text) if self.in_text => self.push_text(&text)?,
                Event::CData(text) if self.in_text => {
                    self.push_text(&text)?;
                }
                Event::GeneralRef(reference) if self.in_text => {
                    if let Some(ch) = resolve_reference(&reference) {
                        self.push_text(ch.encode_utf8(&mut [0; 4]))?;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        // A part that ends inside a paragraph or a table is broken; what was read is kept.
        while let Some(paragraph) = self.paragraphs.pop() {
            self.deliver(paragraph)?;
        }
        self.open_tables.clear();
        self.in_text = false;
        self.run_depth = 0;
        Ok(())
    }

    fn start(
        &mut self,
        resolved: &ResolveResult<'_>,
        element: &BytesStart<'_>,
        empty: bool,
    ) -> Result<(), DocxError> {
        let name = element.local_name();
        if is_ns(resolved, PIC) && name.as_ref() == "pic" {
            self.images += 1;
            return Ok(());
        }
        if matches!(resolved, ResolveResult::Bound(Namespace(ns)) if *ns == VML)
            && name.as_ref() == "imagedata"
        {
            self.images += 1;
            return Ok(());
        }
        if !is_ns(resolved, W) {
            return Ok(());
        }
        match name.as_ref() {
            "p" => self.paragraphs.push(String::new()),
            "t" if !empty => self.in_text = true,
            "r" if !empty => self.run_depth += 1,
            "tab" if self.run_depth > 0 => self.push_text("\t")?,
            "br" | "cr" if self.run_depth > 0 => self.push_text("\n")?,
            "noBreakHyphen" if self.run_depth > 0 => self.push_text("-")?,
            "tbl" => {
                self.tables += 1;
                self.open_tables.push(Table::default());
            }
            "tc" => {
                if let Some(table) = self.open_tables.last_mut() {
                    table.cell = Some(String::new());
                }
            }
            "txbxContent" => self.text_boxes += 1,
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, resolved: &ResolveResult<'_>, name: &str) -> Result<(), DocxError> {
        if !is_ns(resolved, W) {
            return Ok(());
        }
        match name {
            "p" => {
                if let Some(paragraph) = self.paragraphs.pop() {
                    self.deliver(paragraph)?;
                }
            }
            "t" => self.in_text = false,
            "r" => self.run_depth = self.run_depth.saturating_sub(1),
            "tc" => {
                if let Some(table) = self.open_tables.last_mut() {
                    let cell = table.cell.take().unwrap_or_default();
                    table.row.push(cell.trim().to_owned());
                }
            }
            "tr" => {
                if let Some(table) = self.open_tables.last_mut() {
                    let row = std::mem::take(&mut table.row);
                    // A row of one-line cells is data: one line, cells tab-separated. A row
                    // whose cells hold several lines is layout (a resume set in columns): each
                    // cell's lines in turn, so headings stay on lines of their own.
                    let text = if row.iter().any(|cell| cell.contains('\n')) {
                        row.iter()
                            .map(|cell| cell.trim())
                            .filter(|cell| !cell.is_empty())
                            .collect::<Vec<_>>()
                            .join("\n")
                    } else {
                        row.join("\t")
                    };
                    if !text.trim().is_empty() {
                        self.deliver(text)?;
                    }
                }
            }
            "tbl" => {
                self.open_tables.pop();
            }
            _ => {}
        }
        Ok(())
    }

    /// Appends text to the paragraph being read, within the text cap.
    fn push_text(&mut self, text: &str) -> Result<(), DocxError> {
        let pending: usize = self.paragraphs.iter().map(String::len).sum();
        if self.out.len() + pending + text.len() > self.max_text {
            return Err(DocxError::TooMuch("more text than a resume holds"));
        }
        if let Some(paragraph) = self.paragraphs.last_mut() {
            paragraph.push_str(text);
        }
        Ok(())
    }

    /// A finished paragraph (or table row) goes into the open table cell, or out as a line.
    fn deliver(&mut self, text: String) -> Result<(), DocxError> {
        if let Some(cell) = self.open_tables.last_mut().and_then(|table| table.cell.as_mut()) {
            if !cell.is_empty() && !text.is_empty() {
                cell.push('\n');
            }
            cell.push_str(&text);
            return Ok(());
        }
        if self.out.len() + text.len() + 1 > self.max_text {
            return Err(DocxError::TooMuch("more text than a resume holds"));
        }
        self.out.push_str(&text);
        self.out.push('\n');
        Ok(())
    }
}

fn resolve_reference(reference: &BytesRef<'_>) -> Option<char> {
    if let Ok(Some(ch)) = reference.resolve_char_ref() {
        return Some(ch);
    }
    match reference.as_ref() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// The targets of the document's external hyperlinks.
fn external_links<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    budget: &Budget,
) -> Result<Vec<String>, DocxError> {
    let part = open_part(archive, RELATIONSHIPS)?;
    let mut reader = NsReader::from_reader(BufReader::new(Counted { inner: part, budget }));
    let mut buf = Vec::new();
    let mut links = Vec::new();
    loop {
        buf.clear();
        let (_, event) = reader.read_resolved_event_into(&mut buf).map_err(|_| xml_failure(budget))?;
        match event {
            Event::Start(element) | Event::Empty(element)
                if element.local_name().as_ref() == "Relationship" =>
            {
                let mut target = None;
                let mut external = false;
                let mut hyperlink = false;
                for attribute in element.attributes().flatten() {
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|_| xml_failure(budget))?;
                    match attribute.key.local_name().as_ref() {
                        "Target" => target = Some(value.into_owned()),
                        "TargetMode" => external = value == "External",
                        "Type" => hyperlink = value.ends_with("/hyperlink"),
                        _ => {}
                    }
                }
                if let Some(target) = target.filter(|t| external && hyperlink && t.len() <= MAX_LINK_LEN)
                    && !links.contains(&target)
                    && links.len() < MAX_LINKS
                {
                    links.push(target);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names() {
        assert!(is_part("word/header1.xml", "header"));
        assert!(is_part("word/footer12.xml", "footer"));
        assert!(!is_part("word/header1.xml.rels", "header"));
        assert!(!is_part("word/_rels/header1.xml", "header"));
        let mut names = vec!["word/header10.xml", "word/header2.xml"];
        names.sort_by(|a, b| natural(a).cmp(&natural(b)));
        assert_eq!(names, ["word/header2.xml", "word/header10.xml"]);
    }
}
