//! The per-replica cache of resolved sessions: lets [`super::resolve`] answer a verified access
//! token without reading the session and the account from the database, for a few seconds, as
//! long as no revocation can have been missed.
//!
//! Entries are keyed by the SHA-256 of the token (never the token), bounded in number (least
//! recently used first out) and live `ttl` at most, so anything missed heals itself. An entry is
//! trusted only under the event-bus generation it was read in: while the bus is down nothing is
//! read from the cache or put in it, and after a reconnect every older entry is dead. Within a
//! generation, `ACCESS_CHANGED` events evict the user's entries (the bus's observer does it in
//! its own task, so no event is skipped), and every eviction counts, so a database read that
//! raced an eviction is not cached.

use std::num::NonZeroUsize;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use viva_domain::UserId;
use viva_store::models::session::Principal;

/// How the cache is sized, and whether there is one.
#[derive(Clone, Debug)]
pub struct SessionCacheSettings {
    /// Whether resolved sessions are cached at all.
    pub enabled: bool,
    /// Most sessions held.
    pub max_entries: usize,
    /// How long a resolved session may be reused.
    pub ttl: Duration,
}

impl Default for SessionCacheSettings {
    fn default() -> Self {
        Self { enabled: true, max_entries: 10_000, ttl: Duration::from_secs(30) }
    }
}

/// The SHA-256 of an access token.
pub type TokenHash = [u8; 32];

/// What a cache miss remembers until the database has answered: the bus generation and the
/// evictions so far. [`SessionCache::insert`] refuses the answer if either moved meanwhile.
#[derive(Clone, Copy, Debug)]
pub struct Ticket {
    generation: u64,
    evictions: u64,
}

/// The cache of one process.
pub struct SessionCache {
    /// `None` when caching is off.
    entries: Option<Mutex<Entries>>,
    ttl: Duration,
}

struct Entries {
    by_token: lru::LruCache<TokenHash, Entry>,
    /// Evictions (by user or all) so far.
    evictions: u64,
}

#[derive(Clone, Copy)]
struct Entry {
    principal: Principal,
    generation: u64,
    cached_at: Instant,
}

impl SessionCache {
    /// An empty cache.
    pub fn new(settings: &SessionCacheSettings) -> Self {
        let on = settings.enabled && settings.max_entries > 0 && !settings.ttl.is_zero();
        let entries = on.then(|| {
            Mutex::new(Entries {
                by_token: lru::LruCache::new(
                    NonZeroUsize::new(settings.max_entries).unwrap_or(NonZeroUsize::MIN),
                ),
                evictions: 0,
            })
        });
        Self { entries, ttl: settings.ttl }
    }

    /// The principal cached for this token under the bus generation `generation` (`None`: the
    /// bus is down, so nothing may be trusted), if it is younger than the TTL.
    pub fn get(&self, token: &TokenHash, generation: Option<u64>) -> Option<Principal> {
        self.get_at(token, generation, Instant::now())
    }

    /// What to remember before reading a session from the database, or `None` when the answer
    /// may not be cached (caching off, or the bus down).
    pub fn ticket(&self, generation: Option<u64>) -> Option<Ticket> {
        let generation = generation?;
        Some(Ticket { generation, evictions: self.lock()?.evictions })
    }

    /// Caches the principal a database read under `ticket` found, unless the bus reconnected
    /// or anything was evicted since the ticket was taken (the read may predate a revocation).
    pub fn insert(&self, token: TokenHash, principal: Principal, ticket: Ticket) {
        self.insert_at(token, principal, ticket, Instant::now());
    }

