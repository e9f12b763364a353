//! The one model of the data sshook reads: a POST-hook payload, a webhook event, the
//! conversation assembled from events, a document as read from the input (with where it came
//! from), a finding about it, and time. Every other stage uses these types; this folder
//! imports none of them (only [`crate::jsontext`], a leaf below it).
//!
//! The formats themselves are described in `docs/formats.md`.

pub mod document;
pub mod finding;
pub mod payload;
pub mod time;
pub mod webhook;
