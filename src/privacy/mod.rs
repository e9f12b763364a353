//! Personal data: `--redact` replaces it in what a command writes ([`redact`]); `erase` and
//! `prune` remove whole conversations from the stored dumps ([`rewrite`], one rewriting core
//! for both).

pub mod redact;
pub mod rewrite;
