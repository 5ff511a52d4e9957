//! What keeps a provider's outage, slowness or price from breaking an interview: a timeout per
//! call, bounded retries with full-jitter backoff that honours the provider's retry hint, a
//! circuit breaker, and a daily spend cap. One [`Policy`] per provider, enforced by the
//! registry's chains for every provider alike.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use viva_domain::ai::{AiError, Usage};

/// Where each provider's spending is kept, so that every replica, and a restarted one, sees
/// the same day's total (UTC). Without one, each replica counts its own.
#[async_trait]
pub trait SpendLedger: Send + Sync {
    /// Adds a call's cost and tokens to today's total for `provider`; returns the new total.
    async fn add(&self, provider: &str, usd: f64, usage: Usage) -> Result<f64, String>;
    /// Today's total for `provider`, in US dollars.
    async fn today(&self, provider: &str) -> Result<f64, String>;
}

/// How calls to one provider are guarded.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Longest one attempt may take.
    pub timeout: Duration,
    /// Further attempts after a retryable failure (rate limit, timeout, 5xx).
    pub max_retries: u32,
    /// The first backoff's ceiling; each later one doubles, up to `backoff_max`.
    pub backoff_base: Duration,
    /// The largest backoff ceiling.
    pub backoff_max: Duration,
    /// The longest retry hint worth waiting for; a longer one moves on to the next provider.
    pub max_wait: Duration,
    /// Failed calls in a row (each after its retries) that open the breaker.
    pub breaker_threshold: u32,
    /// How long an open breaker refuses calls before letting one probe through.
    pub breaker_cooldown: Duration,
    /// Most US dollars to spend per UTC day; `None` for no cap.
    pub daily_budget_usd: Option<f64>,
    /// Price per million prompt tokens, in US dollars.
    pub input_usd_per_million: f64,
    /// Price per million reply tokens, in US dollars.
    pub output_usd_per_million: f64,
}

impl Policy {
    /// For a remote provider: 30 s per attempt, two retries, the breaker after five failures.
    pub fn remote() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            max_retries: 2,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(8),
            max_wait: Duration::from_secs(30),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(30),
            daily_budget_usd: None,
            input_usd_per_million: 0.0,
            output_usd_per_million: 0.0,
        }
    }

    /// For an in-process model: no retries (a failure repeats), a generous timeout.
    pub fn local() -> Self {
        Self { timeout: Duration::from_secs(120), max_retries: 0, ..Self::remote() }
    }

    /// What `usage` costs, in US dollars.
    pub fn cost_usd(&self, usage: &Usage) -> f64 {
        (usage.input_tokens as f64 * self.input_usd_per_million
            + usage.output_tokens as f64 * self.output_usd_per_million)
            / 1_000_000.0
    }

    /// The wait before retry number `retry` (0 for the first), given the failure: the
    /// provider's hint when it gave one, else a random time up to the doubled ceiling (full
    /// jitter). `None` when the hint is longer than is worth waiting.
    pub fn backoff(&self, retry: u32, error: &AiError) -> Option<Duration> {
        if let AiError::RateLimited { retry_after: Some(hint) } = error {
            return (*hint <= self.max_wait).then_some(*hint);
        }
        let ceiling = self.backoff_base.saturating_mul(2u32.saturating_pow(retry)).min(self.backoff_max);
        Some(ceiling.mul_f64(rand::random::<f64>()))
    }
}

/// Whether another attempt at the same provider may succeed soon: rate limits, timeouts and
/// server errors. Bad output is repaired once by the caller, then the next provider is tried.
pub fn is_retryable(error: &AiError) -> bool {
    match error {
        AiError::RateLimited { .. } | AiError::Timeout => true,
        AiError::Upstream { status, .. } => *status >= 500 || *status == 408 || *status == 429,
        _ => false,
    }
}

/// A circuit breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls are refused until the cooldown ends.
    Open,
    /// The cooldown ended; one probe call decides.
    HalfOpen,
}

impl BreakerState {
    /// The name shown to operators.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "CLOSED",
            BreakerState::Open => "OPEN",
            BreakerState::HalfOpen => "HALF_OPEN",
        }
    }
}

