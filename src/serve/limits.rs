//! What keeps one client from holding the server: open connections are counted, and those that
//! have not sent a complete, authorised request head are *waiting* and may be closed to make
//! room; body bytes held in memory are bounded in total.
//!
//! A connection is waiting from its accept, and again after each answer, until a request head
//! passes the token (or carries a webhook signature). Waiting connections cost a few KiB and no
//! slot of work: an idle or byte-by-byte client without the token never delays an authorised
//! one. When `--max-connections` are open, the connection that has been waiting longest is
//! closed for each new one; only when every open connection is busy with an authorised request
//! does a new connection wait in the listen queue.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// All open connections.
#[derive(Debug)]
pub struct Connections {
    max: usize,
    state: Mutex<Registry>,
    /// Signalled whenever a connection closes or stops being busy.
    freed: Notify,
}

#[derive(Debug, Default)]
struct Registry {
    open: usize,
    /// Waiting connections, oldest first: their turn number and how to close them.
    waiting: BTreeMap<u64, Arc<Notify>>,
    next_turn: u64,
}

/// One open connection's place in [`Connections`]; dropping it closes the place.
#[derive(Debug)]
pub struct Connection {
    all: Arc<Connections>,
    /// Notified when this connection is to be closed to make room.
    pub evicted: Arc<Notify>,
    turn: Mutex<Option<u64>>,
}

impl Connections {
    pub fn new(max: usize) -> Arc<Connections> {
        Arc::new(Connections {
            max: max.max(1),
            state: Mutex::new(Registry::default()),
            freed: Notify::new(),
        })
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes room for one more connection (closing the longest-waiting one when all places
    /// are taken, or waiting for a busy one to finish when none waits), then takes a place.
    pub async fn admit(self: &Arc<Self>) -> Connection {
        loop {
            let freed = self.freed.notified();
            let mut freed = std::pin::pin!(freed);
            freed.as_mut().enable();
            {
                let mut registry = self.registry();
                if registry.open < self.max {
                    registry.open += 1;
                    let evicted = Arc::new(Notify::new());
                    let turn = registry.next_turn;
                    registry.next_turn += 1;
                    registry.waiting.insert(turn, Arc::clone(&evicted));
                    return Connection {
                        all: Arc::clone(self),
                        evicted,
                        turn: Mutex::new(Some(turn)),
                    };
                }
                if let Some((_, victim)) = registry.waiting.pop_first() {
                    // Its task closes it; the place is given back when that drops it.
                    victim.notify_one();
                }
            }
            // Wait for the closed one to go, or for a busy one to finish.
            let _ = tokio::time::timeout(Duration::from_millis(50), freed).await;
        }
    }
}

impl Connection {
    /// A request head passed: this connection may not be closed to make room until answered.
    pub fn busy(&self) {
        let mut turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(turn) = turn.take() {
            self.all.registry().waiting.remove(&turn);
        }
    }

    /// Answered: waiting again, last in the line to be closed.
    pub fn waiting(&self) {
        let mut turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        if turn.is_none() {
            let mut registry = self.all.registry();
            let next = registry.next_turn;
            registry.next_turn += 1;
            registry.waiting.insert(next, Arc::clone(&self.evicted));
            *turn = Some(next);
        }
        self.all.freed.notify_waiters();
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let turn = self
            .turn
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        {
            let mut registry = self.all.registry();
            if let Some(turn) = turn {
                registry.waiting.remove(&turn);
            }
            registry.open = registry.open.saturating_sub(1);
        }
        self.all.freed.notify_waiters();
    }
}

/// Body bytes held in memory by all requests together (`--max-inflight`), counted in KiB.
#[derive(Debug)]
pub struct InFlight {
    kib: Arc<Semaphore>,
    /// How long a body waits for room before it is answered 503.
    pub patience: Duration,
}

/// Room for some body bytes, given back when dropped.
#[derive(Debug, Default)]
pub struct Room {
    permits: Option<OwnedSemaphorePermit>,
    bytes: u64,
}

impl InFlight {
    pub fn new(max_bytes: u64, patience: Duration) -> InFlight {
        let kib = usize::try_from(max_bytes.div_ceil(1024))
            .unwrap_or(usize::MAX)
            .min(Semaphore::MAX_PERMITS);
        InFlight {
            kib: Arc::new(Semaphore::new(kib)),
            patience,
        }
    }

    /// Grows `room` to hold at least `bytes`, waiting until `deadline` at most. False when
    /// there is no room in time.
    pub async fn grow(&self, room: &mut Room, bytes: u64, deadline: tokio::time::Instant) -> bool {
        if bytes <= room.bytes {
            return true;
        }
        let more = (bytes - room.bytes).div_ceil(1024);
        let Ok(more) = u32::try_from(more) else {
            return false;
        };
        let acquire = Arc::clone(&self.kib).acquire_many_owned(more);
        match tokio::time::timeout_at(deadline, acquire).await {
            Ok(Ok(permit)) => {
                match &mut room.permits {
                    Some(held) => held.merge(permit),
                    None => room.permits = Some(permit),
                }
                room.bytes += u64::from(more) * 1024;
                true
            }
            _ => false,
        }
    }
}