    /// Forgets every session of `user`.
    pub fn evict_user(&self, user: UserId) {
        let Some(mut entries) = self.lock() else {
            return;
        };
        entries.evictions += 1;
        let doomed: Vec<TokenHash> = entries
            .by_token
            .iter()
            .filter(|(_, entry)| entry.principal.user_id == user)
            .map(|(token, _)| *token)
            .collect();
        for token in doomed {
            entries.by_token.pop(&token);
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        if let Some(mut entries) = self.lock() {
            entries.evictions += 1;
            entries.by_token.clear();
        }
    }

    /// How many sessions are cached.
    pub fn len(&self) -> usize {
        self.lock().map_or(0, |entries| entries.by_token.len())
    }

    /// Whether no session is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the cache is on.
    pub fn is_enabled(&self) -> bool {
        self.entries.is_some()
    }

    fn get_at(&self, token: &TokenHash, generation: Option<u64>, now: Instant) -> Option<Principal> {
        let generation = generation?;
        let mut entries = self.lock()?;
        let entry = *entries.by_token.get(token)?;
        if entry.generation == generation && now.saturating_duration_since(entry.cached_at) < self.ttl {
            Some(entry.principal)
        } else {
            entries.by_token.pop(token);
            None
        }
    }

    fn insert_at(&self, token: TokenHash, principal: Principal, ticket: Ticket, now: Instant) {
        let Some(mut entries) = self.lock() else {
            return;
        };
        if entries.evictions != ticket.evictions {
            return;
        }
        entries.by_token.put(token, Entry { principal, generation: ticket.generation, cached_at: now });
    }

    fn lock(&self) -> Option<MutexGuard<'_, Entries>> {
        // The map is consistent after any panic inside the lock: each step is one map call.
        self.entries.as_ref().map(|entries| entries.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests {
    use viva_domain::{Role, SessionId, UserStatus};

    use super::*;

    fn principal(user: UserId) -> Principal {
        Principal {
            user_id: user,
            session_id: SessionId::new(),
            role: Role::Candidate,
            status: UserStatus::Active,
            mapped_admin_id: None,
        }
    }

    fn cache(max_entries: usize) -> SessionCache {
        SessionCache::new(&SessionCacheSettings { enabled: true, max_entries, ttl: Duration::from_secs(30) })
    }

    fn cached(cache: &SessionCache, token: TokenHash, principal: Principal, generation: u64) {
        let ticket = cache.ticket(Some(generation)).unwrap();
        cache.insert(token, principal, ticket);
    }

    #[test]
    fn a_cached_session_is_served_until_its_ttl_runs_out() {
        let cache = cache(10);
        let ada = principal(UserId::new());
        let start = Instant::now();
        let ticket = cache.ticket(Some(1)).unwrap();
        cache.insert_at([1; 32], ada, ticket, start);
        let at = |secs| cache.get_at(&[1; 32], Some(1), start + Duration::from_secs(secs));
        assert_eq!(at(29).map(|p| p.session_id), Some(ada.session_id));
        assert!(at(30).is_none());
        // Expired entries are dropped, not kept until evicted.
        assert!(cache.is_empty());
    }

    #[test]
    fn evicting_a_user_forgets_all_their_sessions_and_no_one_else_s() {
        let cache = cache(10);
        let (ada, bob) = (UserId::new(), UserId::new());
        cached(&cache, [1; 32], principal(ada), 1);
        cached(&cache, [2; 32], principal(ada), 1);
        cached(&cache, [3; 32], principal(bob), 1);
        cache.evict_user(ada);
        assert!(cache.get(&[1; 32], Some(1)).is_none());
        assert!(cache.get(&[2; 32], Some(1)).is_none());
        assert_eq!(cache.get(&[3; 32], Some(1)).map(|p| p.user_id), Some(bob));
    }

    #[test]
    fn a_read_that_raced_an_eviction_is_not_cached() {
        let cache = cache(10);
        let ada = UserId::new();
        // The database is read (the session still live) ...
        let ticket = cache.ticket(Some(1)).unwrap();
        // ... the revocation's event evicts ...
        cache.evict_user(ada);
        // ... and the stale answer arrives afterwards.
        cache.insert([1; 32], principal(ada), ticket);
        assert!(cache.get(&[1; 32], Some(1)).is_none());
        cache.clear();
        let ticket = cache.ticket(Some(1)).unwrap();
        cache.clear();
        cache.insert([1; 32], principal(ada), ticket);
        assert!(cache.is_empty());
    }

    #[test]
    fn nothing_is_trusted_while_the_bus_is_down_or_after_it_reconnects() {
        let cache = cache(10);
        let ada = principal(UserId::new());
        cached(&cache, [1; 32], ada, 1);
        // Down: not served, and nothing new is cached.
        assert!(cache.get(&[1; 32], None).is_none());
        assert!(cache.ticket(None).is_none());
        // Back under a new generation: entries of the old one are dead.
        assert!(cache.get(&[1; 32], Some(2)).is_none());
        cached(&cache, [2; 32], ada, 2);
        assert!(cache.get(&[2; 32], Some(2)).is_some());
        // A read begun under generation 2 that finishes after a reconnect is never served.
        let ticket = cache.ticket(Some(2)).unwrap();
        cache.insert([3; 32], ada, ticket);
        assert!(cache.get(&[3; 32], Some(3)).is_none());
    }

    #[test]
    fn the_cache_is_bounded_and_drops_the_least_recently_used() {
        let cache = cache(2);
        let ada = principal(UserId::new());
        cached(&cache, [1; 32], ada, 1);
        cached(&cache, [2; 32], ada, 1);
        assert!(cache.get(&[1; 32], Some(1)).is_some());
        cached(&cache, [3; 32], ada, 1);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&[2; 32], Some(1)).is_none());
        assert!(cache.get(&[1; 32], Some(1)).is_some());
    }

    #[test]
    fn a_disabled_cache_holds_nothing() {
        let cache =
            SessionCache::new(&SessionCacheSettings { enabled: false, ..SessionCacheSettings::default() });
        assert!(!cache.is_enabled());
        assert!(cache.ticket(Some(1)).is_none());
        assert!(cache.get(&[1; 32], Some(1)).is_none());
    }
}
