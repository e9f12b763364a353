//! Personal data: `--redact` replaces it in what a command writes ([`redact`]); `erase` and
//! `prune` remove whole conversations from the stored dumps ([`rewrite`], one rewriting core
//! for both: [`scan`] decides what goes in one streaming pass, [`cut`] finds the bytes that
//! go and copies the rest).

mod cut;
pub mod redact;
pub mod rewrite;
mod scan;
