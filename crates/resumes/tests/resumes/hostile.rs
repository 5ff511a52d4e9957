//! Hostile files: each is refused or fails cleanly within its time limit, with a clear error, no
//! panic, and this (the parent) process's memory bounded. The files are built here, except the
//! encrypted PDF (made by qpdf in scripts/make-resume-fixtures.sh) and the fixtures cut in half.

use std::io::{Cursor, Write};
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use viva_resumes::{ExtractError, Limits, Sandbox};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::support::{Measured, SERIAL, fixture, measured, sandbox};

/// The parent may hold the file, the text and a few buffers; 64 MB is far above that and far
/// below what any of these files would take to parse in process.
const PARENT_GROWTH_KIB: u64 = 64 * 1024;

fn report(case: &str, outcome: &Measured) {
    let shown = match &outcome.result {
        Ok(text) => format!("Ok ({} bytes of text, {:?} pages)", text.text.len(), text.pages),
        Err(err) => format!("{} ({err})", err.code()),
    };
    println!(
        "{case}: {shown} in {:.0} ms, parent RSS +{} KiB",
        outcome.elapsed.as_secs_f64() * 1000.0,
        outcome.rss_growth_kib
    );
}

/// Bounded in time and in the parent's memory.
fn assert_bounded(case: &str, outcome: &Measured, limits: &Limits) {
    report(case, outcome);
    assert!(
        outcome.elapsed < limits.wall_clock + Duration::from_secs(2),
        "{case}: took {:?}",
        outcome.elapsed
    );
    assert!(
        outcome.rss_growth_kib < PARENT_GROWTH_KIB,
        "{case}: the parent grew by {} KiB",
        outcome.rss_growth_kib
    );
}

// ----- DOCX -----

const DOCUMENT_START: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#;
const DOCUMENT_END: &[u8] = b"</w:t></w:r></w:p></w:body></w:document>";

/// A DOCX whose main part is `inflated` bytes: the XML around that many zeros, streamed into
/// the deflater so that nothing of that size is ever in memory.
fn docx_bomb(inflated: u64) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9));
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>").unwrap();
    zip.start_file("word/document.xml", options.large_file(false)).unwrap();
    zip.write_all(DOCUMENT_START).unwrap();
    let zeros = vec![0u8; 1 << 20];
    let mut left = inflated;
    while left > 0 {
        let chunk = left.min(zeros.len() as u64) as usize;
        zip.write_all(&zeros[..chunk]).unwrap();
        left -= chunk as u64;
    }
    zip.write_all(DOCUMENT_END).unwrap();
    zip.finish().unwrap().into_inner()
}

