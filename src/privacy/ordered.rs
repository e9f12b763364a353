//! Work on all cores, results in order: each item a channel gives is handed to the rayon pool
//! as soon as one of a few slots is free, and the results are put back in order — no wave
//! that waits for its slowest member (the pieces of the decision pass, the blocks of a `.gz`).

use std::collections::BTreeMap;
use std::sync::mpsc;

/// Runs `work` on each item of `source` on the rayon pool, at most `in_flight` items between
/// being received and being sunk, and hands the results to `sink` in the order of the items.
/// Ends when `source` does, or when `sink` says false. With a pool of one thread (`-j 1`) each
/// item is worked on and sunk here, in turn, so that the run uses one core.
pub fn in_order<T, R, F>(
    source: &mpsc::Receiver<T>,
    in_flight: usize,
    work: &F,
    sink: &mut dyn FnMut(R) -> bool,
) where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    in_order_on(source, in_flight, work, sink, crate::input::one_thread());
}

/// [`in_order`], on this thread in turn (`one_thread`) or on the pool.
fn in_order_on<T, R, F>(
    source: &mpsc::Receiver<T>,
    in_flight: usize,
    work: &F,
    sink: &mut dyn FnMut(R) -> bool,
    one_thread: bool,
) where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    if one_thread {
        for item in source.iter() {
            if !sink(work(item)) {
                return;
            }
        }
        return;
    }
    let (done_tx, done_rx) = mpsc::channel::<(u64, R)>();
    rayon::in_place_scope(|scope| {
        let mut sent = 0u64;
        let mut next = 0u64;
        let mut waiting: BTreeMap<u64, R> = BTreeMap::new();
        let mut ended = false;
        loop {
            while !ended && sent - next < in_flight.max(1) as u64 {
                let item = if sent == next {
                    source.recv().ok()
                } else {
                    match source.try_recv() {
                        Ok(item) => Some(item),
                        Err(mpsc::TryRecvError::Empty) => break,
                        Err(mpsc::TryRecvError::Disconnected) => None,
                    }
                };
                let Some(item) = item else {
                    ended = true;
                    break;
                };
                let done_tx = done_tx.clone();
                let seq = sent;
                scope.spawn(move |_| {
                    let _ = done_tx.send((seq, work(item)));
                });
                sent += 1;
            }
            if sent == next {
                return;
            }
            let Ok((seq, result)) = done_rx.recv() else {
                return;
            };
            waiting.insert(seq, result);
            while let Some(result) = waiting.remove(&next) {
                next += 1;
                if !sink(result) {
                    return;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::Receiver;
    use std::thread::JoinHandle;

    /// The numbers below `n`, sent by a thread of their own into a small channel.
    fn numbers(n: u64) -> (Receiver<u64>, JoinHandle<()>) {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        let producer = std::thread::spawn(move || {
            for i in 0..n {
                tx.send(i).unwrap();
            }
        });
        (rx, producer)
    }

    #[test]
    fn results_come_in_order() {
        let (rx, producer) = numbers(500);
        let mut got = Vec::new();
        let work = |i: u64| {
            // Uneven work, so that later items often finish first.
            std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 300));
            i * 2
        };
        super::in_order(&rx, 4, &work, &mut |r| {
            got.push(r);
            true
        });
        producer.join().unwrap();
        assert_eq!(got, (0..500).map(|i| i * 2).collect::<Vec<_>>());
    }

    /// With one thread every item is worked on and sunk on the calling thread, in order.
    #[test]
    fn one_thread_works_on_the_calling_thread() {
        let (rx, producer) = numbers(100);
        let caller = std::thread::current().id();
        let mut got = Vec::new();
        let work = |i: u64| (std::thread::current().id(), i * 2);
        super::in_order_on(
            &rx,
            4,
            &work,
            &mut |(thread, r)| {
                assert_eq!(thread, caller);
                got.push(r);
                true
            },
            true,
        );
        producer.join().unwrap();
        assert_eq!(got, (0..100).map(|i| i * 2).collect::<Vec<_>>());
    }
}
