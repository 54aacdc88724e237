//! How many requests one client keeps in flight. Callers choose a bound
//! (`--concurrency`); the pacer halves it on each 429 and regains it one at
//! a time after a full round of accepted answers. (What a bucket has left
//! paces that bucket alone: `buckets.rs`.)

use std::sync::Mutex;

use tokio::sync::{Semaphore, SemaphorePermit};

/// The pacer's arithmetic, apart from any waiting: pure, so it is tested
/// on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aimd {
    max: usize,
    limit: usize,
    /// Accepted answers since the limit last changed.
    streak: usize,
}

impl Aimd {
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            max,
            limit: max,
            streak: 0,
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Takes one answer's status and `RateLimit-Remaining`, if sent.
    pub fn observe(&mut self, status: u16, remaining: Option<u64>) {
        if status == 429 {
            self.limit = (self.limit / 2).max(1);
            self.streak = 0;
            return;
        }
        if let Some(left) = remaining {
            let cap = usize::try_from(left).unwrap_or(usize::MAX).max(1);
            if cap < self.limit {
                self.limit = cap;
                self.streak = 0;
                return;
            }
        }
        if status < 400 {
            self.streak += 1;
            if self.streak >= self.limit && self.limit < self.max {
                self.limit += 1;
                self.streak = 0;
            }
        }
    }
}

/// Slots for requests: a semaphore sized by [`Aimd`]. Shrinking cannot take
/// back permits in use, so the excess is owed and paid as slots are freed.
pub struct Pacer {
    sem: Semaphore,
    state: Mutex<(Aimd, usize)>,
}

pub struct Slot<'a> {
    pacer: &'a Pacer,
    permit: Option<SemaphorePermit<'a>>,
}

impl Pacer {
    pub fn new(max: usize) -> Self {
        let aimd = Aimd::new(max);
        Self {
            sem: Semaphore::new(aimd.limit()),
            state: Mutex::new((aimd, 0)),
        }
    }

    pub async fn slot(&self) -> Slot<'_> {
        // The semaphore is never closed.
        let permit = self.sem.acquire().await.ok();
        Slot {
            pacer: self,
            permit,
        }
    }

    pub fn observe(&self, status: u16, remaining: Option<u64>) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (aimd, debt) = &mut *st;
        let before = aimd.limit();
        aimd.observe(status, remaining);
        let after = aimd.limit();
        if after < before {
            *debt += before - after;
            tracing::debug!(
                limit = after,
                status,
                "fewer requests in flight: Atlas pushed back"
            );
        } else if after > before {
            let grow = after - before;
            let paid = grow.min(*debt);
            *debt -= paid;
            self.sem.add_permits(grow - paid);
        }
    }

    #[cfg(test)]
    pub fn limit(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .limit()
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut st = self.pacer.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.1 > 0
            && let Some(p) = self.permit.take()
        {
            st.1 -= 1;
            p.forget();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_on_429_down_to_one() {
        let mut a = Aimd::new(8);
        for want in [4, 2, 1, 1] {
            a.observe(429, None);
            assert_eq!(a.limit(), want);
        }
    }

    #[test]
    fn regains_one_per_full_round_up_to_the_bound() {
        let mut a = Aimd::new(4);
        a.observe(429, None);
        a.observe(429, None);
        assert_eq!(a.limit(), 1);
        a.observe(200, None);
        assert_eq!(a.limit(), 2);
        a.observe(200, None);
        assert_eq!(a.limit(), 2);
        a.observe(200, None);
        assert_eq!(a.limit(), 3);
        for _ in 0..100 {
            a.observe(200, None);
        }
        assert_eq!(a.limit(), 4);
    }

    #[test]
    fn remaining_caps_the_limit_and_zero_means_one() {
        let mut a = Aimd::new(8);
        a.observe(200, Some(1200));
        assert_eq!(a.limit(), 8);
        a.observe(200, Some(3));
        assert_eq!(a.limit(), 3);
        a.observe(200, Some(0));
        assert_eq!(a.limit(), 1);
        a.observe(200, Some(u64::MAX));
        assert_eq!(a.limit(), 2);
    }

    #[test]
    fn errors_other_than_429_neither_shrink_nor_grow() {
        let mut a = Aimd::new(4);
        a.observe(429, None);
        for _ in 0..10 {
            a.observe(500, None);
        }
        assert_eq!(a.limit(), 2);
    }

    #[tokio::test]
    async fn shrinking_takes_back_slots_as_they_are_freed() {
        let p = Pacer::new(4);
        let held: Vec<_> = futures_util::future::join_all((0..4).map(|_| p.slot())).await;
        p.observe(429, None);
        assert_eq!(p.limit(), 2);
        drop(held);
        // Two of the four permits were owed and forgotten.
        assert_eq!(p.sem.available_permits(), 2);
        let a = p.slot().await;
        let b = p.slot().await;
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(20), p.slot())
                .await
                .is_err()
        );
        drop((a, b));
    }
}
