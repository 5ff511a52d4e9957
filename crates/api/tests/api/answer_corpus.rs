//! A seeded generator of realistic answers by many candidates to one question (the bank's
//! `backend-engineer-018`, on caching for a read-heavy service), for the leak-detection tests.
//!
//! Real answers to one question share vocabulary and stock phrases ("cache-aside", "only two
//! hard things in computer science", "on a miss it loads from the database"), follow a few
//! common outlines and differ in wording, order, numbers and stories. The generator draws
//! each answer from a pool of moves per part of an answer (opening, the pattern, invalidation,
//! stampedes, operations, closing); every move is a template with alternatives for its
//! phrases, numbers and anecdotes, so honest answers overlap partly, as real ones do, without
//! being copies of each other.

/// A small deterministic generator (SplitMix64), so the corpus is the same on every run.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Expands a template: `{a|b|c}` picks one alternative, `{#lo-hi}` a number in `lo..=hi`.
fn expand(template: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("closed brace");
        let inner = &rest[open + 1..close];
        if let Some(range) = inner.strip_prefix('#') {
            let (lo, hi) = range.split_once('-').expect("number range");
            let (lo, hi): (usize, usize) = (lo.parse().unwrap(), hi.parse().unwrap());
            out.push_str(&(lo + rng.below(hi - lo + 1)).to_string());
        } else {
            let options: Vec<&str> = inner.split('|').collect();
            out.push_str(options[rng.below(options.len())]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

const OPENINGS: &[&str] = &[
    "{Sure|Okay|Good question|Right}, {so for|for} a {read-heavy service|service that is mostly reads|workload dominated by reads} {I would|I'd|my first step would be to} {start with|reach for|go with|begin with} {cache-aside|the cache-aside pattern|a look-aside cache}.",
    "In my {last|previous|current} {role|job|team} we {ran|had|built|owned} a {catalogue|pricing|profile|search|recommendations|feature-flag|inventory|content} service that {served|handled|took} about {#2-90} thousand {reads|requests|lookups} per second, {so caching was essential|and the database was always the bottleneck|so we had to cache aggressively}.",
    "The {main|first|key} {goal|thing|concern} is {keeping|to keep} {the database|Postgres|MySQL|the primary} {from being hammered|out of the hot path|safe under load} while {still serving|serving|returning} data {that is fresh enough|that is not too stale|quickly}.",
    "{Before designing anything|First of all|To begin with} I would {ask|find out|check} how stale the data {is allowed to be|may be|can be} and {what the read to write ratio is|how skewed the access pattern is|which keys are hot}, {because that drives|since that decides|as that shapes} {every other choice|the whole design|the invalidation strategy}.",
];

const PATTERN: &[&str] = &[
    "{The service|The application|Each request} {first checks|looks in|reads from} {Redis|Memcached|the cache|an in-memory cache}, and on a {miss|cache miss} it {loads|reads|fetches} the {value|row|data} from the database and {writes|puts|stores} it {back |}{into the cache |}with a {TTL|time to live|expiry} of {around|about|roughly} {#2-60} {seconds|minutes}.",
    "{I would|I'd|We would} {put|add|place} {a Redis cluster|a Memcached tier|a small in-process cache backed by Redis|a two-level cache} {in front of|ahead of} the database, {keyed by|with keys built from} {the entity id|the request parameters|a hash of the query|the tenant and the object id}.",
    "{Reads go|Every read goes} to the cache first, {while writes|and writes} go {straight |}to the database {and then|before they} {invalidate|evict|delete} the {key|cached entry|cached copy}.",
    "{Another option|An alternative|For some data} is {write-through|write-behind}, where {every write|the writer} {also updates|updates} the cache {synchronously|at the same time}, {but it adds latency to writes|though it couples writes to the cache|but I rarely start there}.",
    "{For very hot|For small and hot|For read-mostly} {reference data|configuration|lookup tables} {an in-process cache|a local cache in each instance|a per-instance LRU} {with a short expiry|refreshed every few seconds|with a tiny TTL} {avoids|saves} {the network hop|a round trip to Redis|even the Redis call}.",
];

const INVALIDATION: &[&str] = &[
    "For invalidation {I prefer|I'd use|the simplest approach is} {a short TTL|a modest TTL|TTL-based expiry} {plus|combined with|together with} {explicit deletes|deleting the key} on {write|every write|updates}.",
    "{I|We} {delete|evict} the key {rather than update it|instead of updating it} on write, {because|since} {two concurrent writers|racing updates|out-of-order writes} {can leave|could leave|may leave} {a stale|an old|an outdated} value in the cache {for the whole TTL|indefinitely|for a long time}.",
    "When data {must be|has to be|needs to be} {fresh|strongly consistent|up to date}, {like|such as|for example} {permissions|prices|account balances|stock levels}, {I would|we} {publish|emit|send} {change events|invalidation messages|events on a message bus} {and every instance drops its copy|so consumers evict the key|and subscribers invalidate the entry}{, or simply skip caching it|, or we do not cache it at all|}.",
    "{There are|As the saying goes, there are} only two hard things in computer science{, and cache invalidation is one of them|: cache invalidation and naming things}{, so I keep it simple|, so I try to keep the rules few|}.",
    "{Versioned keys|Putting a version number in the key|Namespacing keys by version} {also helps|is another trick|works well}, since {a deploy or schema change|a bulk update|a data migration} can {just|simply} {bump|increment} the version {instead of flushing everything|rather than deleting thousands of keys}.",
    "{Change data capture|Reading the database's change log with Debezium|Listening to the binlog} {is|can be} {a robust way|a reliable way|another way} to {invalidate|evict keys}, {because|since} {it catches writes from every service|no writer can forget to do it|even batch jobs and manual fixes are covered}.",
];

const STAMPEDE: &[&str] = &[
    "A {cache stampede|thundering herd|dog-pile} {happens|occurs} when {a hot key|a popular key|a heavily read key} expires and {many|hundreds of|thousands of} {requests|clients|callers} {miss|go to the database} at {once|the same time|the same moment}.",
    "To {prevent|avoid|protect against|mitigate} {that|it|stampedes} {I would use|I'd use|we used} {request coalescing|single-flight|a per-key lock|a short distributed lock} so only one {request|caller|worker} {recomputes|rebuilds|reloads} the value {while the others wait|and the others wait for it|while others serve the stale value}.",
    "{I'd also add|Another trick is adding|We also added} {random |}jitter to {the TTLs|expiry times|the TTL values} so {keys|entries|hot keys} {do not|don't} {all expire|expire} {together|at the same time|at once}.",
    "{For the hottest keys|For really hot keys|On the most popular keys}, {probabilistic early refresh|early recomputation|refresh-ahead|a background refresh before expiry} {keeps them warm|means they never expire under load|keeps the value from ever going cold}.",
    "{Serving stale data|Stale-while-revalidate|Returning the last known value} {for a few seconds|briefly|while refreshing} is {usually|often|generally} {fine|acceptable|a good trade-off} {for|on} a read-heavy {service|workload|system}.",
    "{Rate limiting|A circuit breaker|A cap on database connections} {in front of|on} the database {is|gives} {a last line of defence|the final safety net|protection if everything else fails}.",
    "{After a deploy or a cache restart|When the cache is cold|After a failover} {I would|we} {warm the cache|pre-load the hottest keys|replay recent traffic} {before taking traffic|gradually|from a list of top keys}, {otherwise|or else} {every request misses at once|the database takes the full load}.",
];

const OPERATIONS: &[&str] = &[
    "I would {monitor|track|watch} {the hit ratio|cache hit rate|hit rate}, {eviction rate|evictions|memory usage} and {database load|p99 latency|database CPU}{, and alert when the hit ratio drops|, with alerts on sudden drops|}.",
    "{At|In} my {last|previous} {company|job|team}, {adding|introducing} {request coalescing|jittered TTLs|a two-level cache|refresh-ahead} {cut|reduced|brought down} {database CPU|p99 latency|load on the primary} by about {#20-80} percent.",
    "{One mistake|A mistake|Something} {I have seen|we made once|I learned the hard way} {is|was} {caching errors|caching empty results without a short TTL|forgetting to invalidate on deletes|using the same TTL everywhere}, {which caused|and it led to} {an outage|a long incident|stale pages for hours|a spike of support tickets}.",
    "{Capacity-wise|For sizing|On sizing}, I would {estimate|work out|measure} the working set, {maybe|perhaps|say} {#2-40} gigabytes, and {pick an eviction policy like LRU|use allkeys-lru|set maxmemory with LFU eviction} so {memory stays bounded|the cache never runs out of memory|old keys fall out first}.",
];

const CLOSINGS: &[&str] = &[
    "{Overall|In short|So overall|To sum up}, {cache-aside with TTLs|a simple cache-aside setup}, {explicit invalidation|event-driven invalidation} and {stampede protection|request coalescing} {covers|handles} {most|the vast majority of} {cases|read-heavy services}.",
    "{I would|I'd} {start simple|keep the first version simple|begin with the basics} and {add|only add} {the fancier pieces|refresh-ahead and versioned keys|more layers} {once the metrics show|when monitoring shows|after measuring that} {we need them|they are needed|there is a problem}.",
];

/// One answer: a few moves from each part, in a plausible order, with sentences within a part
/// shuffled.
pub(crate) fn answer(rng: &mut Rng) -> String {
    let mut sentences: Vec<String> = Vec::new();
    let pick = |pool: &[&str], min: usize, max: usize, rng: &mut Rng| -> Vec<String> {
        let mut order: Vec<usize> = (0..pool.len()).collect();
        rng.shuffle(&mut order);
        let count = min + rng.below(max - min + 1);
        order.into_iter().take(count).map(|i| expand(pool[i], rng)).collect()
    };
    if rng.chance(0.6) {
        sentences.extend(pick(OPENINGS, 1, 1, rng));
    }
    sentences.extend(pick(PATTERN, 1, 2, rng));
    let mut middle = pick(INVALIDATION, 1, 3, rng);
    let stampede = pick(STAMPEDE, 1, 4, rng);
    // Some candidates talk about stampedes before invalidation.
    if rng.chance(0.3) {
        middle.splice(0..0, stampede);
    } else {
        middle.extend(stampede);
    }
    sentences.extend(middle);
    sentences.extend(pick(OPERATIONS, 0, 2, rng));
    if rng.chance(0.4) {
        sentences.extend(pick(CLOSINGS, 1, 1, rng));
    }
    sentences.join(" ")
}

/// `count` answers from one seed.
pub(crate) fn answers(seed: u64, count: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..count).map(|_| answer(&mut rng)).collect()
}

/// A light edit of `original`, as a candidate passing off a leaked answer would make: three
/// four words swapped for synonyms, its last sentence moved to the front, one word inserted.
pub(crate) fn lightly_edited(original: &str) -> String {
    let swaps: &[(&str, &str)] = &[
        ("database", "DB"),
        ("requests", "calls"),
        ("service", "system"),
        ("cache", "caching layer"),
        ("key", "entry"),
        ("would", "will"),
        ("data", "records"),
        ("value", "result"),
    ];
    let mut text = original.to_owned();
    let mut changed = 0;
    for (from, to) in swaps {
        let needle = format!(" {from} ");
        if changed < 4 && text.contains(&needle) {
            text = text.replacen(&needle, &format!(" {to} "), 1);
            changed += 1;
        }
    }
    assert_eq!(changed, 4, "the original has four words to swap: {original}");
    let mut sentences: Vec<&str> = text.split_inclusive(". ").collect();
    let last = sentences.pop().expect("a sentence");
    let mut moved = format!("{} ", last.trim_end());
    moved.push_str(&sentences.concat());
    moved.trim_end().replacen(" the ", " the whole ", 1)
}