/// The breaker and spending of one provider.
#[derive(Debug)]
pub(crate) struct Guard {
    state: BreakerState,
    opened_at: Option<Instant>,
    probing: bool,
    failures_in_row: u32,
    day: u64,
    spent_usd: f64,
}

/// A call let through, to be settled when it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Admission {
    /// Whether it is the one probe of a half-open breaker.
    pub(crate) probe: bool,
}

/// How an admitted call ended, for the breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It answered.
    Success,
    /// It failed in a way that says something about the provider.
    Failure,
    /// Its input was refused: nothing learnt about the provider.
    BadInput,
}

/// Why a call was not made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The breaker is open (or a probe is already out).
    CircuitOpen,
    /// Today's budget is spent.
    BudgetSpent,
}

impl Refusal {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Refusal::CircuitOpen => "circuit open",
            Refusal::BudgetSpent => "daily spend cap reached",
        }
    }
}

fn today() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400)
}

impl Guard {
    pub(crate) fn new() -> Self {
        Self {
            state: BreakerState::Closed,
            opened_at: None,
            probing: false,
            failures_in_row: 0,
            day: today(),
            spent_usd: 0.0,
        }
    }

    /// The state now (an open breaker whose cooldown has passed reads as half-open).
    pub(crate) fn state(&self, policy: &Policy) -> BreakerState {
        match (self.state, self.opened_at) {
            (BreakerState::Open, Some(at)) if at.elapsed() >= policy.breaker_cooldown => {
                BreakerState::HalfOpen
            }
            (state, _) => state,
        }
    }

    /// Today's spending, in US dollars.
    pub(crate) fn spent_today(&mut self) -> f64 {
        let day = today();
        if day != self.day {
            self.day = day;
            self.spent_usd = 0.0;
        }
        self.spent_usd
    }

    /// Admits a call, or says why not. A half-open breaker admits one probe at a time; the
    /// admission must be settled with [`Guard::settle`] (or [`Guard::abandon`]).
    pub(crate) fn admit(&mut self, policy: &Policy) -> Result<Admission, Refusal> {
        if let Some(budget) = policy.daily_budget_usd
            && self.spent_today() >= budget
        {
            return Err(Refusal::BudgetSpent);
        }
        match self.state(policy) {
            BreakerState::Closed => Ok(Admission { probe: false }),
            BreakerState::Open => Err(Refusal::CircuitOpen),
            BreakerState::HalfOpen if self.probing => Err(Refusal::CircuitOpen),
            BreakerState::HalfOpen => {
                self.state = BreakerState::HalfOpen;
                self.probing = true;
                Ok(Admission { probe: true })
            }
        }
    }

    /// Takes in today's total as the ledger has it (this replica's spending included).
    pub(crate) fn observe_spent(&mut self, total_usd: f64) {
        let local = self.spent_today();
        self.spent_usd = local.max(total_usd);
    }

    /// Adds what a call cost.
    pub(crate) fn spend(&mut self, policy: &Policy, usage: &Usage) {
        self.spent_today();
        self.spent_usd += policy.cost_usd(usage);
    }

    /// Records how an admitted call (with its retries) ended. Only the probe decides a
    /// half-open breaker: its success closes it, its failure opens it again. Other calls count
    /// failures in a row while it is closed, opening it at the threshold. A call refused for
    /// its input says nothing about the provider: it only releases a probe.
    pub(crate) fn settle(&mut self, policy: &Policy, admission: Admission, outcome: Outcome) {
        if admission.probe {
            self.probing = false;
        }
        match outcome {
            Outcome::Success => {
                if admission.probe || self.state == BreakerState::Closed {
                    self.state = BreakerState::Closed;
                    self.opened_at = None;
                    self.failures_in_row = 0;
                }
            }
            Outcome::Failure => {
                self.failures_in_row = self.failures_in_row.saturating_add(1);
                let threshold = self.state == BreakerState::Closed
                    && self.failures_in_row >= policy.breaker_threshold.max(1);
                if admission.probe || threshold {
                    self.open();
                }
            }
            Outcome::BadInput => {}
        }
    }

