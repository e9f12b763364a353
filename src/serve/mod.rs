//! `sshook serve`, the receiver Smartsupp posts to: [`http`] takes requests within the
//! [`limits`] (refusing ambiguous [`framing`]), [`body`] reads them, [`intake`] judges a
//! POST-hook body with the shared reader and [`webhook`] an event, [`store`] keeps it on disk
//! durably (through [`disk`], with [`rejected`] bounded) before it is answered; [`accept`]
//! ties judging and keeping together, [`reply`] words the answer and the log line.

pub mod accept;
pub mod body;
pub mod disk;
pub mod framing;
pub mod http;
pub mod intake;
pub mod limits;
pub mod rejected;
pub mod reply;
pub mod store;
pub mod webhook;
