//! What the subscribers of one bus delivery share: what one of them loads for it (the interview
//! an event concerns, say) the others reuse, so an event costs its loading once, not once per
//! subscriber.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

/// How many deliveries are remembered. A subscriber further behind than this loads for itself
/// (correct, merely slower); one further behind than the bus's per-subscriber capacity has
/// lagged anyway.
const KEPT: usize = 4096;

/// Values loaded per delivery (by its [`viva_store::events::Delivery::seq`]).
pub struct SharedLoads<T> {
    entries: Mutex<Entries<T>>,
}

struct Entries<T> {
    cells: HashMap<u64, Arc<OnceCell<T>>>,
    order: VecDeque<u64>,
}

impl<T> Default for SharedLoads<T> {
    fn default() -> Self {
        Self { entries: Mutex::new(Entries { cells: HashMap::new(), order: VecDeque::new() }) }
    }
}

impl<T: Clone> SharedLoads<T> {
    /// The value loaded for delivery `seq`: the first caller runs `load`, the others wait for
    /// it. A failed load is not remembered: the next caller tries again.
    pub async fn get_or_load<E, F, Fut>(&self, seq: u64, load: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            let Entries { cells, order } = &mut *entries;
            let cell = cells
                .entry(seq)
                .or_insert_with(|| {
                    order.push_back(seq);
                    Arc::new(OnceCell::new())
                })
                .clone();
            while order.len() > KEPT {
                if let Some(old) = order.pop_front() {
                    cells.remove(&old);
                }
            }
            cell
        };
        cell.get_or_try_init(load).await.cloned()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn one_load_per_delivery_and_failures_are_retried() {
        let loads = SharedLoads::<u64>::default();
        let calls = AtomicUsize::new(0);
        for _ in 0..3 {
            let value = loads
                .get_or_load(7, || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ()>(42)
                })
                .await;
            assert_eq!(value, Ok(42));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(loads.get_or_load(8, || async { Err::<u64, _>("down") }).await, Err("down"));
        assert_eq!(loads.get_or_load(8, || async { Ok::<_, &str>(1) }).await, Ok(1));
        for seq in 0..(KEPT as u64 + 10) {
            let _ = loads.get_or_load(100 + seq, || async { Ok::<_, ()>(seq) }).await;
        }
        assert!(loads.entries.lock().unwrap().cells.len() <= KEPT);
    }
}
