//! sshook: validate, read, list, export, summarise and receive Smartsupp chat data: POST-hook
//! payloads and webhook events.
//!
//! The binary is thin; the stages live here, one folder or file each, and data flows one way
//! (`docs/architecture.md` draws the layout):
//! discover → read → split → parse ([`input`]) into the [`model`] → check ([`check`]) →
//! select ([`select`]) → render ([`render`], [`stats`]) → sink ([`output`]). The command line
//! ([`cli`], [`commands`]) sits on top and is the only place that parses arguments.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// `unsafe` only where it is allowed by name: the SSE2 scans (`simd::x86_64`) and the two
// settings of glibc's allocator (`commands::allocator`).
#![deny(unsafe_code)]

pub mod check;
pub mod cli;
pub mod commands;
pub mod diagnostics;
pub mod dumps;
#[doc(hidden)]
pub mod fuzzing;
pub mod input;
pub mod jsontext;
pub mod model;
// The gzip sink is 264 bytes since flate2's zlib-rs backend came into the tree (under zip,
// under rust_xlsxwriter): one per output file, so its size does not matter.
#[allow(clippy::large_enum_variant)]
pub mod output;
pub mod privacy;
pub mod progress;
pub mod render;
pub mod select;
pub mod serve;
mod simd;
pub mod stats;

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
