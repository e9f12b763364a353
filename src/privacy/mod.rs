//! Personal data: `--redact` replaces it in what a command writes ([`redact`]); `erase` and
//! `prune` remove whole conversations from the stored dumps ([`rewrite`], one rewriting core
//! for both: `scan` decides what goes in one streaming pass, `cut` finds the bytes that go,
//! `write` writes the rest to a new file and puts it in the old one's place, `gzip`
//! recompresses on all cores).

mod cut;
mod gzip;
mod ordered;
pub mod redact;
pub mod rewrite;
mod scan;
mod write;
