//! How many instances one plugin may have alive at once. The instance pool is shared by every
//! plugin ([`super::engine::MAX_CONCURRENT_INSTANCES`]); without a share each, one plugin called
//! many times at once (by accident or on purpose) could take every instance and make the others
//! fail. A call that finds its plugin's share taken waits a little for one to end, then fails
//! with a message naming that plugin.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Instances one plugin may have alive at once: a quarter of the pool, so the bundled plugins
/// always find room beside a busy one.
pub const MAX_INSTANCES_PER_PLUGIN: usize = super::engine::MAX_CONCURRENT_INSTANCES as usize / 4;

/// How long a call waits for one of its plugin's instances to end before it fails.
pub const SLOT_WAIT: Duration = Duration::from_secs(2);

/// One plugin's share of the pool.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    used: Mutex<usize>,
    freed: Condvar,
}

/// A slot taken; given back when dropped (with the store that holds it).
#[derive(Debug)]
pub(crate) struct Slot(Arc<Slots>);

impl Slots {
    /// Takes a slot, waiting at most `wait` for one; `Err` with the number in use otherwise.
    pub(crate) fn take(self: &Arc<Self>, limit: usize, wait: Duration) -> Result<Slot, usize> {
        let until = Instant::now() + wait;
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        while *used >= limit {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(*used);
            }
            used = self
                .freed
                .wait_timeout(used, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        *used += 1;
        Ok(Slot(self.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut used = self.0.used.lock().unwrap_or_else(|p| p.into_inner());
        *used -= 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_given_back_when_dropped_and_a_full_share_waits_then_fails() {
        let slots = Arc::new(Slots::default());
        let a = slots.take(2, Duration::ZERO).unwrap();
        let _b = slots.take(2, Duration::ZERO).unwrap();
        let started = Instant::now();
        assert_eq!(slots.take(2, Duration::from_millis(50)).unwrap_err(), 2);
        assert!(started.elapsed() >= Duration::from_millis(50));
        drop(a);
        assert!(slots.take(2, Duration::ZERO).is_ok());
    }

    #[test]
    fn a_waiting_call_gets_the_slot_freed_meanwhile() {
        let slots = Arc::new(Slots::default());
        let held = slots.take(1, Duration::ZERO).unwrap();
        let waiter = {
            let slots = slots.clone();
            std::thread::spawn(move || slots.take(1, Duration::from_secs(10)).is_ok())
        };
        std::thread::sleep(Duration::from_millis(50));
        drop(held);
        assert!(waiter.join().unwrap());
    }
}