    /// An admitted call was dropped before it ended (its caller went away): a probe's breaker
    /// opens again, to be probed after another cooldown.
    pub(crate) fn abandon(&mut self, admission: Admission) {
        if admission.probe {
            self.probing = false;
            self.open();
        }
    }

    fn open(&mut self) {
        self.state = BreakerState::Open;
        self.opened_at = Some(Instant::now());
    }

    /// Failed calls in a row.
    #[cfg(test)]
    pub(crate) fn failures_in_row(&self) -> u32 {
        self.failures_in_row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy { breaker_threshold: 2, breaker_cooldown: Duration::from_millis(30), ..Policy::remote() }
    }

    #[test]
    fn the_breaker_opens_after_the_threshold_and_one_probe_decides() {
        let policy = policy();
        let mut guard = Guard::new();
        let normal = Admission { probe: false };
        let early = guard.admit(&policy).unwrap();
        assert_eq!(guard.admit(&policy), Ok(normal));
        guard.settle(&policy, normal, Outcome::BadInput);
        assert_eq!(guard.failures_in_row(), 0, "bad input says nothing about the provider");
        guard.settle(&policy, normal, Outcome::Failure);
        guard.settle(&policy, normal, Outcome::Failure);
        assert_eq!(guard.state(&policy), BreakerState::Open);
        assert_eq!(guard.admit(&policy), Err(Refusal::CircuitOpen));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(guard.state(&policy), BreakerState::HalfOpen);
        let probe = guard.admit(&policy).unwrap();
        assert!(probe.probe, "one probe");
        assert_eq!(guard.admit(&policy), Err(Refusal::CircuitOpen), "only one");
        guard.settle(&policy, early, Outcome::Success);
        assert_eq!(guard.state(&policy), BreakerState::HalfOpen, "only the probe decides");
        guard.settle(&policy, probe, Outcome::Failure);
        assert_eq!(guard.state(&policy), BreakerState::Open, "a failed probe opens it again");
        std::thread::sleep(Duration::from_millis(40));
        let dropped = guard.admit(&policy).unwrap();
        guard.abandon(dropped);
        assert_eq!(guard.state(&policy), BreakerState::Open, "a dropped probe reopens it");
        std::thread::sleep(Duration::from_millis(40));
        let probe = guard.admit(&policy).unwrap();
        guard.settle(&policy, probe, Outcome::Success);
        assert_eq!(guard.state(&policy), BreakerState::Closed);
        assert_eq!(guard.failures_in_row(), 0);
    }

    #[test]
    fn the_budget_stops_calls_once_spent() {
        let policy = Policy {
            daily_budget_usd: Some(0.01),
            input_usd_per_million: 1.0,
            output_usd_per_million: 4.0,
            ..Policy::remote()
        };
        let mut guard = Guard::new();
        assert!(guard.admit(&policy).is_ok());
        guard.spend(&policy, &Usage { input_tokens: 2_000, output_tokens: 1_000 });
        assert!((guard.spent_today() - 0.006).abs() < 1e-9);
        assert!(guard.admit(&policy).is_ok());
        guard.spend(&policy, &Usage { input_tokens: 2_000, output_tokens: 1_000 });
        assert_eq!(guard.admit(&policy), Err(Refusal::BudgetSpent));
    }

    #[test]
    fn backoff_honours_hints_within_reason_and_jitters_otherwise() {
        let policy = policy();
        let hint = AiError::RateLimited { retry_after: Some(Duration::from_secs(7)) };
        assert_eq!(policy.backoff(0, &hint), Some(Duration::from_secs(7)));
        let too_long = AiError::RateLimited { retry_after: Some(Duration::from_secs(600)) };
        assert_eq!(policy.backoff(0, &too_long), None);
        for retry in 0..6 {
            let wait = policy.backoff(retry, &AiError::Timeout).unwrap_or_default();
            assert!(wait <= policy.backoff_max, "{wait:?}");
            assert!(wait <= policy.backoff_base * 2u32.pow(retry));
        }
        assert!(is_retryable(&AiError::Upstream { status: 503, message: String::new() }));
        assert!(!is_retryable(&AiError::Upstream { status: 401, message: String::new() }));
        assert!(!is_retryable(&AiError::InvalidOutput("bad".into())));
    }
}
