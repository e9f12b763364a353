//! The re-send index: every conversation id read so far, with its kept copy's fingerprint and,
//! for `--keep last`, the slot its value is held in. It grows with the number of distinct
//! conversations of a run, so it is built for size: 12 bytes a slot (16 with the held slots
//! of `--keep last`), its slots at least three quarters full once it has grown — at most 16
//! bytes a conversation (21 with held slots), where a general hash map of the same entries
//! took 17 to 39 and twice that while it doubled.
//!
//! The layout is an ordered linear-probing table (Amble and Knuth's; Robin Hood hashing with
//! the same order): ids are mixed into keys by a bijection, so no id is lost and no two collide;
//! a key's home slot is its place in the key range scaled to the table (so the slots hold the
//! keys in order), and a run of occupied slots is sorted. A look-up scans from the home slot
//! until it meets its key, a greater one or an empty slot (a few slots, one cache line); an
//! insert shifts the rest of its run one slot on. Growing copies the keys, still in order, into
//! a table 7/6 the size in one sequential pass. The table is split into [`SHARDS`] shards by
//! the keys' top bits, each growing on its own, so that growing never holds two copies of more
//! than one shard.

use std::hash::BuildHasher;

/// Shards, chosen by the top 8 bits of the key.
const SHARDS: usize = 256;
/// Slots past the last home slot, where the last runs of a shard spill (no wrap-around).
const SLACK: usize = 32;
/// A shard grows when it holds this fraction of its home slots: 7/8 …
const FULL: (usize, usize) = (7, 8);
/// … into 7/6 as many, so that it is 3/4 full after growing.
const GROWTH: (usize, usize) = (7, 6);
/// The home slots of a shard's first table.
const FIRST: usize = 16;

/// One slot: the key's low and high halves (0 is an empty slot) and the fingerprint. Three
/// `u32`s, so that a slot is 12 bytes, not 16 as a `(u64, u32)` would be.
type Slot = [u32; 3];

/// The ids of a run, each with the fingerprint of its kept copy and, when asked for, a held
/// slot.
pub(super) struct Seen {
    shards: Vec<Shard>,
    /// Mixed into every id: where ids land differs from run to run, so no input can be made
    /// to pile up in one place (results do not depend on it).
    seed: u64,
    /// The one id whose key is 0, the empty slot's mark: (fingerprint, held slot).
    zero: Option<(u32, u32)>,
    /// Keep a held slot with every id (`--keep last`).
    held: bool,
}

#[derive(Default)]
struct Shard {
    slots: Vec<Slot>,
    /// The held slot of the id in the same place of `slots`; empty unless [`Seen::held`].
    held: Vec<u32>,
    /// Home slots: `slots` has [`SLACK`] more.
    homes: usize,
    len: usize,
}

/// What a look-up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Kept {
    pub fingerprint: u32,
    pub held: u32,
}

impl Seen {
    /// An empty index; `held`: keep a held slot with every id.
    pub fn new(held: bool) -> Seen {
        Seen {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            seed: std::hash::RandomState::new().hash_one(0x5e_e5),
            zero: None,
            held,
        }
    }

    /// Looks `id` up. When it was not seen, adds it with `fingerprint` and `held` and returns
    /// `None`. When it was, returns what was kept, and with `replace` keeps the new values
    /// instead.
    pub fn insert(&mut self, id: i64, fingerprint: u32, held: u32, replace: bool) -> Option<Kept> {
        let key = mix(id as u64 ^ self.seed);
        if key == 0 {
            let old = self
                .zero
                .map(|(fingerprint, held)| Kept { fingerprint, held });
            if old.is_none() || replace {
                self.zero = Some((fingerprint, held));
            }
            return old;
        }
        let shard = &mut self.shards[(key >> 56) as usize];
        shard.insert(key, fingerprint, held, replace, self.held)
    }
}

impl Shard {
    fn insert(
        &mut self,
        key: u64,
        fingerprint: u32,
        held: u32,
        replace: bool,
        with_held: bool,
    ) -> Option<Kept> {
        loop {
            if self.homes > 0 {
                let mut at = home(key, self.homes);
                loop {
                    // Past the last slot reads as an empty one.
                    let here = self.slots.get(at).map_or(0, key_of);
                    if here == key {
                        let old = Kept {
                            fingerprint: self.slots[at][2],
                            held: self.held.get(at).copied().unwrap_or(0),
                        };
                        if replace {
                            self.slots[at][2] = fingerprint;
                            if with_held {
                                self.held[at] = held;
                            }
                        }
                        return Some(old);
                    }
                    if here == 0 || here > key {
                        break;
                    }
                    at += 1;
                }
                // Not seen: it goes at `at`, the rest of the run one slot on (the last run of
                // the shard may need more slack), unless the shard is full.
                if (self.len + 1) * FULL.1 <= self.homes * FULL.0 {
                    let end = match self.slots[at..].iter().position(|s| key_of(s) == 0) {
                        Some(free) => at + free,
                        None => self.extend(with_held),
                    };
                    self.slots.copy_within(at..end, at + 1);
                    self.slots[at] = slot(key, fingerprint);
                    if with_held {
                        self.held.copy_within(at..end, at + 1);
                        self.held[at] = held;
                    }
                    self.len += 1;
                    return None;
                }
            }
            self.grow(with_held);
        }
    }

