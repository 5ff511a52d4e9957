//! Semantic search at scale (issue #12, item 4): exact top-10 search over 100,000 resume
//! embeddings of all-MiniLM-L6-v2's 384 dimensions, in process, as the per-replica index answers
//! `searchCandidates` and `matchCandidates`. Prints latency percentiles without and with an
//! access filter (half the candidates visible), the index's memory, and the process's RSS.
//!
//! The vectors are random unit vectors: an exact scan reads and scores every vector whatever
//! their values, so its cost does not depend on them (real embeddings would cost the same).
//! `make bench` runs it (`cargo bench -p viva-vectors --bench search`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::collections::HashSet;
use std::time::Instant;

use uuid::Uuid;
use viva_vectors::VectorIndex;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const VECTORS: usize = 100_000;
const DIM: usize = 384;
const QUERIES: usize = 500;

/// A deterministic generator of values in [-0.5, 0.5).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }

    fn vector(&mut self) -> Vec<f32> {
        (0..DIM).map(|_| self.next()).collect()
    }
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn run(index: &VectorIndex, queries: &[Vec<f32>], keep: &dyn Fn(Uuid) -> bool) -> (f64, f64, f64) {
    for query in queries.iter().take(20) {
        index.search(query, 10, keep).unwrap();
    }
    let mut millis: Vec<f64> = queries
        .iter()
        .map(|query| {
            let start = Instant::now();
            let hits = index.search(query, 10, keep).unwrap();
            assert_eq!(hits.len(), 10);
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    millis.sort_by(f64::total_cmp);
    (percentile(&millis, 0.5), percentile(&millis, 0.99), millis[millis.len() - 1])
}

fn main() {
    let mut random = Lcg(42);
    let before = rss_kib();
    let started = Instant::now();
    let mut index = VectorIndex::new("all-MiniLM-L6-v2", DIM);
    index.reserve(VECTORS);
    let mut ids = Vec::with_capacity(VECTORS);
    for n in 0..VECTORS {
        let id = Uuid::from_u128(n as u128 + 1);
        index.insert(id, &random.vector()).unwrap();
        ids.push(id);
    }
    let built = started.elapsed();
    let after = rss_kib();
    let visible: HashSet<Uuid> = ids.iter().step_by(2).copied().collect();
    let queries: Vec<Vec<f32>> = (0..QUERIES).map(|_| random.vector()).collect();

    println!(
        "resume search: exact top-10 over {VECTORS} vectors of {DIM} dimensions, {QUERIES} queries, one thread"
    );
    println!(
        "index: {:.1} MiB held ({:.1} MiB of vectors), process RSS +{:.1} MiB; built in {:.2} s",
        index.memory_bytes() as f64 / 1048576.0,
        (VECTORS * DIM * 4) as f64 / 1048576.0,
        (after.saturating_sub(before)) as f64 / 1024.0,
        built.as_secs_f64()
    );
    println!("| search | p50 | p99 | max |");
    println!("|---|---|---|---|");
    let (p50, p99, max) = run(&index, &queries, &|_| true);
    println!("| every candidate | {p50:.2} ms | {p99:.2} ms | {max:.2} ms |");
    let (p50, p99, max) = run(&index, &queries, &|id| visible.contains(&id));
    println!("| half visible (access filter) | {p50:.2} ms | {p99:.2} ms | {max:.2} ms |");
}
