//! What the tests share: the sandbox program, fixtures, and a memory gauge.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use viva_resumes::{ExtractError, ExtractedText, Limits, Sandbox, SkillCatalog, extract};

/// This crate's sandbox binary: the same child code as `viva sandbox extract`.
pub(crate) fn sandbox() -> Sandbox {
    Sandbox::new(env!("CARGO_BIN_EXE_viva-resume-sandbox"), Vec::<String>::new())
}

pub(crate) fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(name)).unwrap_or_else(|err| panic!("fixture {name}: {err}"))
}

/// The day "Present" means in the fixtures' expected values.
pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

pub(crate) fn catalog() -> SkillCatalog {
    SkillCatalog::builtin().expect("the shipped skills list loads")
}

pub(crate) async fn extract_fixture(name: &str) -> ExtractedText {
    extract(&fixture(name), &Limits::default(), &sandbox())
        .await
        .unwrap_or_else(|err| panic!("{name}: {err:?}"))
}

/// The hostile tests run one at a time, so that the memory each one adds is its own.
pub(crate) static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// What one extraction cost this (the parent) process.
pub(crate) struct Measured {
    pub(crate) result: Result<ExtractedText, ExtractError>,
    pub(crate) elapsed: Duration,
    /// The most this process's resident memory rose above where it started, sampled every
    /// few milliseconds while the extraction ran.
    pub(crate) rss_growth_kib: u64,
}

pub(crate) async fn measured(bytes: &[u8], limits: &Limits, sandbox: &Sandbox) -> Measured {
    let start_rss = rss_kib();
    let peak = Arc::new(AtomicU64::new(start_rss));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let started = Instant::now();
    let result = extract(bytes, limits, sandbox).await;
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let rss_growth_kib = peak.load(Ordering::Relaxed).saturating_sub(start_rss);
    Measured { result, elapsed, rss_growth_kib }
}