/// A DOCX with a short body and `headers` header parts of `each` bytes (zeros in a text run).
fn docx_spread_bomb(headers: u32, each: u64) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9));
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(DOCUMENT_START).unwrap();
    zip.write_all(b"Jane Doe, backend engineer, jane@example.com").unwrap();
    zip.write_all(DOCUMENT_END).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for header in 1..=headers {
        zip.start_file(format!("word/header{header}.xml"), options).unwrap();
        zip.write_all(DOCUMENT_START).unwrap();
        let mut left = each;
        while left > 0 {
            let chunk = left.min(zeros.len() as u64) as usize;
            zip.write_all(&zeros[..chunk]).unwrap();
            left -= chunk as u64;
        }
        zip.write_all(DOCUMENT_END).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Rewrites the sizes `word/document.xml` declares (local header and central directory) to
/// `declared`, as a bomb that lies about itself would.
fn lie_about_size(zip: &mut [u8], declared: u32) {
    let name = b"word/document.xml";
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46 + name.len()) {
        let (size_at, name_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (at + 22, at + 30),
            b"PK\x01\x02" => (at + 24, at + 46),
            _ => continue,
        };
        if zip[name_at..].starts_with(name) {
            zip[size_at..size_at + 4].copy_from_slice(&declared.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both size fields patched");
}

#[tokio::test]
async fn a_docx_zip_bomb_stops_at_the_decompression_limit() {
    let _serial = SERIAL.lock().await;
    let bomb = docx_bomb(1 << 30);
    println!("the 1 GiB DOCX bomb is {} KiB", bomb.len() / 1024);
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    let limits = Limits::default();

    let honest = measured(&bomb, &limits, &sandbox()).await;
    assert_bounded("DOCX bomb (1 GiB, sizes declared)", &honest, &limits);
    assert!(matches!(honest.result, Err(ExtractError::TooComplex { .. })), "{:?}", honest.result);
    assert!(honest.result.as_ref().unwrap_err().to_string().contains("too large or too complex"));

    // The same bomb claiming to hold 4 KB: the inflated bytes are counted as they come.
    let mut lying = bomb;
    lie_about_size(&mut lying, 4096);
    let outcome = measured(&lying, &limits, &sandbox()).await;
    assert_bounded("DOCX bomb (1 GiB, declaring 4 KB)", &outcome, &limits);
    assert!(
        matches!(outcome.result, Err(ExtractError::TooComplex { .. } | ExtractError::Damaged { .. })),
        "{:?}",
        outcome.result
    );
    assert!(outcome.elapsed < Duration::from_secs(5), "stopped early: {:?}", outcome.elapsed);

    // 1 GiB spread over a hundred page headers of 10 MiB each: every part passes the check of
    // its declared size, and the inflated bytes, counted as they come, stop the parse.
    let spread = docx_spread_bomb(100, 10 << 20);
    println!("the DOCX with 100 headers of 10 MiB is {} KiB", spread.len() / 1024);
    let outcome = measured(&spread, &limits, &sandbox()).await;
    assert_bounded("DOCX bomb (1 GiB over 100 headers of 10 MiB)", &outcome, &limits);
    assert!(matches!(outcome.result, Err(ExtractError::TooComplex { .. })), "{:?}", outcome.result);
    assert!(outcome.elapsed < Duration::from_secs(5), "stopped early: {:?}", outcome.elapsed);
}

#[tokio::test]
async fn a_parse_that_runs_out_of_memory_is_stopped_by_the_address_space_limit() {
    let _serial = SERIAL.lock().await;
    // 24 MiB of text in one run: reading it needs a buffer that outgrows 16 MiB of address space.
    let bytes = docx_bomb(24 << 20);
    let limits = Limits { memory_bytes: 16 << 20, ..Limits::default() };
    let outcome = measured(&bytes, &limits, &sandbox()).await;
    assert_bounded("DOCX needing more memory than allowed (16 MiB)", &outcome, &limits);
    assert!(
        matches!(&outcome.result, Err(ExtractError::TooComplex { what }) if what.contains("memory")),
        "{:?}",
        outcome.result
    );
}

#[tokio::test]
async fn an_encrypted_docx_entry_is_refused() {
    use zip::unstable::write::FileOptionsExt;
    let _serial = SERIAL.lock().await;
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().with_deprecated_encryption(b"secret").unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(DOCUMENT_START).unwrap();
    zip.write_all(b"Jane Doe, backend engineer, jane@example.com").unwrap();
    zip.write_all(DOCUMENT_END).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let limits = Limits::default();
    let outcome = measured(&bytes, &limits, &sandbox()).await;
    assert_bounded("DOCX with an encrypted entry", &outcome, &limits);
    assert_eq!(outcome.result, Err(ExtractError::Encrypted));
}

// ----- PDF -----

/// A classic PDF: the objects numbered from 1, a cross-reference table, and `trailer` added to
/// the trailer dictionary.
fn pdf(objects: &[Vec<u8>], trailer: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", index + 1).as_bytes());
        out.extend(object);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    let trailer = trailer.replace("{xref}", &xref.to_string());
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer}>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

const CONTENT: &str = "BT /F1 12 Tf 72 720 Td (Jane Doe, backend engineer, jane@example.com) Tj ET";

fn stream(content: &str) -> Vec<u8> {
    format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes()
}

fn font() -> Vec<u8> {
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec()
}

fn page(parent: u32) -> Vec<u8> {
    format!("<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>").into_bytes()
}

/// One page of text: what the fake children below are given to get past the type check.
fn tiny_pdf() -> Vec<u8> {
    pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>".to_vec(),
            stream(CONTENT),
            font(),
            page(2),
        ],
        "",
    )
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A PDF with `pages` real pages (a two-level page tree), its objects packed into compressed
/// object streams and its cross-reference in a compressed stream, as PDF 1.5 allows: 200,000
/// pages in well under a megabyte.
fn many_pages_pdf(pages: u32) -> Vec<u8> {
    const PER_NODE: u32 = 400;
    const PER_STREAM: usize = 1000;
    let nodes = pages.div_ceil(PER_NODE);
    let first_node = 5;
    let first_page = first_node + nodes;
    // Objects 1, 2, 4, the nodes and the pages go into object streams; 3 is the content stream.
    let mut packed: Vec<(u32, Vec<u8>)> = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (
            2,
            format!(
                "<< /Type /Pages /Count {pages} /Kids [{}] >>",
                (0..nodes).map(|n| format!("{} 0 R", first_node + n)).collect::<Vec<_>>().join(" ")
            )
            .into_bytes(),
        ),
        (4, font()),
    ];
    for node in 0..nodes {
        let kids: Vec<String> = (0..PER_NODE)
            .map(|k| node * PER_NODE + k)
            .filter(|p| *p < pages)
            .map(|p| format!("{} 0 R", first_page + p))
            .collect();
        packed.push((
            first_node + node,
            format!(
                "<< /Type /Pages /Parent 2 0 R /Count {} /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Kids [{}] >>",
                kids.len(),
                kids.join(" ")
            )
            .into_bytes(),
        ));
    }
    for p in 0..pages {
        let parent = first_node + p / PER_NODE;
        packed.push((
            first_page + p,
            format!("<< /Type /Page /Parent {parent} 0 R /Contents 3 0 R >>").into_bytes(),
        ));
    }
    let first_stream = first_page + pages;
    let streams = packed.len().div_ceil(PER_STREAM) as u32;
    let xref_object = first_stream + streams;
    let size = xref_object + 1;
    // entry per object: (type, field 2, field 3)
    let mut entries = vec![(0u8, 0u32, 65535u16); size as usize];
    let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let content = stream(CONTENT);
    entries[3] = (1, out.len() as u32, 0);
    out.extend(b"3 0 obj\n");
    out.extend(&content);
    out.extend(b"\nendobj\n");
    for (chunk_index, chunk) in packed.chunks(PER_STREAM).enumerate() {
        let number = first_stream + chunk_index as u32;
        let mut header = String::new();
        let mut body = Vec::new();
        for (index, (object, bytes)) in chunk.iter().enumerate() {
            header.push_str(&format!("{object} {} ", body.len()));
            body.extend(bytes);
            body.push(b'\n');
            entries[*object as usize] = (2, number, index as u16);
        }
        let mut raw = header.into_bytes();
        let first = raw.len();
        raw.extend(body);
        let compressed = zlib(&raw);
        entries[number as usize] = (1, out.len() as u32, 0);
        out.extend(
            format!(
                "{number} 0 obj\n<< /Type /ObjStm /N {} /First {first} /Filter /FlateDecode /Length {} >>\nstream\n",
                chunk.len(),
                compressed.len()
            )
            .as_bytes(),
        );
        out.extend(compressed);
        out.extend(b"\nendstream\nendobj\n");
    }
    let xref_at = out.len();
    entries[xref_object as usize] = (1, xref_at as u32, 0);
    let mut table = Vec::new();
    for (kind, second, third) in &entries {
        table.push(*kind);
        table.extend(second.to_be_bytes());
        table.extend(third.to_be_bytes());
    }
    let compressed = zlib(&table);
    out.extend(
        format!(
            "{xref_object} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length {} >>\nstream\n",
            compressed.len()
        )
        .as_bytes(),
    );
    out.extend(compressed);
    out.extend(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

#[tokio::test]
async fn a_pdf_claiming_ten_million_pages_is_refused() {
    let _serial = SERIAL.lock().await;
    let claim = pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [5 0 R] /Count 10000000 >>".to_vec(),
            stream(CONTENT),
            font(),
            page(2),
        ],
        "",
    );
    let limits = Limits::default();
    let outcome = measured(&claim, &limits, &sandbox()).await;
    assert_bounded("PDF claiming 10,000,000 pages", &outcome, &limits);
    assert!(
        matches!(&outcome.result, Err(ExtractError::Damaged { reason }) if reason.contains("page tree")),
        "{:?}",
        outcome.result
    );
}

#[tokio::test]
async fn a_pdf_with_200000_real_pages_is_read_only_to_the_page_limit() {
    let _serial = SERIAL.lock().await;
    let bytes = many_pages_pdf(200_000);
    println!("the 200,000-page PDF is {} KiB", bytes.len() / 1024);
    let limits = Limits::default();
    assert!((bytes.len() as u64) < limits.max_file_bytes);
    let outcome = measured(&bytes, &limits, &sandbox()).await;
    assert_bounded("PDF with 200,000 real pages", &outcome, &limits);
    let text = outcome.result.as_ref().unwrap_or_else(|err| panic!("{err:?}"));
    assert_eq!(text.pages, Some(limits.max_pages));
    assert_eq!(text.text.matches("jane@example.com").count(), limits.max_pages as usize);
}

#[tokio::test]
async fn pdfs_that_loop_fail_cleanly() {
    let _serial = SERIAL.lock().await;
    let limits = Limits::default();
    // A page tree whose node lists itself and a node that lists the root again.
    let cycle = pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [2 0 R 6 0 R] /Count 2 >>".to_vec(),
            stream(CONTENT),
            font(),
            page(2),
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 6 0 R] /Count 5 >>".to_vec(),
        ],
        "",
    );
    let outcome = measured(&cycle, &limits, &sandbox()).await;
    assert_bounded("PDF with a cyclic page tree", &outcome, &limits);
    assert!(matches!(outcome.result, Err(ExtractError::Damaged { .. })), "{:?}", outcome.result);

    // A cross-reference table whose /Prev points at itself, and a stream whose /Length is an
    // object that refers to itself.
    let looping_xref = pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>".to_vec(),
            format!("<< /Length 6 0 R >>\nstream\n{CONTENT}\nendstream").into_bytes(),
            font(),
            page(2),
            b"6 0 R".to_vec(),
        ],
        "/Prev {xref} ",
    );
    let outcome = measured(&looping_xref, &limits, &sandbox()).await;
    assert_bounded("PDF with a self-referencing xref and length", &outcome, &limits);
    assert!(
        matches!(&outcome.result, Ok(_) | Err(ExtractError::Damaged { .. } | ExtractError::NoText)),
        "{:?}",
        outcome.result
    );
}

