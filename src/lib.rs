//! sshook: validate, read, list, export, summarise and receive Smartsupp chat data: POST-hook
//! payloads and webhook events.
//!
//! The binary is thin; the stages live here, one module each (see STYLE.md):
//! discover → read → split → parse ([`input`], [`payload`]) → check ([`check`]) →
//! select → render → sink ([`output`]).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// `unsafe` only where it is allowed by name: the SSE2 scans (`simd::x86_64`) and one
// allocator setting of `serve`.
#![deny(unsafe_code)]

pub mod args;
pub mod check;
pub mod cli;
pub mod commands;
pub mod finding;
pub mod input;
pub mod jsontext;
pub mod output;
pub mod payload;
pub mod privacy;
pub mod progress;
pub mod redact;
pub mod render;
pub mod report;
pub mod select;
pub mod serve;
mod simd;
pub mod stats;
pub mod time;
pub mod webhook;

/// How a command ended, for the exit status: 0 all inputs good, 1 some input was bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    BadInput,
}

impl Outcome {
    pub fn from_bad(bad: bool) -> Outcome {
        if bad {
            Outcome::BadInput
        } else {
            Outcome::Ok
        }
    }
}