    /// Adds [`SLACK`] empty slots at the end; returns the first of them.
    fn extend(&mut self, with_held: bool) -> usize {
        let end = self.slots.len();
        // Exactly: `resize` alone would double the allocation.
        self.slots.reserve_exact(SLACK);
        self.slots.resize(end + SLACK, [0; 3]);
        if with_held {
            self.held.reserve_exact(SLACK);
            self.held.resize(end + SLACK, 0);
        }
        end
    }

    /// Copies the keys, in order, into a table 7/6 the size (or the first table): each at its
    /// home slot, or just after the key before it when that one is there already.
    fn grow(&mut self, with_held: bool) {
        let homes = if self.homes == 0 {
            FIRST
        } else {
            self.homes * GROWTH.0 / GROWTH.1
        };
        let fresh = Shard {
            slots: vec![[0; 3]; homes + SLACK],
            held: if with_held {
                vec![0; homes + SLACK]
            } else {
                Vec::new()
            },
            homes,
            len: self.len,
        };
        let old = std::mem::replace(self, fresh);
        let mut next = 0;
        for (at, slot) in old.slots.iter().enumerate() {
            let key = key_of(slot);
            if key == 0 {
                continue;
            }
            let to = home(key, homes).max(next);
            if to == self.slots.len() {
                self.extend(with_held);
            }
            self.slots[to] = *slot;
            if with_held {
                self.held[to] = old.held[at];
            }
            next = to + 1;
        }
    }
}

/// The home slot of `key` in a shard of `homes` home slots: its place in the range of the
/// shard's keys (the top 8 bits are the shard), scaled to the table.
fn home(key: u64, homes: usize) -> usize {
    ((u128::from(key << 8) * homes as u128) >> 64) as usize
}

fn key_of(slot: &Slot) -> u64 {
    u64::from(slot[0]) | (u64::from(slot[1]) << 32)
}

fn slot(key: u64, fingerprint: u32) -> Slot {
    [key as u32, (key >> 32) as u32, fingerprint]
}

/// A bijection of the 64-bit integers that spreads neighbouring ids over the whole range
/// (splitmix64's finaliser: every step, a shift-xor or a multiplication by an odd number, can
/// be undone).
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// The index answers as a map of id → (fingerprint, held) does, over ids that collide in
    /// every way a table can make them (neighbours, multiples, extremes, the zero key).
    #[test]
    fn answers_as_a_map_does() {
        for held in [false, true] {
            let mut seen = Seen::new(held);
            let mut map: HashMap<i64, (u32, u32)> = HashMap::new();
            let zero_id = (unmix(0) ^ seen.seed) as i64;
            let mut ids: Vec<i64> = (0..40_000).collect();
            ids.extend((0..40_000).map(|i| i * 1_000_003));
            ids.extend([i64::MIN, i64::MAX, -1, zero_id]);
            ids.extend((0..20_000).map(|i| i * 7)); // seen again
            for (n, &id) in ids.iter().enumerate() {
                let (fingerprint, slot) = ((id as u32).rotate_left(7), n as u32);
                let replace = n % 3 == 0;
                let want = map.get(&id).copied();
                let got = seen.insert(id, fingerprint, slot, replace);
                assert_eq!(
                    got.map(|k| k.fingerprint),
                    want.map(|w| w.0),
                    "id {id} held {held}"
                );
                if held {
                    assert_eq!(got.map(|k| k.held), want.map(|w| w.1), "id {id}");
                }
                if want.is_none() || replace {
                    map.insert(id, (fingerprint, slot));
                }
            }
            let homes: usize = seen.shards.iter().map(|s| s.homes).sum();
            let slots: usize = seen.shards.iter().map(|s| s.slots.len()).sum();
            let len: usize = seen.shards.iter().map(|s| s.len).sum();
            assert_eq!(len + usize::from(seen.zero.is_some()), map.len());
            // At most 16 bytes an id, and little slack.
            assert!(homes * 12 <= 16 * len, "{homes} home slots, {len} ids");
            assert!(
                slots - homes <= 2 * SHARDS * SLACK,
                "{slots} slots, {homes} homes"
            );
        }
    }

    /// `mix` undone, to find the id whose key is 0.
    fn unmix(mut x: u64) -> u64 {
        x ^= (x >> 31) ^ (x >> 62);
        x = x.wrapping_mul(0x3196_42b2_d24d_8ec3);
        x ^= (x >> 27) ^ (x >> 54);
        x = x.wrapping_mul(0x96de_1b17_3f11_9089);
        x ^ (x >> 30) ^ (x >> 60)
    }

    #[test]
    fn unmix_undoes_mix() {
        for x in [0u64, 1, 42, u64::MAX, 0xdead_beef] {
            assert_eq!(unmix(mix(x)), x);
        }
    }
}