#[tokio::test]
async fn an_encrypted_pdf_is_refused() {
    let _serial = SERIAL.lock().await;
    let limits = Limits::default();
    let outcome = measured(&fixture("encrypted.pdf"), &limits, &sandbox()).await;
    assert_bounded("encrypted PDF (qpdf, AES-256, user password)", &outcome, &limits);
    assert_eq!(outcome.result, Err(ExtractError::Encrypted));
    assert!(outcome.result.unwrap_err().to_string().contains("protected by a password"));
}

#[tokio::test]
async fn a_png_named_pdf_is_refused_by_its_content() {
    let _serial = SERIAL.lock().await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\x01\0\x18\xdd\x8d\xb0\0\0\0\0IEND\xaeB`\x82";
    let limits = Limits::default();
    let outcome = measured(png, &limits, &sandbox()).await;
    assert_bounded("PNG renamed resume.pdf", &outcome, &limits);
    assert_eq!(
        outcome.result.unwrap_err().to_string(),
        "this file is a PNG image; upload a PDF or a Word (.docx) document"
    );
}

#[tokio::test]
async fn truncated_files_are_damaged() {
    let _serial = SERIAL.lock().await;
    let limits = Limits::default();
    for name in ["backend_go.pdf", "backend_go.docx"] {
        let whole = fixture(name);
        let half = &whole[..whole.len() / 2];
        let outcome = measured(half, &limits, &sandbox()).await;
        assert_bounded(&format!("{name} cut in half"), &outcome, &limits);
        assert!(matches!(outcome.result, Err(ExtractError::Damaged { .. })), "{name}: {:?}", outcome.result);
    }
}

#[tokio::test]
async fn files_over_the_size_limit_are_refused_before_anything_runs() {
    let limits = Limits { max_file_bytes: 1000, ..Limits::default() };
    let bytes = fixture("backend_go.pdf");
    let broken = Sandbox::new("/nonexistent/viva", Vec::<String>::new());
    let err = viva_resumes::extract(&bytes, &limits, &broken).await.unwrap_err();
    assert!(matches!(err, ExtractError::TooLarge { limit: 1000, .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("the file is 18 KB; the limit is 1 KB. Upload a smaller file"),
        "{err}"
    );
}

// ----- The child's bounds, with programs standing in for the parser -----

fn script(dir: &tempfile::TempDir, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[tokio::test]
async fn the_limits_reach_the_pdf_parser_across_exec() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    // Stands in for pdftotext: shows the limits it runs under, as the sandbox left them.
    let shows_limits = script(&dir, "pdftotext", "exec cat /proc/self/limits");
    let limits = Limits { memory_bytes: 300 * 1024 * 1024, cpu_seconds: 7, ..Limits::default() };
    let text = viva_resumes::extract(&tiny_pdf(), &limits, &sandbox().with_pdftotext(&shows_limits))
        .await
        .unwrap()
        .text;
    let limit = |name: &str| -> Vec<String> {
        let line = text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in {text}"));
        line[name.len()..].split_whitespace().take(2).map(str::to_owned).collect()
    };
    assert_eq!(limit("Max address space"), ["314572800", "314572800"]);
    assert_eq!(limit("Max cpu time"), ["7", "8"]);
    assert_eq!(limit("Max file size"), ["0", "0"]);
    assert_eq!(limit("Max open files"), ["16", "16"]);
    assert_eq!(limit("Max processes"), ["0", "0"]);
    assert_eq!(limit("Max core file size"), ["0", "0"]);
}

#[tokio::test]
async fn a_parser_that_spins_is_stopped_by_the_cpu_limit() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let spins = script(&dir, "pdftotext", "while :; do :; done");
    let limits = Limits { cpu_seconds: 1, ..Limits::default() };
    let outcome = measured(&tiny_pdf(), &limits, &sandbox().with_pdftotext(&spins)).await;
    assert_bounded("parser spinning (CPU limit 1 s)", &outcome, &limits);
    assert_eq!(outcome.result, Err(ExtractError::Timeout { limit: Duration::from_secs(1) }));
    assert!(outcome.elapsed < Duration::from_secs(4), "{:?}", outcome.elapsed);
}

#[tokio::test]
async fn a_child_that_hangs_is_killed_at_the_wall_clock_limit() {
    let _serial = SERIAL.lock().await;
    let hangs = Sandbox::new("/bin/sh", ["-c", "exec sleep 60", "sh"]);
    let limits = Limits { wall_clock: Duration::from_secs(1), ..Limits::default() };
    let outcome = measured(&tiny_pdf(), &limits, &hangs).await;
    assert_bounded("child sleeping (wall clock 1 s)", &outcome, &limits);
    assert_eq!(outcome.result, Err(ExtractError::Timeout { limit: Duration::from_secs(1) }));
    assert!(outcome.elapsed < Duration::from_millis(1500), "{:?}", outcome.elapsed);
}

#[tokio::test]
async fn a_child_that_floods_its_output_is_cut_off() {
    let _serial = SERIAL.lock().await;
    let floods = Sandbox::new("/bin/sh", ["-c", "exec yes resume text", "sh"]);
    let limits = Limits::default();
    let outcome = measured(&tiny_pdf(), &limits, &floods).await;
    assert_bounded("child writing without end", &outcome, &limits);
    assert!(
        matches!(&outcome.result, Err(ExtractError::TooComplex { what }) if what.contains("of text")),
        "{:?}",
        outcome.result
    );
}

#[tokio::test]
async fn a_sandbox_that_cannot_start_is_an_internal_error() {
    let missing = Sandbox::new("/nonexistent/viva", Vec::<String>::new());
    let err = viva_resumes::extract(&tiny_pdf(), &Limits::default(), &missing).await.unwrap_err();
    assert!(
        matches!(&err, ExtractError::Internal { detail } if detail.contains("/nonexistent/viva")),
        "{err:?}"
    );
    assert!(!err.to_string().contains("nonexistent"));
}
